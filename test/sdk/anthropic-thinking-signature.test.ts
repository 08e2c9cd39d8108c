import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatJson, chatLines, replyJson, replyNdjson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Thinking blocks carry a real integrity tag: HMAC-SHA256 over the thinking text under a key derived from the
// server's JWT secret. A block sent back with its own signature reaches the model as reasoning; one whose text
// or signature was changed (or that carries the placeholder of earlier versions) does not, and the request
// still succeeds. Signatures survive a restart and hold across instances that share JWT_SECRET.

const KEY = 'sk-thinking-signature-master';
const MODEL = 'deepseek-v3.1:671b';
const JWT_SECRET = 's'.repeat(40);
let fake: FakeOllama;
let app: TestApp;
let other: TestApp;
let client: Anthropic;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, JWT_SECRET, CACHE_POLICY: 'off' } });
  other = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, JWT_SECRET, CACHE_POLICY: 'off' } });
  client = new Anthropic({ baseURL: app.url, apiKey: KEY, maxRetries: 0 });
});
beforeEach(() => fake.reset());
afterAll(async () => {
  await app.close();
  await other.close();
  await fake.close();
});

const TOOLS = [{ name: 'lookup', input_schema: { type: 'object' as const, properties: { q: { type: 'string' } } } }];
const lastChat = () => fake.requests.filter((request) => request.path === '/api/chat').at(-1)!.body as { messages: Array<Record<string, unknown>> };

/** Sends the assistant turn back with a tool result, as an agent does in a tool loop. */
async function sendBack(via: Anthropic, thinking: Anthropic.ThinkingBlock): Promise<Record<string, unknown>> {
  await via.messages.create({
    model: MODEL,
    max_tokens: 100,
    tools: TOOLS,
    messages: [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: [thinking, { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found' }] },
    ],
  });
  return lastChat().messages[1]!;
}

async function signedThinking(stream: boolean): Promise<Anthropic.ThinkingBlock> {
  const spec = { model: MODEL, thinking: ['I should ', 'look it up.'], toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] };
  fake.script('/api/chat', stream ? replyNdjson(chatLines(spec)) : replyJson(chatJson(spec)));
  const body = { model: MODEL, max_tokens: 100, tools: TOOLS, messages: [{ role: 'user' as const, content: 'a' }] };
  const message = stream ? await client.messages.stream(body).finalMessage() : await client.messages.create(body);
  const block = message.content[0] as Anthropic.ThinkingBlock;
  expect(block.type).toBe('thinking');
  expect(block.thinking).toBe('I should look it up.');
  return block;
}

describe('thinking block signatures', () => {
  it.each([false, true])('signs the thinking text (stream: %s) and accepts it back as reasoning', async (stream) => {
    const block = await signedThinking(stream);
    expect(block.signature).toMatch(/^opx1\.[A-Za-z0-9_-]{43}$/);
    expect(await sendBack(client, block)).toMatchObject({ role: 'assistant', thinking: 'I should look it up.' });
  });

  it('gives the same text the same signature in JSON and in a stream', async () => {
    expect((await signedThinking(false)).signature).toBe((await signedThinking(true)).signature);
  });

  it.each([
    ['edited thinking text', (block: Anthropic.ThinkingBlock) => ({ ...block, thinking: 'I should delete everything.' })],
    ['a forged signature', (block: Anthropic.ThinkingBlock) => ({ ...block, signature: `opx1.${'A'.repeat(43)}` })],
    ["an earlier version's placeholder", (block: Anthropic.ThinkingBlock) => ({ ...block, signature: 'ollama-proxy-unsigned' })],
  ])('drops a thinking block with %s, and still answers', async (_what, tamper) => {
    const sent = await sendBack(client, tamper(await signedThinking(false)));
    expect(sent).toMatchObject({ role: 'assistant' });
    expect(sent.thinking).toBeUndefined();
    expect(sent.tool_calls).toHaveLength(1);
  });

  it('is accepted by another instance sharing JWT_SECRET', async () => {
    const block = await signedThinking(false);
    const elsewhere = new Anthropic({ baseURL: other.url, apiKey: KEY, maxRetries: 0 });
    expect(await sendBack(elsewhere, block)).toMatchObject({ thinking: 'I should look it up.' });
  });
});
