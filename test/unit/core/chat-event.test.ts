import { describe, expect, it } from 'vitest';
import { collectResult, foldEvents, replayEvents, type ChatEvent } from '../../../src/core/chat-event.js';
import type { ChatResult } from '../../../src/core/chat-result.js';

// One fold for events at hand and for live streams; replayEvents turns a result back into the events.
const result: ChatResult = {
  model: 'deepseek-r1:8b',
  createdAt: new Date('2025-01-01T00:00:00Z'),
  message: { role: 'assistant', content: 'Paris', reasoning: 'The capital…', toolCalls: [{ id: 'call_1', name: 'lookup', argumentsJson: '{"q":"x"}' }] },
  finishReason: 'tool_calls',
  usage: { promptTokens: 5, completionTokens: 3 },
  logprobs: [{ token: 'Paris', logprob: -0.1 }],
};

async function listOf(stream: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('foldEvents and collectResult', () => {
  it('give back the result its events were replayed from, from an array and from a stream alike', async () => {
    const events = await listOf(replayEvents(result));
    expect(foldEvents(events)).toEqual(result);
    expect(await collectResult(replayEvents(result))).toEqual(result);
  });

  it('stop at finish, and say when there is none', async () => {
    const events = await listOf(replayEvents(result));
    const unfinished = events.slice(0, -1);
    expect(foldEvents([...events, { type: 'text-delta', text: ' ignored' }])?.message.content).toBe('Paris');
    expect(foldEvents(unfinished)).toBeUndefined();
    await expect(collectResult((async function* () { yield* unfinished; })())).rejects.toThrow('without a finish event');
  });
});

describe('stopSequence', () => {
  it('goes from the finish event into the result and back into the replayed finish event', async () => {
    const stopped: ChatResult = { ...result, message: { role: 'assistant', content: 'Paris' }, finishReason: 'stop', stopSequence: '\n\n' };
    const events = await listOf(replayEvents(stopped));
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: result.usage, stopSequence: '\n\n' });
    expect(await collectResult(replayEvents(stopped))).toEqual(stopped);
    expect(foldEvents(await listOf(replayEvents(result)))).not.toHaveProperty('stopSequence');
  });
});
