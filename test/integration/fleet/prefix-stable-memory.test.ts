import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { sentChats, SESSION_MODEL, type SentChat } from '../../helpers/session-chat.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// Session memory keeps the prompt's prefix byte-identical from turn to turn until the window overflows and drops
// a block (MEMORY_WINDOW_LOW_WATER), so Ollama's KV cache serves the history; the reuse Ollama reports
// (prompt_eval_cached_count, since 0.33.3) reaches the client as usage.prompt_tokens_details.cached_tokens.

const TURNS = 20;

/** The JSON of the messages without the closing bracket: a later prompt that starts the same way starts with it. */
const openPrefix = (chat: SentChat): string => JSON.stringify(chat.messages).slice(0, -1);

/** Turns (1-based) whose prompt does not start with the whole previous prompt. */
function prefixBreaks(chats: readonly SentChat[]): number[] {
  const breaks: number[] = [];
  for (let index = 1; index < chats.length; index++) {
    if (!JSON.stringify(chats[index]!.messages).startsWith(openPrefix(chats[index - 1]!))) breaks.push(index + 1);
  }
  return breaks;
}

describe('prefix-stable session memory', () => {
  let fake: FakeOllama;
  let app: TestApp | undefined;
  beforeAll(async () => {
    fake = await startFakeOllama({ version: '0.33.3' });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    fake.reset();
  });
  afterAll(async () => {
    await fake.close();
  });

  async function converse(env: Record<string, string>, session: string) {
    app = await startTestApp({ ollamaUrl: fake.url, env: { MEMORY_SIZE: '600', MEMORY_WINDOW_SIZE: '300', ...env } });
    const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-session-id': session } });
    const cached: number[] = [];
    const prompt: number[] = [];
    for (let n = 1; n <= TURNS; n++) {
      const messages = [
        ...(n === 1 ? [{ role: 'system' as const, content: 'You are terse.' }] : []),
        { role: 'user' as const, content: `question number ${n} about the weather in a city somewhere` },
      ];
      const answer = await client.chat.completions.create({ model: SESSION_MODEL, messages, reasoning_effort: 'none' } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      cached.push(answer.usage?.prompt_tokens_details?.cached_tokens ?? -1);
      prompt.push(answer.usage?.prompt_tokens ?? 0);
    }
    return { chats: sentChats(fake), cached, prompt };
  }

  it('sends a prompt that starts byte for byte like the previous one for several turns, then drops a block', async () => {
    const { chats } = await converse({}, 'blocks');
    expect(chats).toHaveLength(TURNS);
    const breaks = prefixBreaks(chats);
    // About 39 tokens a turn against a 300-token window: full after 7 turns, and a drop keeps 60 % (4 turns),
    // so the prefix breaks once every 3 or 4 turns.
    expect(breaks.length).toBeGreaterThanOrEqual(2);
    expect(breaks.length).toBeLessThanOrEqual(Math.ceil(TURNS / 3));
    for (const turn of breaks) {
      // A drop sends less history than the turn before it did (pinned system message and the new question aside).
      expect(chats[turn - 1]!.messages.length).toBeLessThan(chats[turn - 2]!.messages.length + 2);
      expect(chats[turn - 1]!.messages[0]).toEqual({ role: 'system', content: 'You are terse.' });
    }
    const stable = Array.from({ length: TURNS - 1 }, (_, index) => index + 2).filter((turn) => !breaks.includes(turn));
    expect(stable.length).toBeGreaterThanOrEqual(TURNS / 2 - 1);
  });

  it('drops one turn per turn once full with MEMORY_WINDOW_LOW_WATER=1 (the prefix changes every turn)', async () => {
    const { chats } = await converse({ MEMORY_WINDOW_LOW_WATER: '1' }, 'one-by-one');
    const breaks = prefixBreaks(chats);
    const firstBreak = breaks[0]!;
    expect(firstBreak).toBeLessThanOrEqual(TURNS - 5);
    expect(breaks).toEqual(Array.from({ length: TURNS - firstBreak + 1 }, (_, index) => index + firstBreak));
  });

  it("reports Ollama's prompt-cache reuse as cached_tokens on the turns whose prefix held", async () => {
    const { chats, cached, prompt } = await converse({}, 'cached');
    const breaks = prefixBreaks(chats);
    expect(breaks.length).toBeGreaterThan(0);
    expect(cached[0]).toBe(0);
    for (let turn = 2; turn <= TURNS; turn++) {
      const [now, before] = [cached[turn - 1]!, prompt[turn - 2]!];
      // Held: (nearly) the whole previous prompt comes from the cache. Dropped: only the pinned system message.
      if (breaks.includes(turn)) expect(now).toBeLessThan(before / 4);
      else expect(now).toBeGreaterThanOrEqual(before * 0.9);
    }
  });
});
