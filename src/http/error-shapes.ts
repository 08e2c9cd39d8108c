import { toAnthropicError } from '../anthropic/to-anthropic-error.js';
import type { ProxyError } from '../core/errors.js';
import { toOpenAIError } from '../openai/to-openai-error.js';
import type { RequestLocals } from './locals.js';

// Each inbound protocol reports errors in its own shape; a route picks it with res.locals.errorShape before
// anything can fail (authentication included). The error handler asks here for the body and the SSE frame.

export type ErrorShape = NonNullable<RequestLocals['errorShape']>;

export function toErrorBody(shape: ErrorShape | undefined, error: ProxyError, requestId: string | undefined): unknown {
  switch (shape) {
    // Native Ollama clients (ollama-js, the Go client) read `error` as a string.
    case 'ollama':
      return { error: error.message };
    case 'anthropic':
      return toAnthropicError(error, requestId);
    default:
      return toOpenAIError(error);
  }
}

/** The final frame of a stream that fails after its 200: OpenAI's SDK reads `data: {"error"}`, Anthropic's an `error` event. */
export function toSseErrorFrame(shape: ErrorShape | undefined, body: unknown): string {
  const data = `data: ${JSON.stringify(body)}\n\n`;
  return shape === 'anthropic' ? `event: error\n${data}` : data;
}
