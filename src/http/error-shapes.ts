import { toAnthropicError } from '../anthropic/to-anthropic-error.js';
import type { ProxyError } from '../core/errors.js';
import { toOpenAIError } from '../openai/to-openai-error.js';
import type { RequestLocals } from './locals.js';

// Each inbound protocol reports errors in its own shape; a route picks it with res.locals.errorShape before
// anything can fail (authentication included). The error handler asks here for the body; a stream that fails
// after its 200 ends with its encoder's own error frame instead.

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

