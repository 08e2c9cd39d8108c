import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLAUDE_CODE_ANSWER, CLAUDE_CODE_COMMAND, claudeCodeReplies } from '../agents/claude-code-script.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The two requests Claude Code 2.1 sent in test/agents/claude-code.test.ts (recorded with
// RECORD_CLAUDE_FIXTURES=1), replayed with their headers: what the agent needs from each answer, without its binary.

interface Recorded {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown> & { messages: unknown[]; tools: unknown[] };
}

const KEY = 'sk-test-master-key-claude-replay';
const load = (turn: number): Recorded => JSON.parse(readFileSync(new URL(`../fixtures/anthropic/claude-code/turn-${turn}.json`, import.meta.url), 'utf8')) as Recorded;
// Hop-by-hop and per-connection headers are not part of what the agent asks.
const DROPPED = new Set(['host', 'content-length', 'connection', 'x-api-key', 'accept-encoding']);

let fake: FakeOllama;
let app: TestApp;
beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, CACHE_POLICY: 'off' } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

function replay(recorded: Recorded, body: Record<string, unknown> = recorded.body): Promise<Response> {
  const headers = Object.fromEntries(Object.entries(recorded.headers).filter(([name]) => !DROPPED.has(name)));
  return fetch(`${app.url}${recorded.url}`, { method: 'POST', headers: { ...headers, 'x-api-key': KEY }, body: JSON.stringify(body) });
}

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

function events(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.startsWith('event: '))
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      return { event: eventLine!.slice('event: '.length), data: JSON.parse(dataLine!.slice('data: '.length)) as Record<string, unknown> };
    });
}

const sentToOllama = () => fake.requests.filter((request) => request.path === '/api/chat').at(-1)!.body as { messages: { role: string; content: string; tool_name?: string }[]; tools: unknown[]; think: unknown; options: Record<string, unknown> };

describe('Claude Code replay', () => {
  it('turn 1: streams message_start, content blocks and a Bash tool_use, each event named by its event line', async () => {
    fake.script('/api/chat', claudeCodeReplies(true)[0]!);
    const res = await replay(load(1));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = events(await res.text());
    for (const { event, data } of stream) expect(data.type).toBe(event);
    expect(stream.map((entry) => entry.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(stream[4]!.data).toMatchObject({ content_block: { type: 'tool_use', name: 'Bash', id: expect.stringMatching(/^toolu_/) } });
    expect(JSON.parse((stream[5]!.data.delta as { partial_json: string }).partial_json)).toMatchObject({ command: CLAUDE_CODE_COMMAND });
    expect(stream[7]!.data).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) } });
  });

  it('turn 1: gives Ollama the system blocks, the in-place system message, every tool, and no think (the model decides)', async () => {
    fake.script('/api/chat', claudeCodeReplies(true)[0]!);
    const recorded = load(1);
    await (await replay(recorded)).text();
    const sent = sentToOllama();
    expect(sent.messages.map((message) => message.role)).toEqual(['system', 'user', 'system']);
    expect(sent.messages[2]!.content).toMatch(/^# Environment/);
    expect(sent.tools).toHaveLength(recorded.body.tools.length);
    // Claude Code's `thinking: {type: "adaptive"}` leaves the choice to the model: no `think` is sent.
    expect(sent).not.toHaveProperty('think');
    expect(sent.options).toMatchObject({ num_predict: recorded.body.max_tokens });
  });

  it('turn 2: sends the Bash result back as a tool message and streams the final text with end_turn', async () => {
    fake.script('/api/chat', claudeCodeReplies(true)[1]!);
    const stream = events(await (await replay(load(2))).text());
    const text = stream
      .filter((entry) => entry.event === 'content_block_delta')
      .map((entry) => (entry.data.delta as { text: string }).text)
      .join('');
    expect(text).toBe(CLAUDE_CODE_ANSWER);
    expect(stream.at(-2)!.data).toMatchObject({ delta: { stop_reason: 'end_turn' } });
    const sent = sentToOllama();
    expect(sent.messages.at(-1)).toEqual(expect.objectContaining({ role: 'tool', content: 'proxy-ok', tool_name: 'Bash' }));
  });

  it('answers the non-streamed fallback Claude Code uses when a stream fails', async () => {
    fake.script('/api/chat', claudeCodeReplies(false)[0]!);
    const recorded = load(1);
    const res = await replay(recorded, { ...recorded.body, stream: false });
    const message = (await res.json()) as { type: string; stop_reason: string; content: { type: string; name?: string; input?: unknown }[] };
    expect(message).toMatchObject({ type: 'message', stop_reason: 'tool_use' });
    expect(message.content.at(-1)).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: CLAUDE_CODE_COMMAND } });
  });

  it('counts the tokens of a recorded request', async () => {
    const { max_tokens: _max, stream: _stream, metadata: _metadata, context_management: _context, ...countable } = load(1).body;
    const res = await fetch(`${app.url}/v1/messages/count_tokens?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify(countable),
    });
    const { input_tokens: tokens } = (await res.json()) as { input_tokens: number };
    // About four characters per token before any calibration: a ~48 kB request is several thousand tokens.
    expect(tokens).toBeGreaterThan(5000);
    expect(tokens).toBeLessThan(20000);
  });
});
