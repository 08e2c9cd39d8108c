import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatJson, chatLines, replyJson, replyNdjson, startFakeOllama, type FakeOllama, type FakeToolCall } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The code interpreter through the official SDK: the fake model asks for code, the real sandbox runs it,
// the proxy feeds the result back and the model answers. `plugins` and `system_message` are extra body fields.
const KEY = 'sk-test-master-key-0123456789';
const MODEL = 'deepseek-v3.1:671b';
const SLOW = { timeout: 120_000 };

let fake: FakeOllama;
let app: TestApp;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({
    ollamaUrl: fake.url,
    env: { MASTER_KEY: KEY, CODE_INTERPRETER_ENABLED: 'true', CODE_INTERPRETER_TIMEOUT_MS: '3000', CODE_INTERPRETER_MAX_OUTPUT_BYTES: '2000', PLUGIN_MAX_TOOL_ROUNDS: '2' },
  });
  client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: KEY, maxRetries: 0 });
}, 60_000);
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

interface SentMessage {
  role: string;
  content: string;
  tool_name?: string;
  tool_calls?: { function: { name: string } }[];
}
const chats = () => fake.requests.filter((request) => request.path === '/api/chat').map((request) => request.body as { messages: SentMessage[]; tools?: { function: { name: string } }[] });
const extra = (fields: Record<string, unknown>) => fields as Record<string, never>;
const codeCall = (language: string, code: string): FakeToolCall => ({ name: 'code_interpreter', arguments: { language, code } });
const WEATHER_TOOL = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

describe('code interpreter: non-streamed round trip', SLOW, () => {
  it('runs the Python the model asks for, sends the result back, and returns the final answer', async () => {
    fake.script(
      '/api/chat',
      replyJson(chatJson({ model: MODEL, toolCalls: [codeCall('python', 'sum(range(1, 101))')], promptEvalCount: 10, evalCount: 5 })),
      replyJson(chatJson({ model: MODEL, content: ['The sum is 5050.'], promptEvalCount: 30, evalCount: 7 })),
    );
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'What is 1 + 2 + ... + 100?' }],
      ...extra({ plugins: ['code_interpreter'], system_message: 'Use the code interpreter for arithmetic.' }),
    });
    const [first, second] = chats();
    expect(first!.messages[0]).toMatchObject({ role: 'system', content: 'Use the code interpreter for arithmetic.' });
    expect(first!.tools!.map((tool) => tool.function.name)).toEqual(['code_interpreter']);
    expect(second!.messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ function: { name: 'code_interpreter' } }] });
    expect(second!.messages.at(-1)).toMatchObject({ role: 'tool', tool_name: 'code_interpreter', content: 'status: ok\nresult:\n5050' });
    const choice = completion.choices[0]!;
    expect(choice.message.content).toBe('The sum is 5050.');
    expect(choice.message.tool_calls).toBeUndefined();
    expect(choice.finish_reason).toBe('stop');
    // Shown as reasoning by default: the code and its output.
    const reasoning = (choice.message as { reasoning_content?: string }).reasoning_content ?? '';
    expect(reasoning).toContain('sum(range(1, 101))');
    expect(reasoning).toContain('5050');
    expect(completion.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 });
  });
});

describe('code interpreter: streamed round trip', SLOW, () => {
  it('streams text live and continues on the same stream after the tool run, with one finish and summed usage', async () => {
    fake.script(
      '/api/chat',
      replyNdjson(chatLines({ model: MODEL, content: ['Let me ', 'compute. '], toolCalls: [codeCall('javascript', '[1, 2, 3].map((x) => x * 2).join(",")')], promptEvalCount: 10, evalCount: 4 })),
      replyNdjson(chatLines({ model: MODEL, content: ['Result: ', '2,4,6'], promptEvalCount: 20, evalCount: 2 })),
    );
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'double 1, 2 and 3' }],
      stream: true,
      stream_options: { include_usage: true },
      ...extra({ plugins: ['code_interpreter'] }),
    });
    let content = '';
    let reasoning = '';
    const ids = new Set<string>();
    const finishes: string[] = [];
    const usages: OpenAI.CompletionUsage[] = [];
    let toolCallDeltas = 0;
    for await (const chunk of stream) {
      ids.add(chunk.id);
      if (chunk.usage) usages.push(chunk.usage);
      const choice = chunk.choices[0];
      if (!choice) continue;
      const delta = choice.delta as { content?: string; reasoning_content?: string; tool_calls?: unknown[] };
      content += delta.content ?? '';
      reasoning += delta.reasoning_content ?? '';
      toolCallDeltas += delta.tool_calls?.length ?? 0;
      if (choice.finish_reason) finishes.push(choice.finish_reason);
    }
    expect(content).toBe('Let me compute. Result: 2,4,6');
    expect(reasoning).toContain('[1, 2, 3].map((x) => x * 2)');
    expect(reasoning).toContain('"2,4,6"');
    expect(toolCallDeltas).toBe(0);
    expect(finishes).toEqual(['stop']);
    expect(ids.size).toBe(1);
    expect(usages).toEqual([expect.objectContaining({ prompt_tokens: 30, completion_tokens: 6 })]);
    expect(chats()[1]!.messages.at(-1)).toMatchObject({ role: 'tool', content: 'status: ok\nresult:\n"2,4,6"' });
  });
});

describe('code interpreter: client tools and limits', SLOW, () => {
  it('passes tool calls it does not own to the client unchanged', async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: MODEL, toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] })));
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [WEATHER_TOOL],
      ...extra({ plugins: ['code_interpreter'] }),
    });
    expect(chats()).toHaveLength(1);
    expect(chats()[0]!.tools!.map((tool) => tool.function.name)).toEqual(['get_weather', 'code_interpreter']);
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.tool_calls).toEqual([expect.objectContaining({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } })]);
  });

  it('in a round mixing both, runs its own call (shown) and returns only the client call', async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: MODEL, toolCalls: [codeCall('javascript', '6 * 7'), { name: 'get_weather', arguments: { city: 'Oslo' } }] })));
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'compute and check the weather' }],
      tools: [WEATHER_TOOL],
      ...extra({ plugins: ['code_interpreter'] }),
    });
    expect(chats()).toHaveLength(1);
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.tool_calls!.map((call) => (call as { function: { name: string } }).function.name)).toEqual(['get_weather']);
    expect((choice.message as { reasoning_content?: string }).reasoning_content).toContain('42');
  });

  it('stops after PLUGIN_MAX_TOOL_ROUNDS rounds with finish_reason length', async () => {
    const round = () => replyJson(chatJson({ model: MODEL, toolCalls: [codeCall('javascript', '1 + 1')] }));
    fake.script('/api/chat', round(), round(), round());
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'loop forever' }],
      ...extra({ plugins: ['code_interpreter'] }),
    });
    expect(chats()).toHaveLength(3);
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
  });
});

describe('code interpreter: hostile code', SLOW, () => {
  const CANARY = 'plugin-canary-7f3a9c';
  beforeAll(() => {
    process.env['PLUGIN_CANARY'] = CANARY;
  });
  afterAll(() => {
    delete process.env['PLUGIN_CANARY'];
  });

  // The fake model calls the first tool with the user's message as its code (Python, the first language).
  const runViaModel = async (code: string) => {
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: code }], reasoning_effort: 'none', ...extra({ plugins: ['code_interpreter'] }) });
    const toolMessage = chats().at(-1)!.messages.at(-1)!;
    expect(toolMessage.role).toBe('tool');
    expect(completion.choices[0]!.message.content).toBe(`Tool result: ${toolMessage.content}`);
    expect(JSON.stringify(completion)).not.toContain(CANARY);
    return toolMessage.content;
  };

  it.each([
    ['reading /etc/passwd', 'open("/etc/passwd").read()', /^status: error: (FileNotFoundError|PermissionError)/],
    ['opening a socket', 'import socket\nsocket.create_connection(("127.0.0.1", 80))', /^status: error: ImportError: import of 'socket' is not allowed/],
    ['a memory bomb', 'b = bytearray(512 * 1024 * 1024)', /^status: error: Memory limit exceeded/],
    ['huge output', 'print("x" * 10_000_000)', /^status: ok\nstdout:\nx{100}/],
  ])('returns a clear tool result for %s', async (_name, code, expected) => {
    const result = await runViaModel(code);
    expect(result).toMatch(expected);
    expect(result).not.toContain('root:x:0:0');
    expect(result.length).toBeLessThan(3_000);
  });

  it('does not show the host environment to the code', async () => {
    const result = await runViaModel('import os\nsorted(os.environ)');
    expect(result).toMatch(/^status: ok/);
    expect(result).not.toContain('PLUGIN_CANARY');
  });

  it('keeps serving other requests while an infinite loop runs into its time limit', async () => {
    fake.script('/api/chat', replyJson(chatJson({ model: MODEL, toolCalls: [codeCall('javascript', 'while (true) {}')] })));
    let isHostileDone = false;
    const hostile = client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'spin' }], ...extra({ plugins: ['code_interpreter'] }) })
      .finally(() => (isHostileDone = true));
    await expect.poll(() => chats().length).toBe(1);
    const other = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'still there?' }], reasoning_effort: 'none' });
    expect(other.choices[0]!.message.content).toBe('Echo: still there?');
    expect(isHostileDone).toBe(false);
    const completion = await hostile;
    expect(completion.choices[0]!.message.content).toMatch(/^Tool result: status: error: Timed out after 3000 ms\n/);
  });
});

describe('code interpreter: shown as content', SLOW, () => {
  let shown: TestApp;
  beforeAll(async () => {
    shown = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, CODE_INTERPRETER_ENABLED: 'true', CODE_INTERPRETER_SHOW: 'content', PLUGINS: 'code_interpreter' } });
  });
  afterAll(() => shown.close());

  it('puts the code and its output in fenced blocks in the content, for every request when listed in PLUGINS', async () => {
    fake.script(
      '/api/chat',
      replyNdjson(chatLines({ model: MODEL, toolCalls: [codeCall('javascript', 'console.log("hi"); 40 + 2')] })),
      replyNdjson(chatLines({ model: MODEL, content: ['It is 42.'] })),
    );
    const shownClient = new OpenAI({ baseURL: `${shown.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const stream = await shownClient.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'what is 40 + 2?' }], stream: true });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toBe('\n\n```javascript\nconsole.log("hi"); 40 + 2\n```\n```text\nstatus: ok\nstdout:\nhi\nresult:\n42\n```\n\nIt is 42.');
  });
});
