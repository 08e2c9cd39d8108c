import type { ProxyError } from '../core/errors.js';
import { SSE_DONE, SSE_PING, type StreamEncoder } from '../core/stream-encoder.js';
import { dataFrame, errorDataFrame } from './openai-sse.js';
import { toOpenAIError } from './to-openai-error.js';

// Our own progress streams (model pull and load under /api/v1) carry plain JSON objects, in OpenAI's error
// shape: as SSE (`data:` frames, `data: [DONE]`, a last `data: {"error"}` frame) or as NDJSON (one object a
// line, and Ollama's convention for a failure after the 200: one last `{"error"}` line).

export function createJsonSseEncoder(): StreamEncoder<object> {
  return { format: 'sse', heartbeat: SSE_PING, isComplete: false, encode: dataFrame, end: () => SSE_DONE, errorFrame: errorDataFrame };
}

export function createNdjsonEncoder(): StreamEncoder<object> {
  return {
    format: 'ndjson',
    heartbeat: '',
    isComplete: false,
    encode: (item) => `${JSON.stringify(item)}\n`,
    end: () => '',
    errorFrame: (error: ProxyError) => `${JSON.stringify(toOpenAIError(error))}\n`,
  };
}
