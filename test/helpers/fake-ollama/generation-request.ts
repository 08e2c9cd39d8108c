// Validation shared by /api/chat, /api/generate and /v1/chat/completions, with Ollama's statuses
// and wording. Returns a Failure instead of writing, so /v1 can wrap it in OpenAI's error shape.
import type { FakeModel, ModelCapability } from './fake-model.js';
import { parseKeepAlive } from './keep-alive.js';
import { canonicalModelName } from './model-name.js';
import type { ModelState } from './model-state.js';

export interface Failure {
  status: number;
  message: string;
}

export interface GenerationRequest {
  /** The name as the client sent it; Ollama echoes it back unchanged. */
  requested: string;
  model: FakeModel;
  stream: boolean;
  keepAliveMs: number;
  /** Resolved: explicit value, else on for thinking-capable models (0.12.4+). */
  think: boolean;
  isThinkExplicit: boolean;
  numPredict?: number;
  numCtx: unknown;
  format: unknown;
  /** `logprobs: true`: alternatives per token (top_logprobs, 0 = only the chosen token). */
  logprobs?: { top: number };
  /** The request's `truncate` as sent (unset means true). */
  truncate: unknown;
}

export type Route = 'chat' | 'generate';

export function isFailure(value: object): value is Failure {
  return 'status' in value && 'message' in value;
}

const INT_OPTIONS = ['num_predict', 'num_ctx', 'top_k', 'seed', 'num_keep', 'repeat_last_n', 'num_batch', 'num_gpu', 'num_thread'];
const FLOAT_OPTIONS = ['temperature', 'top_p', 'min_p', 'typical_p', 'repeat_penalty', 'presence_penalty', 'frequency_penalty'];

/** A wrongly typed option fails in the scheduler, so Ollama answers 500, not 400. */
function checkOptions(options: Record<string, unknown>): Failure | undefined {
  for (const [key, value] of Object.entries(options)) {
    const type = INT_OPTIONS.includes(key) ? 'integer' : FLOAT_OPTIONS.includes(key) ? 'float' : undefined;
    if (type && typeof value !== 'number') return { status: 500, message: `option "${key}" must be of type ${type}` };
  }
  return undefined;
}

function parseThink(value: unknown, model: FakeModel): { think: boolean; explicit: boolean } | Failure {
  if (value === undefined || value === null) return { think: model.capabilities.includes('thinking'), explicit: false };
  if (typeof value === 'boolean') return { think: value, explicit: value };
  if (typeof value === 'string' && ['low', 'medium', 'high', 'max'].includes(value)) return { think: true, explicit: true };
  return { status: 400, message: 'invalid think value' };
}

function goTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

export function parseGenerationRequest(body: Record<string, unknown>, state: ModelState, route: Route): GenerationRequest | Failure {
  const { model: name = '', options = {}, stream = true } = body;
  if (typeof name !== 'string') {
    const struct = route === 'chat' ? 'ChatRequest' : 'GenerateRequest';
    return { status: 400, message: `json: cannot unmarshal ${goTypeName(name)} into Go struct field ${struct}.model of type string` };
  }
  if (name === '' && route === 'chat') return { status: 400, message: 'model is required' };
  const model = state.find(name);
  if (!model) return { status: 404, message: `model '${name}' not found` };
  const keepAlive = parseKeepAlive(body['keep_alive']);
  if ('error' in keepAlive) return { status: 400, message: keepAlive.error };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return { status: 400, message: `json: cannot unmarshal ${goTypeName(options)} into Go struct field .options of type map[string]interface {}` };
  }
  const opts = options as Record<string, unknown>;
  const badOption = checkOptions(opts);
  if (badOption) return badOption;
  const think = parseThink(body['think'], model);
  if (isFailure(think)) return think;
  const top = body['top_logprobs'] ?? 0;
  if (typeof top !== 'number' || top < 0 || top > 20) return { status: 400, message: 'top_logprobs must be between 0 and 20' };
  const numPredict = opts['num_predict'];
  return {
    requested: name,
    model,
    stream: stream !== false,
    keepAliveMs: keepAlive.ms,
    think: think.think,
    isThinkExplicit: think.explicit,
    ...(typeof numPredict === 'number' ? { numPredict: Math.trunc(numPredict) } : {}),
    numCtx: opts['num_ctx'],
    format: body['format'],
    ...(body['logprobs'] === true ? { logprobs: { top } } : {}),
    truncate: body['truncate'],
  };
}

/** Capability checks Ollama runs when scheduling the model (after the unload shortcut). */
export function checkCapabilities(req: GenerationRequest, route: Route, extra: ModelCapability[]): Failure | undefined {
  const caps = req.model.capabilities;
  if (!caps.includes('completion')) return { status: 400, message: `"${req.requested}" does not support ${route}` };
  if (req.isThinkExplicit && !caps.includes('thinking')) {
    return { status: 400, message: `"${req.requested}" does not support thinking` };
  }
  const missing = extra.find((cap) => !caps.includes(cap));
  if (missing) return { status: 400, message: `${canonicalModelName(req.requested)} does not support ${missing}` };
  return undefined;
}
