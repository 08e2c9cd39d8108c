// Per-event and per-request cost of the chat pipeline's stages around a backend that answers at once (no I/O).
// Run: npx tsc -p tsconfig.bench.json && node bench/.build/bench/pipeline-bench.js [events per stream] [streams]
import { enforceModelAccess } from '../src/access/model-access-middleware.js';
import type { CallContext, ChatBackend } from '../src/core/chat-backend.js';
import type { ChatEvent } from '../src/core/chat-event.js';
import { composeBackend } from '../src/core/chat-middleware.js';
import type { ChatRequest } from '../src/core/chat-request.js';
import { silentLogger } from '../src/core/logger.js';
import { ANONYMOUS } from '../src/core/principal.js';
import { modelResolution } from '../src/pipeline/model-resolution.js';
import { responseCache } from '../src/pipeline/response-cache.js';
import { sessionMemory } from '../src/pipeline/session-memory.js';
import { stopSequences } from '../src/pipeline/stop-sequences.js';
import type { SessionRegistry } from '../src/pipeline/session-memory/session-registry.js';
import { emptyPluginRegistry } from '../src/plugins/plugin-registry.js';
import { pluginsMiddleware } from '../src/plugins/run-plugins.js';
import { createMemoryKvStore } from '../src/stores/memory-kv-store.js';

const perStream = Number(process.argv[2] ?? 200);
const streams = Number(process.argv[3] ?? 20_000);
const events: ChatEvent[] = [{ type: 'start', model: 'm:1b', createdAt: new Date(0) }];
for (let i = 0; i < perStream; i++) events.push({ type: 'text-delta', text: ' token' });
events.push({ type: 'finish', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: perStream } });

function eventsNow(): AsyncIterable<ChatEvent> {
  let index = 0;
  return { [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(index < events.length ? { done: false, value: events[index++]! } : { done: true, value: undefined }) }) };
}
const upstream = {
  complete: () => Promise.reject(new Error('unused')),
  stream: () => eventsNow(),
  completeText: () => Promise.reject(new Error('unused')),
  streamText: () => eventsNow(),
  embed: () => Promise.reject(new Error('unused')),
  listModels: async () => [],
} as ChatBackend;
const pipeline = composeBackend(
  upstream,
  modelResolution({ aliases: {}, defaults: {}, listCacheMs: 60_000 }),
  enforceModelAccess(),
  sessionMemory({ registry: {} as SessionRegistry }),
  pluginsMiddleware({ registry: emptyPluginRegistry(), maxToolRounds: 5, perKey: {} }),
  responseCache({ policy: 'deterministic', ttlMs: 60_000, shareAcrossKeys: false, tiers: [createMemoryKvStore()] }),
  stopSequences({ estimatePromptTokens: () => 1 }),
);
const request: ChatRequest = { model: 'm:1b', messages: [{ role: 'user', content: 'hi' }], sampling: {} };
// An Anthropic request with stop_sequences (matched in the proxy) whose sequence never comes: every delta is searched.
const stopRequest: ChatRequest = { ...request, sampling: { stop: ['\n\nHuman:', '</answer>'] }, reportStopSequence: true };
const ctx = { signal: new AbortController().signal, requestId: 'r', principal: ANONYMOUS, logger: silentLogger, outcome: {} } satisfies CallContext;

async function run(backend: ChatBackend, asked = request): Promise<number> {
  const started = process.hrtime.bigint();
  let count = 0;
  for (let i = 0; i < streams; i++) for await (const _event of backend.stream(asked, ctx)) count++;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
}
for (let round = 0; round < 3; round++) {
  const bare = await run(upstream);
  const staged = await run(pipeline);
  const matched = await run(pipeline, stopRequest);
  const share = (rate: number) => `${(rate / 1e6).toFixed(2)}M (${((rate / bare) * 100).toFixed(0)}%)`;
  console.log(`events/s bare ${(bare / 1e6).toFixed(2)}M, through the pipeline ${share(staged)}, with stop sequences matched ${share(matched)}`);
}
