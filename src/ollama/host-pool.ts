// Several Ollama hosts serving the same models. Requests rotate round-robin over them; a host that refused
// a connection is tried last until its cooldown ends (or a probe/request succeeds on it again). Hosts are
// never removed entirely: when all of them are down we still try, rather than fail without asking.

export interface HostPool {
  /** Hosts to try for one request, in order. */
  candidates(): readonly string[];
  markDown(url: string): void;
  markUp(url: string): void;
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
