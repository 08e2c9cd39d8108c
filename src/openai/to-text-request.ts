import type { TextRequest } from '../core/chat-request.js';
import { openAITextCompletionRequestSchema } from './openai-wire.js';
import { toStreamFlags, type StreamFlags } from './stream-flags.js';
import { invalidParam, parseOpenAIBody } from './parse-openai-body.js';
import { toRuntimeSettings, toSamplingOptions } from './to-sampling-options.js';

export interface TextCall extends StreamFlags {
  request: TextRequest;
}

/**
 * POST /v1/completions body → canonical text request and stream flags, in one parse. One prompt per request;
 * OpenAI's legacy max_tokens default of 16 is deliberately not applied (absent means the model's own limit).
 */
export function toTextCall(body: unknown): TextCall {
  const wire = parseOpenAIBody(openAITextCompletionRequestSchema, body);
  const request: TextRequest = { model: wire.model, prompt: toPrompt(wire.prompt), sampling: toSamplingOptions(wire) };
  if (wire.suffix != null) request.suffix = wire.suffix;
  if (wire.echo != null) request.echo = wire.echo;
  // Extra field: send the prompt as-is, without the model's template (IDE FIM prompts with sentinel tokens).
  if (wire.raw != null) request.raw = wire.raw;
  const runtime = toRuntimeSettings(wire);
  if (runtime) request.runtime = runtime;
  // Legacy logprobs is a count: 0 = the chosen token's logprob only, N = N alternatives as well.
  if (wire.logprobs != null) request.logprobs = { topLogprobs: wire.logprobs };
  return { request, ...toStreamFlags(wire) };
}

function toPrompt(prompt: string | unknown[]): string {
  if (typeof prompt === 'string') return prompt;
  if (prompt.length !== 1) throw invalidParam('prompt', 'send exactly one prompt per request (arrays of several prompts are not supported)');
  const [only] = prompt;
  if (typeof only !== 'string') throw invalidParam('prompt', 'token-id prompts are not supported; send the prompt as text');
  return only;
}
