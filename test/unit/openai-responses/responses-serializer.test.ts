import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/core/chat-event.js';
import type { ResponsesStreamEvent } from '../../../src/openai-responses/responses-output.js';
import { createResponsesSerializer } from '../../../src/openai-responses/responses-serializer.js';
import { toChatRequest } from '../../../src/openai-responses/to-chat-request.js';
import { createResponsesEncoder } from '../../../src/openai-responses/to-response-events.js';
import { counterIds, fixedMeta } from './meta.js';

describe('createResponsesSerializer', () => {
  it('writes every event of a stream byte for byte as JSON.stringify does', () => {
    const call = toChatRequest({ model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }] }, counterIds());
    const encoder = createResponsesEncoder(fixedMeta(call));
    const events: ChatEvent[] = [
      { type: 'start', model: 'm', createdAt: new Date(0) },
      { type: 'reasoning-delta', text: 'think "hard"' },
      { type: 'reasoning-delta', text: '\n\u2028next' },
      { type: 'text-delta', text: 'Héllo \\ "world"' },
      { type: 'text-delta', text: '😀' },
      { type: 'tool-call', index: 0, call: { id: 'call_1', name: 'f', argumentsJson: '{}' } },
      { type: 'text-delta', text: 'after the call' },
      { type: 'finish', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2 } },
    ];
    const out: ResponsesStreamEvent[] = [];
    for (const event of events) encoder.map(event, out);
    const serialize = createResponsesSerializer();
    expect(out.length).toBeGreaterThan(20);
    for (const event of out) expect(serialize(event)).toBe(JSON.stringify(event));
  });
});
