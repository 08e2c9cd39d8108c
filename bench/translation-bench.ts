// Tokens translated per second on one core: canonical text-delta events → SSE frame text, for chat
// (chat.completion.chunk) and for the Responses API (typed events). Pure CPU, in process: the per-token work the
// proxy adds on top of reading NDJSON and writing the socket, which both protocols share.
// Run: npx tsc -p tsconfig.bench.json && node bench/.build/bench/translation-bench.js [tokens]
import type { ChatEvent } from '../src/core/chat-event.js';
import type { EventMapper } from '../src/core/event-mapper.js';
import { createChunkSerializer } from '../src/openai/create-chunk-serializer.js';
import { createChatChunkMapper } from '../src/openai/to-openai-chunks.js';
import { createResponsesEncoder } from '../src/openai-responses/to-response-events.js';
import { createResponsesSerializer } from '../src/openai-responses/responses-serializer.js';
import { toChatRequest } from '../src/openai-responses/to-chat-request.js';

const tokens = Number(process.argv[2] ?? 400_000);
const events: ChatEvent[] = [{ type: 'start', model: 'deepseek-r1:7b', createdAt: new Date() }];
for (let i = 0; i < tokens; i++) events.push({ type: 'text-delta', text: i % 7 === 0 ? ' "quoted"' : ' token' });
events.push({ type: 'finish', finishReason: 'stop', usage: { promptTokens: 10, completionTokens: tokens } });

function run<F>(mapper: EventMapper<ChatEvent, F>, frame: (item: F) => string): number {
  const out: F[] = [];
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (const event of events) {
    mapper.map(event, out);
    for (const item of out) bytes += frame(item).length;
    out.length = 0;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (bytes === 0) throw new Error('nothing written');
  return tokens / seconds;
}

function chat(): number {
  const meta = { id: 'chatcmpl-x', created: 1, model: 'deepseek-r1:7b', systemFingerprint: 'fp', includeUsage: false };
  const serialize = createChunkSerializer(meta);
  return run(createChatChunkMapper(meta), (chunk) => `data: ${serialize(chunk)}\n\n`);
}

const call = toChatRequest({ model: 'deepseek-r1:7b', input: 'x' }, (prefix) => `${prefix}_1`);
function responses(): number {
  let next = 0;
  const encoder = createResponsesEncoder({ id: 'resp_x', createdAt: 1, echo: call.echo, toolNames: call.toolNames, newItemId: (prefix) => `${prefix}_${next++}`, now: () => 2 });
  const serialize = createResponsesSerializer();
  return run(encoder, (event) => `event: ${event.type}\ndata: ${serialize(event)}\n\n`);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rounds = { chat: [] as number[], responses: [] as number[] };
for (let round = 0; round < 7; round++) {
  rounds.chat.push(chat());
  rounds.responses.push(responses());
}
const c = median(rounds.chat);
const r = median(rounds.responses);
console.log('| stream translation (one core) | tokens/s | vs chat |');
console.log('|---|---|---|');
console.log(`| chat.completion.chunk | ${Math.round(c).toLocaleString('en')} | 100 % |`);
console.log(`| Responses events | ${Math.round(r).toLocaleString('en')} | ${Math.round((r / c) * 100)} % |`);
