// The KV cache of a loaded model, one per parallel slot (OLLAMA_NUM_PARALLEL), as Ollama's runner keeps them:
// a request takes the slot whose cached prompt shares the longest prefix with its own, else the least recently
// used one, and leaves its prompt there. Only the tokens past the shared prefix are evaluated again.
import type { PromptPieces } from './prompt-cache.js';

export interface KvSlot {
  prompt: PromptPieces | undefined;
  usedAt: number;
}

export interface KvSlots {
  /** The slot of `model` that caches the most of this prompt (`cachedOf` scores one slot's cached prompt); marked used. */
  take(model: string, cachedOf: (cached: PromptPieces | undefined) => number): { slot: KvSlot; cached: number };
  /** A model that unloads loses its caches. */
  drop(model: string): void;
  clear(): void;
}

export function createKvSlots(slotsPerModel: number): KvSlots {
  const count = Math.max(1, Math.floor(slotsPerModel));
  const byModel = new Map<string, KvSlot[]>();
  let clock = 0;
  return {
    take(model, cachedOf) {
      let slots = byModel.get(model);
      if (slots === undefined) {
        slots = Array.from({ length: count }, () => ({ prompt: undefined, usedAt: 0 }));
        byModel.set(model, slots);
      }
      let best = slots[0]!;
      let bestCached = -1;
      for (const slot of slots) {
        const cached = cachedOf(slot.prompt);
        if (cached > bestCached || (cached === bestCached && slot.usedAt < best.usedAt)) {
          best = slot;
          bestCached = cached;
        }
      }
      best.usedAt = ++clock;
      return { slot: best, cached: Math.max(0, bestCached) };
    },
    drop: (model) => void byModel.delete(model),
    clear: () => byModel.clear(),
  };
}
