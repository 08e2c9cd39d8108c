import type { RuntimeSettings, SamplingOptions } from '../core/chat-request.js';

// Only fields the client sent are copied: the model's own defaults apply otherwise (no invented
// defaults, not even OpenAI's legacy max_tokens=16).

interface WireSampling {
  temperature?: number | null | undefined;
  top_p?: number | null | undefined;
  max_tokens?: number | null | undefined;
  max_completion_tokens?: number | null | undefined;
  stop?: string | string[] | null | undefined;
  seed?: number | null | undefined;
  presence_penalty?: number | null | undefined;
  frequency_penalty?: number | null | undefined;
}

interface WireRuntime {
  options?: Record<string, unknown> | null | undefined;
  num_ctx?: number | null | undefined;
  keep_alive?: string | number | null | undefined;
}

export function toSamplingOptions(body: WireSampling): SamplingOptions {
  const sampling: SamplingOptions = {};
  if (body.temperature != null) sampling.temperature = body.temperature;
  if (body.top_p != null) sampling.topP = body.top_p;
  // max_tokens is deprecated but still what LangChain and Vercel send; the new name wins when both are set.
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) sampling.maxTokens = maxTokens;
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (stop != null && stop.length > 0) sampling.stop = stop;
  if (body.seed != null) sampling.seed = body.seed;
  if (body.frequency_penalty != null) sampling.frequencyPenalty = body.frequency_penalty;
  if (body.presence_penalty != null) sampling.presencePenalty = body.presence_penalty;
  return sampling;
}

/** Ollama extras; a top-level `num_ctx` overrides `options.num_ctx`. Undefined when none was sent. */
export function toRuntimeSettings(body: WireRuntime): RuntimeSettings | undefined {
  let options = body.options ?? undefined;
  if (body.num_ctx != null) options = { ...options, num_ctx: body.num_ctx };
  const runtime: RuntimeSettings = {};
  if (options !== undefined) runtime.options = options;
  if (body.keep_alive != null) runtime.keepAlive = body.keep_alive;
  return runtime.options === undefined && runtime.keepAlive === undefined ? undefined : runtime;
}
