import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { codexFinalReply, codexToolCallReply } from '../agents/codex-replies.js';

// Requests the real Codex CLI sent (recorded by test/agents/codex.test.ts), replayed without the agent: the
// stream must carry what Codex reads (each item's output_item.done, a terminal response.completed with an id).

interface Fixture {
  path: string;
  headers: Record<string, string>;
  body: { model: string; tools: unknown[]; input: unknown[] };
}
interface StreamEvent {
  type: string;
  sequence_number: number;
  item?: { type: string; name?: string; input?: string; call_id?: string; content?: { text: string }[] };
  response?: { id: string; status: string };
}
interface SentChat {
  model: string;
  messages: { role: string; content: string; tool_name?: string; tool_calls?: { function: { name: string; arguments: unknown } }[] }[];
  tools: { function: { name: string; description?: string; parameters?: unknown } }[];
  think?: unknown;
}

const load = (name: string): Fixture => JSON.parse(readFileSync(new URL(`../fixtures/codex/${name}.request.json`, import.meta.url), 'utf8')) as Fixture;

let fake: FakeOllama;
let app: TestApp;
beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

async function replay(fixture: Fixture, model = fixture.body.model): Promise<{ status: number; warning: string | null; events: StreamEvent[]; raw: string }> {
  const response = await fetch(`${app.url}${fixture.path}`, {
    method: 'POST',
    headers: { ...fixture.headers, authorization: 'Bearer sk-any' },
    body: JSON.stringify({ ...fixture.body, model }),
  });
  const raw = await response.text();
  const events = raw
    .split('\n\n')
    .filter((frame) => frame.includes('data: '))
    .map((frame) => JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as StreamEvent);
  return { status: response.status, warning: response.headers.get('x-proxy-warning'), events, raw };
}

const lastChat = (): SentChat => fake.requests.filter((request) => request.path === '/api/chat').at(-1)!.body as SentChat;

describe('Codex CLI requests, replayed', () => {
  it("turn 1: flattens Codex's tools, drops web_search with a warning, and streams the exec_command call", async () => {
    fake.script('/api/chat', codexToolCallReply('ls'));
    const { status, warning, events, raw } = await replay(load('exec-turn-1'));
    expect(status).toBe(200);
    expect(warning).toContain("hosted tool 'web_search'");
    expect(raw).toMatch(/^event: response\.created\ndata: /);
    expect(raw).not.toContain('[DONE]');
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    const done = events.filter((event) => event.type === 'response.output_item.done');
    expect(done.map((event) => event.item)).toEqual([expect.objectContaining({ type: 'function_call', name: 'exec_command', call_id: 'call_codex01' })]);
    expect(events.at(-1)).toMatchObject({ type: 'response.completed', response: { id: expect.stringMatching(/^resp_/), status: 'completed' } });

    const sent = lastChat();
    const names = sent.tools.map((tool) => tool.function.name);
    expect(names).toContain('exec_command');
    expect(names).toContain('multi_agent_v1__spawn_agent');
    expect(names).not.toContain('web_search');
    // Developer messages become system messages, in order, before the user's task.
    expect(sent.messages.map((message) => message.role)).toEqual(['system', 'system', 'user', 'user']);
  });

  it('turn 2: sends the command output back as a tool message and streams the final text as a message item', async () => {
    fake.script('/api/chat', codexFinalReply('All done.'));
    const { events } = await replay(load('exec-turn-2'));
    const sent = lastChat();
    expect(sent.messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ function: { name: 'exec_command', arguments: { cmd: "printf 'hi from codex' > hello.txt" } } }] });
    expect(sent.messages.at(-1)).toMatchObject({ role: 'tool', tool_name: 'exec_command', content: expect.stringContaining('Process exited with code 0') });
    const done = events.find((event) => event.type === 'response.output_item.done');
    expect(done?.item).toMatchObject({ type: 'message', content: [{ text: 'All done.' }] });
    expect(events.at(-1)?.type).toBe('response.completed');
  });

  it("catalog model request: offers the free-form apply_patch as a one-string function and answers with a custom_tool_call", async () => {
    const fixture = load('catalog-model-turn-1');
    const patch = '*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch';
    const callLine = { model: 'deepseek-v3.1:671b', created_at: new Date().toISOString(), message: { role: 'assistant', content: '', tool_calls: [{ id: 'call_patch1', function: { index: 0, name: 'apply_patch', arguments: { input: patch } } }] }, done: false };
    const doneLine = { model: 'deepseek-v3.1:671b', created_at: new Date().toISOString(), message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 10, eval_count: 10 };
    fake.script('/api/chat', { kind: 'ndjson', lines: [callLine, doneLine] });
    // Model names are aliases' business (issue 16); the catalog request is replayed with a DeepSeek name.
    const { status, warning, events } = await replay(fixture, 'deepseek-v3.1:671b');
    expect(status).toBe(200);
    expect(warning).toContain("hosted tool 'tool_search'");
    const applyPatch = lastChat().tools.find((tool) => tool.function.name === 'apply_patch');
    expect(applyPatch?.function.parameters).toEqual({ type: 'object', properties: { input: { type: 'string' } }, required: ['input'] });
    expect(applyPatch?.function.description).toContain('lark grammar');
    // reasoning.effort "medium" reached the model (as a level or on/off, as the model's dialect takes it).
    expect(['medium', true]).toContain(lastChat().think);
    const done = events.filter((event) => event.type === 'response.output_item.done').map((event) => event.item);
    expect(done).toEqual([{ type: 'custom_tool_call', id: expect.stringMatching(/^ctc_/), call_id: 'call_patch1', name: 'apply_patch', input: patch }]);
    expect(events.map((event) => event.type)).toContain('response.custom_tool_call_input.done');
  });
});
