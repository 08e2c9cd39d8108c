import { describe, expect, it } from 'vitest';
import type { EmbeddingResult } from '../../../src/core/chat-result.js';
import { toOpenAIEmbeddingList } from '../../../src/openai/to-openai-embeddings.js';
import { validateOpenAI } from '../../helpers/openai-schema.js';

const result: EmbeddingResult = {
  model: 'nomic-embed-text:latest',
  embeddings: [
    [0.0023, -0.0093, 0.5, 1e-8],
    [-1, 0, 3.14159, 123456.789],
  ],
  promptTokens: 9,
};

/** What openai-node does with a base64 embedding. */
function decode(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64');
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
}

describe('toOpenAIEmbeddingList', () => {
  it('returns float vectors in input order', () => {
    const list = toOpenAIEmbeddingList(result, 'float', 'text-embedding-ada-002');
    expect(validateOpenAI('CreateEmbeddingResponseFloat', list)).toEqual([]);
    expect(list).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: result.embeddings[0] },
        { object: 'embedding', index: 1, embedding: result.embeddings[1] },
      ],
      model: 'text-embedding-ada-002',
      usage: { prompt_tokens: 9, total_tokens: 9 },
    });
  });

  it('encodes base64 as little-endian float32 that decodes back to the float32-rounded values', () => {
    const list = toOpenAIEmbeddingList(result, 'base64', 'nomic-embed-text');
    expect(validateOpenAI('CreateEmbeddingResponseBase64', list)).toEqual([]);
    list.data.forEach((item, i) => {
      const vector = result.embeddings[i]!;
      expect(typeof item.embedding).toBe('string');
      expect(Buffer.from(item.embedding as string, 'base64')).toHaveLength(vector.length * 4);
      expect(decode(item.embedding as string)).toEqual(vector.map(Math.fround));
    });
  });
});
