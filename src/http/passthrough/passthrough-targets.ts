// Which Ollama host the native-API passthrough uses. With the fleet (several hosts), the fleet ranks the hosts
// for the request's model, as for the backend's calls. Without one, passthrough goes to the first host that
// is not resting: model management (pull, create, delete) should act on one predictable host. A host that
// refused a connection rests for a cooldown.

/** Host choice shared with the Ollama backend (src/fleet/): hosts ranked for a model, failures reported back. */
export interface PassthroughHosts {
  candidates(model?: string): readonly string[];
  markDown(url: string, reason?: string): void;
  /** Every host (from OLLAMA_URL or CONFIG_FILE ollama.hosts). */
  urls(): readonly string[];
  /** Admission queue: undefined when a host has room for the model, else a wait (rejects busy when full). */
  admit?(model: string | undefined, signal: AbortSignal): Promise<void> | undefined;
  /** A generation starts / ends on the host (its in-flight count). */
  begin?(url: string): void;
  end?(url: string, firstByteMs: number | undefined): void;
}

export interface PassthroughTargets {
  /** The host for a request; with a fleet, one that has `model` (read from the body of chat, generate, show, embed). */
  pick(model?: string): string;
  /** The host refused a connection: skip it until the cooldown ends. */
  markDown(url: string): void;
  /** The configured URL a proxied target (as http-proxy reports it) belongs to. */
  find(target: unknown): string | undefined;
}

export interface PassthroughTargetsOptions {
  cooldownMs?: number;
  now?: () => number;
  /** The fleet: when given, it chooses the host (model-aware) and hears about refused connections. */
  hosts?: PassthroughHosts;
}

export function createPassthroughTargets(urls: readonly string[], options: PassthroughTargetsOptions = {}): PassthroughTargets {
  const first = urls[0];
  if (first === undefined) throw new Error('at least one Ollama URL is required');
  const cooldownMs = options.cooldownMs ?? 10_000;
  const now = options.now ?? Date.now;
  const downUntil = new Map<string, number>();
  const hosts = options.hosts;
  return {
    pick(model) {
      if (hosts !== undefined) return hosts.candidates(model)[0] ?? first;
      const at = now();
      return urls.find((url) => (downUntil.get(url) ?? 0) <= at) ?? first;
    },
    markDown(url) {
      downUntil.set(url, now() + cooldownMs);
      hosts?.markDown(url, 'connection refused (native API)');
    },
    find(target) {
      const href = typeof target === 'string' ? target : (target as { href?: unknown } | undefined)?.href;
      if (typeof href !== 'string') return undefined;
      const normalized = href.replace(/\/+$/, '');
      return urls.find((url) => url === normalized);
    },
  };
}
