import { describe, expect, it } from 'vitest';
import type { CallContext, ChatBackend } from '../../../src/core/chat-backend.js';
import { collectResult, type ChatEvent } from '../../../src/core/chat-event.js';
import type { ChatRequest } from '../../../src/core/chat-request.js';
import { silentLogger } from '../../../src/core/logger.js';
import { ANONYMOUS } from '../../../src/core/principal.js';
import { responseCache, type CacheLookupResult, type ResponseCacheOptions } from '../../../src/pipeline/response-cache.js';
import type { KvStore } from '../../../src/stores/kv-store.js';
import { createMemoryKvStore } from '../../../src/stores/memory-kv-store.js';

// The cache stage around a scripted backend (the port it wraps): what reaches the backend, what callers get.

const request: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }], sampling: { temperature: 0 } };

function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function scriptedBackend(options: { failMidStream?: boolean } = {}) {
  const calls: Array<{ kind: string; signal: AbortSignal }> = [];
  let release = gate();
  const events = (text: string): ChatEvent[] => [
    { type: 'start', model: 'm', createdAt: new Date(0) },
    { type: 'text-delta', text },
    { type: 'finish', finishReason: 'stop', usage: { promptTokens: 7, completionTokens: 2 } },
  ];
  const backend: ChatBackend = {
    async complete(_request, ctx) {
      calls.push({ kind: 'complete', signal: ctx.signal });
      await release.promise;
      ctx.signal.throwIfAborted();
      return collectResult((async function* () { yield* events(`answer ${calls.length}`); })());
    },
    async *stream(_request, ctx) {
      calls.push({ kind: 'stream', signal: ctx.signal });
      const [start, delta, finish] = events(`answer ${calls.length}`);
      yield start!;
      yield delta!;
      await release.promise;
      ctx.signal.throwIfAborted();
      if (options.failMidStream) throw new Error('upstream broke');
      yield finish!;
    },
    completeText: async () => { throw new Error('unused'); },
    streamText: () => { throw new Error('unused'); },
    async embed(embedRequest, ctx) {
      calls.push({ kind: `embed:${embedRequest.inputs.join('|')}`, signal: ctx.signal });
      return { model: 'e', embeddings: embedRequest.inputs.map((input) => [input.length]), promptTokens: embedRequest.inputs.join('').length };
    },
    listModels: async () => [],
  };
  return { backend, calls, release: () => release.open(), rearm: () => (release = gate()) };
}

function setup(options: Partial<ResponseCacheOptions> = {}, backendOptions = {}) {
  const scripted = scriptedBackend(backendOptions);
  const lookups: CacheLookupResult[] = [];
  const cached = responseCache({
    policy: 'deterministic', ttlMs: 60_000, shareAcrossKeys: false, tiers: [createMemoryKvStore()], onLookup: (result) => lookups.push(result), ...options,
  })(scripted.backend);
  return { ...scripted, cached, lookups };
}

function context(extra: Partial<CallContext> = {}): CallContext & { abort: AbortController } {
  const abort = new AbortController();
  return { signal: abort.signal, requestId: 'r', principal: ANONYMOUS, logger: silentLogger, outcome: {}, abort, ...extra };
}

async function drain(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const seen: ChatEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('responseCache', () => {
  it('answers a repeated request from the cache, marking the prompt as cached', async () => {
    const { cached, calls, release } = setup();
    release();
    const first = context();
    const miss = await cached.complete(request, first);
    const second = context();
    const hit = await cached.complete(request, second);
    expect(calls).toHaveLength(1);
    expect([first.outcome.cache, second.outcome.cache]).toEqual(['miss', 'hit']);
    expect(hit.message.content).toBe(miss.message.content);
    expect(miss.usage.cachedTokens).toBeUndefined();
    expect(hit.usage).toEqual({ promptTokens: 7, completionTokens: 2, cachedTokens: 7 });
  });

  it('shares one upstream call among identical requests in flight, streamed or not', async () => {
    const { cached, calls, release } = setup();
    const results = [cached.complete(request, context()), cached.complete(request, context()), collectResult(cached.stream(request, context()))];
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    const answers = (await Promise.all(results)).map((result) => result.message.content);
    expect(calls).toHaveLength(1);
    expect(new Set(answers).size).toBe(1);
  });

  it('keeps the shared call going while one caller remains, and cancels it when the last one leaves', async () => {
    const { cached, calls, release } = setup();
    const leader = context();
    const joiner = context();
    const led = cached.complete(request, leader);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const joined = cached.complete(request, joiner);
    await new Promise((resolve) => setTimeout(resolve, 5));
    leader.abort.abort(new Error('gone'));
    await expect(led).rejects.toThrow('gone');
    expect(calls[0]!.signal.aborted).toBe(false);
    joiner.abort.abort(new Error('gone too'));
    await expect(joined).rejects.toThrow('gone too');
    expect(calls[0]!.signal.aborted).toBe(true);
    release();
  });

  it('stores a stream only when it finished: a broken stream is not replayed to the next caller', async () => {
    const { cached, calls, release } = setup({}, { failMidStream: true });
    release();
    await expect(drain(cached.stream(request, context()))).rejects.toThrow('upstream broke');
    await expect(drain(cached.stream(request, context()))).rejects.toThrow('upstream broke');
    expect(calls).toHaveLength(2);
  });

  it('replays a stored non-streamed answer as a well-formed stream', async () => {
    const { cached, release } = setup();
    release();
    await cached.complete(request, context());
    const events = await drain(cached.stream(request, context()));
    expect(events.map((event) => event.type)).toEqual(['start', 'text-delta', 'finish']);
  });

  it('passes requests the policy does not cover straight through, marked BYPASS', async () => {
    const { cached, calls, release, lookups } = setup();
    release();
    const ctx = context();
    await cached.complete({ ...request, sampling: { temperature: 0.7 } }, ctx);
    await cached.complete({ ...request, sampling: { temperature: 0.7 } }, context());
    expect(calls).toHaveLength(2);
    expect(ctx.outcome.cache).toBe('bypass');
    expect(lookups).toEqual(['bypass', 'bypass']);
  });

  it('skips the lookup for no-cache but stores the fresh answer; no-store looks up but does not store', async () => {
    const { cached, calls, release } = setup();
    release();
    await cached.complete(request, context({ cacheControl: { noCache: false, noStore: true } }));
    await cached.complete(request, context());
    expect(calls).toHaveLength(2);
    await cached.complete(request, context({ cacheControl: { noCache: true, noStore: false } }));
    expect(calls).toHaveLength(3);
  });

  it('keeps cache scopes per key', async () => {
    const { cached, calls, release } = setup();
    release();
    await cached.complete(request, context({ principal: { id: 'a', kind: 'api-key', scopes: [] } }));
    await cached.complete(request, context({ principal: { id: 'b', kind: 'api-key', scopes: [] } }));
    expect(calls).toHaveLength(2);
  });

  it('treats a failing tier as a miss and reports the error', async () => {
    const broken: KvStore = { ...createMemoryKvStore(), kind: 'redis', get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')) };
    const errors: string[] = [];
    const { cached, calls, release, lookups } = setup({ tiers: [broken], onStoreError: (_error, tier) => errors.push(tier) });
    release();
    const ctx = context();
    const result = await cached.complete(request, ctx);
    expect(result.message.content).toBe('answer 1');
    expect(ctx.outcome.cache).toBe('miss');
    expect(calls).toHaveLength(1);
    expect(lookups).toContain('error');
    expect(errors).toEqual(['redis', 'redis']);
  });

  it('refills the faster tier from a hit in the slower one', async () => {
    const fast = createMemoryKvStore();
    const slow = createMemoryKvStore();
    const first = setup({ tiers: [createMemoryKvStore(), slow] });
    first.release();
    await first.cached.complete(request, context());
    const second = setup({ tiers: [fast, slow] });
    const ctx = context();
    await second.cached.complete(request, ctx);
    expect(ctx.outcome.cache).toBe('hit');
    expect(second.calls).toHaveLength(0);
    await slow.close();
    const third = await second.cached.complete(request, context());
    expect(third.usage.cachedTokens).toBe(7);
  });

  it('embeds only the inputs it has not seen, once each, and answers in the caller\'s order', async () => {
    const { cached, calls } = setup();
    await cached.embed({ model: 'e', inputs: ['aa'] }, context());
    const ctx = context();
    const result = await cached.embed({ model: 'e', inputs: ['bbb', 'aa', 'bbb'] }, ctx);
    expect(calls.map((call) => call.kind)).toEqual(['embed:aa', 'embed:bbb']);
    expect(result.embeddings).toEqual([[3], [2], [3]]);
    expect(ctx.outcome.cache).toBe('miss');
    const hit = context();
    await cached.embed({ model: 'e', inputs: ['aa', 'bbb'] }, hit);
    expect(hit.outcome.cache).toBe('hit');
    expect(calls).toHaveLength(2);
  });

  it('forgets entries after the TTL', async () => {
    let now = 1_000_000;
    const clock = () => now;
    const { cached, calls, release } = setup({ ttlMs: 5_000, now: clock, tiers: [createMemoryKvStore({ now: clock })] });
    release();
    await cached.complete(request, context());
    now += 4_000;
    await cached.complete(request, context());
    expect(calls).toHaveLength(1);
    now += 2_000;
    const ctx = context();
    await cached.complete(request, ctx);
    expect(ctx.outcome.cache).toBe('miss');
    expect(calls).toHaveLength(2);
  });

  it('is not in the way at all when the policy is off', async () => {
    const scripted = scriptedBackend();
    expect(responseCache({ policy: 'off', ttlMs: 1000, shareAcrossKeys: false, tiers: [createMemoryKvStore()] })(scripted.backend)).toBe(scripted.backend);
  });
});
