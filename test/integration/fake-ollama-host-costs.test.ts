import { afterEach, describe, expect, it } from 'vitest';
import { fakeModel, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';

// The fake playing one host of a fleet: a KV cache per parallel slot (a prompt that starts like the one a slot
// holds is evaluated only past the shared prefix), evaluated prompt tokens counted per host, a bound on loaded
// models, and requests for models the host lacks counted.

type Json = Record<string, unknown>;
type Message = { role: string; content: string };

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function chat(host: FakeOllama, model: string, messages: Message[]): Promise<Json> {
  const response = await fetch(`${host.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model, messages, stream: false, think: false }) });
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

const turn = (topic: string, n: number): Message[] =>
  Array.from({ length: n }, (_, i) => [
    { role: 'user', content: `${topic} question ${i + 1} with enough words to count as several tokens` },
    { role: 'assistant', content: `${topic} answer ${i + 1} with enough words to count as several tokens` },
  ]).flat().slice(0, 2 * n - 1);

/** Two conversations interleaved on one model: A1, B1, A2, B2. Returns the cached counts of A2 and B2. */
async function interleave(host: FakeOllama): Promise<number[]> {
  const model = 'qwen3:8b';
  await chat(host, model, turn('alpha', 1));
  await chat(host, model, turn('beta', 1));
  const a2 = await chat(host, model, turn('alpha', 2));
  const b2 = await chat(host, model, turn('beta', 2));
  return [a2, b2].map((answer) => answer['prompt_eval_cached_count'] as number);
}

describe('fake Ollama as a fleet host', () => {
  it('keeps one KV cache per parallel slot: two interleaved conversations both reuse their prefix with maxParallel 2', async () => {
    fake = await startFakeOllama({ version: '0.33.3', maxParallel: 2 });
    const [a2, b2] = await interleave(fake);
    expect(a2).toBeGreaterThan(10);
    expect(b2).toBeGreaterThan(10);
  });

  it('with one slot the conversations evict each other, so nothing is reused', async () => {
    fake = await startFakeOllama({ version: '0.33.3', maxParallel: 1 });
    expect(await interleave(fake)).toEqual([0, 0]);
  });

  it('counts evaluated prompt tokens per host: prompt_eval_count includes the cached ones, the counter does not', async () => {
    fake = await startFakeOllama({ version: '0.33.3' });
    const first = await chat(fake, 'qwen3:8b', turn('alpha', 1));
    const second = await chat(fake, 'qwen3:8b', turn('alpha', 2));
    const [p1, p2] = [first['prompt_eval_count'] as number, second['prompt_eval_count'] as number];
    const cached = second['prompt_eval_cached_count'] as number;
    expect(cached).toBeGreaterThan(0);
    expect(p2).toBeGreaterThan(cached);
    expect(fake.promptTokens).toEqual({ evaluated: p1 + p2 - cached, cached });
    fake.reset();
    expect(fake.promptTokens).toEqual({ evaluated: 0, cached: 0 });
  });

  it('holds at most maxLoaded models: loading another unloads the least recently used, which then loads cold again', async () => {
    fake = await startFakeOllama({ models: [fakeModel('a:1b'), fakeModel('b:1b'), fakeModel('c:1b')], maxLoaded: 2 });
    for (const model of ['a:1b', 'b:1b', 'a:1b', 'c:1b']) await chat(fake, model, turn('x', 1));
    expect(fake.loaded.map((entry) => entry.name).sort()).toEqual(['a:1b', 'c:1b']);
    expect(fake.coldLoads).toBe(3);
    await chat(fake, 'b:1b', turn('x', 1));
    expect(fake.coldLoads).toBe(4);
  });

  it('counts generation requests for a model the host does not have', async () => {
    fake = await startFakeOllama({ models: [fakeModel('a:1b')] });
    const response = await fetch(`${fake.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'b:1b', messages: turn('x', 1), stream: false }) });
    expect(response.status).toBe(404);
    await chat(fake, 'a:1b', turn('x', 1));
    expect(fake.missingModelRequests).toBe(1);
  });
});
