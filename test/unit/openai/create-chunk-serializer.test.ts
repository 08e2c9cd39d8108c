import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/core/chat-event.js';
import { createChunkSerializer } from '../../../src/openai/create-chunk-serializer.js';
import { toOpenAIChunks } from '../../../src/openai/to-openai-chunks.js';
import { collect, eventStream, finish, reasoning, start, text } from './chat-events.js';

const meta = { id: 'chatcmpl-"quoted"', created: 1767225600, model: 'deepseek-r1:14b', systemFingerprint: 'fp_test' };
const tricky = ['plain', '', 'quote " and \\ backslash', 'line\nbreak\ttab', 'emoji 🙂 and é', 'lone \ud800 surrogate', '\u0000\u001f', '</script>'];
const events: ChatEvent[] = [
  start,
  ...tricky.map(reasoning),
  ...tricky.map(text),
  { type: 'tool-call', index: 0, call: { id: 'call_1', name: 'f', argumentsJson: '{"a":"\\n"}' } },
  finish('stop'),
];

describe('createChunkSerializer', () => {
  it.each([false, true])('produces exactly JSON.stringify(chunk) for every chunk kind (include_usage %s)', async (includeUsage) => {
    const streamMeta = { ...meta, includeUsage };
    const serialize = createChunkSerializer(streamMeta);
    const chunks = await collect(toOpenAIChunks(eventStream(events), streamMeta));
    for (const chunk of chunks) expect(serialize(chunk)).toBe(JSON.stringify(chunk));
  });

  it('falls back to JSON.stringify for a chunk of another stream', async () => {
    const serialize = createChunkSerializer({ ...meta, includeUsage: false });
    const other = { ...meta, id: 'chatcmpl-other', includeUsage: false };
    const chunks = await collect(toOpenAIChunks(eventStream([start, text('x'), finish()]), other));
    expect(chunks.map(serialize)).toEqual(chunks.map((chunk) => JSON.stringify(chunk)));
  });
});
