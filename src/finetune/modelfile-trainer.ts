import type { ModelRuntime } from '../core/model-runtime.js';
import { toModelfileSpec } from './to-modelfile-spec.js';
import { reportCreateProgress, type Trainer } from './trainer.js';

/** Prompt-level tuning: a derived Ollama model with the dataset's system prompt, few-shot messages and parameters. */
export function createModelfileTrainer(runtime: ModelRuntime): Trainer {
  return {
    validate: (input) => void toModelfileSpec(input),
    async train(input, ctx) {
      const plan = toModelfileSpec(input);
      const system = plan.spec.system === undefined ? 'no system prompt' : 'the system prompt';
      const variants = plan.systemPrompts > 1 ? ` (the most common of ${plan.systemPrompts} different ones)` : '';
      ctx.report(
        `Prompt-level tuning, not weight training: ${system}${variants}, ${plan.examplesUsed} few-shot examples, ` +
          `parameters ${JSON.stringify(plan.spec.parameters)}.`,
        0.1,
      );
      if (plan.ignored.length > 0) ctx.report(`Ignored (they need weight training): ${plan.ignored.join(', ')}.`);
      await reportCreateProgress(runtime.createModel(plan.spec, ctx.signal), ctx, 0.2, 0.95);
    },
  };
}
