import type { EmbeddingRequest } from '../core/chat-request.js';
import { openAIEmbeddingRequestSchema } from './openai-wire.js';
import { invalidParam, parseOpenAIBody } from './parse-openai-body.js';
import { toRuntimeSettings } from './to-sampling-options.js';

export type OpenAIEncodingFormat = 'float' | 'base64';

export interface EmbeddingCall {
  request: EmbeddingRequest;
  /** openai-node asks for base64 unless the caller chose; absent means float. */
  encodingFormat: OpenAIEncodingFormat;
  /** Embeddings never stream. */
  stream: false;
}

/** POST /v1/embeddings body → canonical request plus the encoding the response must use. */
export function toEmbeddingCall(body: unknown): EmbeddingCall {
  const wire = parseOpenAIBody(openAIEmbeddingRequestSchema, body);
  const request: EmbeddingRequest = { model: wire.model, inputs: toInputs(wire.input) };
  if (wire.dimensions != null) request.dimensions = wire.dimensions;
  const runtime = toRuntimeSettings(wire);
  if (runtime) request.runtime = runtime;
  return { request, encodingFormat: wire.encoding_format ?? 'float', stream: false };
}

function toInputs(input: string | unknown[]): string[] {
  if (typeof input === 'string') {
    if (input === '') throw invalidParam('input', 'must not be an empty string');
    return [input];
  }
  if (input.length === 0) throw invalidParam('input', 'must not be an empty array');
  return input.map((item, i) => {
    if (typeof item === 'number' || Array.isArray(item)) throw invalidParam('input', 'token-id inputs are not supported; send text');
    if (typeof item !== 'string') throw invalidParam(`input[${i}]`, 'expected a string');
    if (item === '') throw invalidParam(`input[${i}]`, 'must not be an empty string');
    return item;
  });
}
