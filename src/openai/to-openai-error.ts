import type { ProxyError } from '../core/errors.js';
import type { OpenAIErrorBody } from './openai-wire.js';

/** The one error body shape, for HTTP errors and the final SSE frame alike; all four keys always present. */
export function toOpenAIError(error: ProxyError): OpenAIErrorBody {
  return { error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code } };
}
