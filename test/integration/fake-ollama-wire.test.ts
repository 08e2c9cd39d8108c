// Cross-checks the fake's default output against the recorded Ollama fixtures (same fields on each
// kind of line) and the project's own wire schemas, so the fake cannot drift from what the backend parses.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ollamaChatLineSchema, ollamaGenerateLineSchema } from '../helpers/ollama-line-schemas.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';

type Json = Record<string, unknown>;

const fixtureText = (name: string): string => readFileSync(new URL(`../fixtures/ollama/${name}`, import.meta.url), 'utf8');
const parseLines = (text: string): Json[] => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Json);
const fixture = (name: string): Json[] => parseLines(fixtureText(name));
/** Field names of a line and of its message, order-insensitive. */
const shape = (line: Json | undefined): string[] => {
  const message = (line?.['message'] ?? {}) as Json;
  return [...Object.keys(line ?? {}), ...Object.keys(message).map((k) => `message.${k}`)].sort();
};

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());

const post = async (path: string, body: unknown): Promise<Response> =>
  fetch(`${fake.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
const streamed = async (path: string, body: unknown): Promise<Json[]> => parseLines(await (await post(path, body)).text());
const tools = [{ type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }];

describe('fake Ollama wire shapes match the recorded fixtures', () => {
  it('chat: thinking, content and done lines have the recorded fields', async () => {
    const lines = await streamed('/api/chat', { model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'hi' }] });
    const recorded = fixture('chat-thinking.ndjson');
    expect(shape(lines[0])).toEqual(shape(recorded[0]));
    expect(shape(lines.find((l) => (l['message'] as Json)['thinking'] === undefined))).toEqual(shape(recorded[3]));
    expect(shape(lines.at(-1))).toEqual(shape(recorded.at(-1)));
    for (const line of lines) expect(ollamaChatLineSchema.safeParse(line).success).toBe(true);
  });

  it('chat: a tool-call line has the recorded fields', async () => {
    const lines = await streamed('/api/chat', { model: 'qwen3:8b', think: false, messages: [{ role: 'user', content: 'time?' }], tools });
    const call = lines.find((l) => (l['message'] as Json)['tool_calls'] !== undefined);
    const recorded = fixture('chat-tool-call.ndjson')[2];
    expect(shape(call)).toEqual(shape(recorded));
    const calls = (m: Json | undefined): unknown => ((m?.['message'] as Json)['tool_calls'] as Json[]).map((c) => Object.keys(c).sort());
    expect(calls(call)).toEqual(calls(recorded));
  });

  it('chat with stream:false has the fields of the recorded non-streamed body', async () => {
    const body = (await (await post('/api/chat', { model: 'qwen3:8b', think: false, stream: false, messages: [{ role: 'user', content: 'x' }] })).json()) as Json;
    expect(shape(body)).toEqual(shape(JSON.parse(fixtureText('chat-basic.json')) as Json));
  });

  it('generate: response and done lines have the recorded fields (plus the deprecated context)', async () => {
    const lines = await streamed('/api/generate', { model: 'deepseek-coder-v2:16b', prompt: 'def fib(n):', suffix: '\n' });
    const recorded = fixture('generate-fim.ndjson');
    expect(shape(lines[0])).toEqual(shape(recorded[0]));
    expect(shape(lines.at(-1))).toEqual([...shape(recorded.at(-1)), 'context'].sort());
    for (const line of lines) expect(ollamaGenerateLineSchema.safeParse(line).success).toBe(true);
  });

  it('embed and tags have the recorded fields', async () => {
    const embed = (await (await post('/api/embed', { model: 'nomic-embed-text', input: ['a'] })).json()) as Json;
    expect(shape(embed)).toEqual(shape(JSON.parse(fixtureText('embed.json')) as Json));
    const tags = (await (await fetch(`${fake.url}/api/tags`)).json()) as { models: Json[] };
    const recorded = (JSON.parse(fixtureText('tags.json')) as { models: Json[] }).models[0];
    expect(shape(tags.models[0])).toEqual(shape(recorded));
  });

  it('serves a scripted fixture byte for byte', async () => {
    const text = fixtureText('chat-error-midstream.ndjson');
    fake.script('/api/chat', { kind: 'ndjson', lines: text.split('\n') });
    expect(await (await post('/api/chat', { model: 'deepseek-r1:8b' })).text()).toBe(text.endsWith('\n') ? text : `${text}\n`);
  });
});
