// Which Ollama host the native-API passthrough uses. Unlike generation requests (spread over every host by
// the backend), passthrough goes to the first host that is not resting: model management (pull, create,
// delete) should act on one predictable host. A host that refused a connection rests for a cooldown.

export interface PassthroughTargets {
  pick(): string;
  /** The host refused a connection: skip it until the cooldown ends. */
  markDown(url: string): void;
  /** The configured URL a proxied target (as http-proxy reports it) belongs to. */
  find(target: unknown): string | undefined;
}

export interface PassthroughTargetsOptions {
  cooldownMs?: number;
  now?: () => number;
}

export function createPassthroughTargets(urls: readonly string[], options: PassthroughTargetsOptions = {}): PassthroughTargets {
  const first = urls[0];
  if (first === undefined) throw new Error('at least one Ollama URL is required');
  const cooldownMs = options.cooldownMs ?? 10_000;
  const now = options.now ?? Date.now;
  const downUntil = new Map<string, number>();
  return {
    pick() {
      const at = now();
      return urls.find((url) => (downUntil.get(url) ?? 0) <= at) ?? first;
    },
    markDown: (url) => void downUntil.set(url, now() + cooldownMs),
    find(target) {
      const href = typeof target === 'string' ? target : (target as { href?: unknown } | undefined)?.href;
      if (typeof href !== 'string') return undefined;
      const normalized = href.replace(/\/+$/, '');
      return urls.find((url) => url === normalized);
    },
  };
}
