import { openAIStreamFlagsSchema } from './openai-wire.js';
import { parseOpenAIBody } from './parse-openai-body.js';

export interface StreamFlags {
  stream: boolean;
  /** stream_options.include_usage; meaningless (false) without stream. */
  includeUsage: boolean;
}

/**
 * How to answer (JSON or SSE) for chat and legacy completions. Decided from the body only: the
 * openai SDK sends `Accept: application/json` even for streaming requests.
 */
export function readStreamFlags(body: unknown): StreamFlags {
  const wire = parseOpenAIBody(openAIStreamFlagsSchema, body);
  const stream = wire.stream === true;
  return { stream, includeUsage: stream && wire.stream_options?.include_usage === true };
}
