import type { FleetHost } from './fleet-host.js';

// The router: a pure function from the hosts' current records to the order in which to try them for one
// request. O(hosts) to score, plus a sort of the (at most a few dozen) candidates.
//
// 1. Only hosts that have the model, or whose model list is not known yet. Hosts known to lack it get nothing.
// 2. Healthy before resting (a host in its failure cooldown is still tried last: better than failing unasked).
// 3. The session's host first while it is healthy (Ollama's KV cache for that conversation lives there).
// 4. A host with a free slot (in flight below maxParallel) before a full one.
// 5. Model loaded (/api/ps) before cold, then fewest in flight relative to maxParallel, then weight;
//    remaining ties rotate (`turn`) so equal hosts share the load.
// When no host is known to have the model, one host is asked so the client gets Ollama's own 404.

export interface RankInput {
  hosts: readonly FleetHost[];
  /** Normalised model name (modelKey), or undefined for model-less calls (listing, version). */
  model: string | undefined;
  /** The host this conversation used last, if any. */
  stickyUrl: string | undefined;
  now: number;
  /** Rotation counter for ties. */
  turn: number;
}

export function rankHosts({ hosts, model, stickyUrl, now, turn }: RankInput): FleetHost[] {
  const count = hosts.length;
  const ranked: FleetHost[] = [];
  for (let offset = 0; offset < count; offset++) {
    const host = hosts[(turn + offset) % count]!;
    if (model === undefined || host.models === undefined || host.models.has(model)) ranked.push(host);
  }
  if (ranked.length === 0) {
    // Nobody is known to have it: one host (a healthy one if any) answers with Ollama's own "not found".
    for (let offset = 0; offset < count && ranked.length === 0; offset++) {
      const host = hosts[(turn + offset) % count]!;
      if (host.downUntil <= now) ranked.push(host);
    }
    if (ranked.length === 0) ranked.push(hosts[turn % count]!);
  }
  if (ranked.length === 1) return ranked;
  ranked.sort((a, b) => {
    const restA = a.downUntil > now ? 1 : 0;
    const restB = b.downUntil > now ? 1 : 0;
    if (restA !== restB) return restA - restB;
    if (stickyUrl !== undefined) {
      const stickA = a.url === stickyUrl ? 0 : 1;
      const stickB = b.url === stickyUrl ? 0 : 1;
      if (stickA !== stickB) return stickA - stickB;
    }
    // A host at maxParallel would refuse (Ollama's 503) or queue behind others: one with a free slot goes first.
    const fullA = a.inFlight >= a.maxParallel ? 1 : 0;
    const fullB = b.inFlight >= b.maxParallel ? 1 : 0;
    if (fullA !== fullB) return fullA - fullB;
    if (model !== undefined) {
      const coldA = a.loaded.has(model) ? 0 : 1;
      const coldB = b.loaded.has(model) ? 0 : 1;
      if (coldA !== coldB) return coldA - coldB;
    }
    const loadA = a.inFlight / a.maxParallel;
    const loadB = b.inFlight / b.maxParallel;
    if (loadA !== loadB) return loadA - loadB;
    if (a.weight !== b.weight) return b.weight - a.weight;
    return 0; // Array.prototype.sort is stable: ties keep the rotated order.
  });
  return ranked;
}
