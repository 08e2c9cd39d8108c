import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/core/errors.js';
import { ollamaChatLineSchema, ollamaGenerateLineSchema } from '../../helpers/ollama-line-schemas.js';
import { readOllamaChatLine, readOllamaGenerateLine } from '../../../src/ollama/read-ollama-line.js';
import { fixtureLines } from './ollama-fixtures.js';

const names = readdirSync(fileURLToPath(new URL('../../fixtures/ollama/', import.meta.url)));
const lines = (prefix: string) =>
  names
    .filter((name) => name.startsWith(prefix) && name.endsWith('.ndjson'))
    .flatMap((name) => fixtureLines(name).map((line, index) => [`${name}:${index + 1}`, line] as const))
    .filter(([, line]) => !(typeof line === 'object' && line !== null && 'error' in line));

describe('stream line readers agree with the zod schemas', () => {
  it.each(lines('chat-'))('accepts %s in both', (_where, line) => {
    expect(ollamaChatLineSchema.safeParse(line).success).toBe(true);
    expect(readOllamaChatLine(line)).toBe(line);
  });

  it.each(lines('generate-'))('accepts %s in both', (_where, line) => {
    expect(ollamaGenerateLineSchema.safeParse(line).success).toBe(true);
    expect(readOllamaGenerateLine(line)).toBe(line);
  });

  const base = { model: 'm', created_at: '2025-01-01T00:00:00Z', done: false };
  it.each([
    ['a non-object', 42],
    ['a line without done', { model: 'm', message: { role: 'assistant', content: '' } }],
    ['a line without message', base],
    ['numeric content', { ...base, message: { role: 'assistant', content: 5 } }],
    ['tool calls without a name', { ...base, message: { role: 'assistant', content: '', tool_calls: [{ function: {} }] } }],
    ['array arguments', { ...base, message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: [] } }] } }],
    ['a string eval_count on the done line', { ...base, done: true, eval_count: '5', message: { role: 'assistant', content: '' } }],
  ])('rejects %s in both', (_name, line) => {
    expect(ollamaChatLineSchema.safeParse(line).success).toBe(false);
    expect(() => readOllamaChatLine(line)).toThrow(UpstreamError);
  });

  it('turns an error line into UpstreamError with Ollama\'s message', () => {
    expect(() => readOllamaGenerateLine({ error: 'model runner has unexpectedly stopped' })).toThrow(
      'model runner has unexpectedly stopped',
    );
  });
});
