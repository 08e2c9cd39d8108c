import type { ProxyError } from '../core/errors.js';
import { toOpenAIError } from './to-openai-error.js';

// OpenAI's SSE framing: `data: <json>` frames, `data: [DONE]` at the end, and a failure after the 200 as a
// last `data: {"error":…}` frame without [DONE] (the openai SDK raises it as APIError).

export function dataFrame(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

export function errorDataFrame(error: ProxyError): string {
  return dataFrame(toOpenAIError(error));
}
