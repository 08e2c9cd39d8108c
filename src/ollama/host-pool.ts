// Several Ollama hosts serving the same models. Requests rotate round-robin over them; a host that refused
// a connection is tried last until its cooldown ends (or a probe/request succeeds on it again). Hosts are
// never removed entirely: when all of them are down we still try, rather than fail without asking.

export interface HostPool {
  /** Hosts to try for one request, in order (a fleet ranks them by model and conversation). */
  candidates(model?: string, sessionId?: string): readonly string[];
  markDown(url: string, reason?: string): void;
  markUp(url: string): void;
  // Optional hooks a fleet (src/fleet/) implements; the plain pool below does not need them.
  /** Undefined when a host has room for the model now; else a wait for one (rejects busy when the queue is full or the wait too long). */
  admit?(model: string | undefined, signal: AbortSignal): Promise<void> | undefined;
  /** A request starts on the host. */
  begin?(url: string): void;
  /** That request ended (its body closed); firstByteMs when it got response headers. */
  end?(url: string, firstByteMs: number | undefined): void;
  /** The host failed a request with an HTTP error (busy, 5xx): remembered as its last error. */
  failed?(url: string, reason: string): void;
  /** The request left this host for the next candidate (busy, 5xx, refused, model missing). */
  failedOver?(url: string): void;
  /** The host answered a call for the model (so it now holds it in memory). */
  answered?(url: string, model: string): void;
  /** The host said it does not have the model: its model list is stale. */
  missed?(url: string, model: string): void;
  /** The conversation was served by this host (stickiness). */
  served?(sessionId: string, url: string): void;
  /** Every host, for calls that ask all of them (the union of model lists). */
  urls?(): readonly string[];
}

export interface HostPoolOptions {
  cooldownMs: number;
  now: () => number;
}

export function createHostPool(urls: readonly string[], options: HostPoolOptions): HostPool {
  if (urls.length === 0) throw new Error('at least one Ollama URL is required');
  const downUntil = new Map<string, number>();
  let next = 0;
  const single = [...urls];

  const candidates = (): readonly string[] => {
    if (urls.length === 1) return single;
    const start = next;
    next = (next + 1) % urls.length;
    const now = options.now();
    const healthy: string[] = [];
    const resting: string[] = [];
    for (let offset = 0; offset < urls.length; offset++) {
      const url = urls[(start + offset) % urls.length]!;
      if ((downUntil.get(url) ?? 0) > now) resting.push(url);
      else healthy.push(url);
    }
    return healthy.concat(resting);
  };

  return {
    candidates,
    markDown: (url) => downUntil.set(url, options.now() + options.cooldownMs),
    markUp: (url) => downUntil.delete(url),
  };
}
