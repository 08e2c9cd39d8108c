import type { EmbeddingResult } from '../core/chat-result.js';
import type { OpenAIEmbedding, OpenAIEmbeddingList } from './openai-wire.js';
import type { OpenAIEncodingFormat } from './to-embedding-request.js';

/** Canonical embeddings → `/v1/embeddings` body; `data[i].index` is the input position. */
export function toOpenAIEmbeddingList(
  result: EmbeddingResult,
  encodingFormat: OpenAIEncodingFormat,
  model: string,
): OpenAIEmbeddingList {
  const data = result.embeddings.map(
    (vector, index): OpenAIEmbedding => ({
      object: 'embedding',
      index,
      embedding: encodingFormat === 'base64' ? toBase64Float32(vector) : vector,
    }),
  );
  return {
    object: 'list',
    data,
    model,
    usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
  };
}

/**
 * openai-node requests base64 by default and decodes it as a Float32Array over the bytes, so this
 * must be standard base64 of little-endian IEEE-754 float32 values, 4 bytes each, nothing else.
 */
export function toBase64Float32(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes.toString('base64');
}
