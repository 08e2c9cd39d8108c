import type { MemoryStrategyName } from '../../core/session-directory.js';
import { hybridStrategy } from './hybrid.js';
import type { MemoryStrategy } from './memory-strategy.js';
import { slidingWindow } from './sliding-window.js';
import { summaryStrategy } from './summary.js';

const STRATEGIES: Record<MemoryStrategyName, MemoryStrategy> = {
  sliding: slidingWindow,
  summary: summaryStrategy,
  hybrid: hybridStrategy,
};

export function strategyByName(name: MemoryStrategyName): MemoryStrategy {
  return STRATEGIES[name];
}
