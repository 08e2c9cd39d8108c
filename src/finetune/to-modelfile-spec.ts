import type { CreateModelSpec } from '../core/model-runtime.js';
import { InvalidRequestError } from '../core/errors.js';
import type { TrainingExample } from './training-data.js';

// The built-in `modelfile` trainer is prompt-level tuning, not weight training: the derived model carries the
// dataset's system prompt, a few examples as conversation history (`messages`), and the sampling
// hyperparameters Ollama understands as Modelfile PARAMETERs. Pure.

const NUMBER_PARAMETERS = new Set([
  'temperature', 'top_p', 'top_k', 'min_p', 'typical_p', 'repeat_penalty', 'repeat_last_n',
  'presence_penalty', 'frequency_penalty', 'num_ctx', 'num_predict', 'seed',
]);
const INTEGER_PARAMETERS = new Set(['top_k', 'repeat_last_n', 'num_ctx', 'num_predict', 'seed']);
/** Read by this trainer itself rather than passed to Ollama. */
const TRAINER_SETTINGS = new Set(['max_examples']);
export const DEFAULT_MAX_EXAMPLES = 10;

export interface ModelfilePlan {
  spec: CreateModelSpec;
  /** Hyperparameters that mean nothing to prompt-level tuning (epochs, learning rate…). */
  ignored: string[];
  /** Distinct system prompts in the dataset; only the most common one is used. */
  systemPrompts: number;
  examplesUsed: number;
}

function checkParameter(name: string, value: unknown): void {
  const param = `hyperparams.${name}`;
  if (name === 'stop') {
    const ok = typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
    if (!ok) throw new InvalidRequestError(`'${param}' must be a string or an array of strings.`, param);
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || (INTEGER_PARAMETERS.has(name) && !Number.isInteger(value))) {
    throw new InvalidRequestError(`'${param}' must be ${INTEGER_PARAMETERS.has(name) ? 'an integer' : 'a number'}.`, param);
  }
}

function readMaxExamples(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_EXAMPLES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidRequestError("'hyperparams.max_examples' must be a non-negative integer.", 'hyperparams.max_examples');
  }
  return value;
}

/** The most common first system message across examples. */
function pickSystemPrompt(examples: readonly TrainingExample[]): { system?: string; distinct: number } {
  const counts = new Map<string, number>();
  for (const example of examples) {
    const system = example.messages.find((message) => message.role === 'system')?.content;
    if (system !== undefined) counts.set(system, (counts.get(system) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [system, count] of counts) if (best === undefined || count > counts.get(best)!) best = system;
  return best === undefined ? { distinct: 0 } : { system: best, distinct: counts.size };
}

export function toModelfileSpec(input: {
  baseModel: string;
  model: string;
  examples: readonly TrainingExample[];
  hyperparams: Readonly<Record<string, unknown>>;
}): ModelfilePlan {
  const parameters: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(input.hyperparams)) {
    if (TRAINER_SETTINGS.has(name)) continue;
    if (!NUMBER_PARAMETERS.has(name) && name !== 'stop') {
      ignored.push(name);
      continue;
    }
    checkParameter(name, value);
    parameters[name] = value;
  }
  const shots = input.examples.slice(0, readMaxExamples(input.hyperparams['max_examples']));
  const messages = shots.flatMap((example) => example.messages.filter((message) => message.role !== 'system'));
  const { system, distinct } = pickSystemPrompt(input.examples);
  const spec: CreateModelSpec = { model: input.model, from: input.baseModel, messages, parameters };
  if (system !== undefined) spec.system = system;
  return { spec, ignored, systemPrompts: distinct, examplesUsed: shots.length };
}
