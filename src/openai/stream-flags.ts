// How to answer (JSON or SSE) for chat and legacy completions, read from the same parsed body as the request.
// Decided from the body only: the openai SDK sends `Accept: application/json` even for streaming requests.

export interface StreamFlags {
  stream: boolean;
  /** stream_options.include_usage; meaningless (false) without stream. */
  includeUsage: boolean;
}

interface WireStreamFields {
  stream?: boolean | null | undefined;
  stream_options?: { include_usage?: boolean | null | undefined } | null | undefined;
}

export function toStreamFlags(wire: WireStreamFields): StreamFlags {
  const stream = wire.stream === true;
  return { stream, includeUsage: stream && wire.stream_options?.include_usage === true };
}
