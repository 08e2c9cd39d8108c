// Tokens translated per second on one core: canonical text-delta events → SSE frame text, through each inbound
// protocol's stream encoder (chat.completion.chunk, the Responses API's typed events, Anthropic Messages events).
// Pure CPU, in process: the per-token work the proxy adds on top of reading NDJSON and writing the socket,
// which every protocol shares (http/write-stream.ts).
// Run: npx tsc -p tsconfig.bench.json && node bench/.build/bench/translation-bench.js [tokens]
import type { ChatEvent } from '../src/core/chat-event.js';
import type { StreamEncoder } from '../src/core/stream-encoder.js';
import { createAnthropicEncoder } from '../src/anthropic/to-anthropic-events.js';
import { createChatChunkEncoder } from '../src/openai/to-openai-chunks.js';
import { createResponsesEncoder } from '../src/openai-responses/to-response-events.js';
import { toChatRequest } from '../src/openai-responses/to-chat-request.js';

const tokens = Number(process.argv[2] ?? 400_000);
const events: ChatEvent[] = [{ type: 'start', model: 'deepseek-r1:7b', createdAt: new Date() }];
for (let i = 0; i < tokens; i++) events.push({ type: 'text-delta', text: i % 7 === 0 ? ' "quoted"' : ' token' });
events.push({ type: 'finish', finishReason: 'stop', usage: { promptTokens: 10, completionTokens: tokens } });

function run(encoder: StreamEncoder<ChatEvent>): number {
  let chars = 0;
  const started = process.hrtime.bigint();
  for (const event of events) chars += encoder.encode(event).length;
  chars += encoder.end().length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (chars === 0) throw new Error('nothing written');
  return tokens / seconds;
}

const chat = () => run(createChatChunkEncoder({ id: 'chatcmpl-x', created: 1, model: 'deepseek-r1:7b', systemFingerprint: 'fp', includeUsage: false }));

const call = toChatRequest({ model: 'deepseek-r1:7b', input: 'x' }, (prefix) => `${prefix}_1`);
function responses(): number {
  let next = 0;
  return run(createResponsesEncoder({ id: 'resp_x', createdAt: 1, echo: call.echo, toolNames: call.toolNames, newItemId: (prefix) => `${prefix}_${next++}`, now: () => 2 }));
}

const anthropic = () => run(createAnthropicEncoder({ id: 'msg_x', model: 'deepseek-r1:7b', omitThinking: false }));

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rounds = { chat: [] as number[], responses: [] as number[], anthropic: [] as number[] };
for (let round = 0; round < 7; round++) {
  rounds.chat.push(chat());
  rounds.responses.push(responses());
  rounds.anthropic.push(anthropic());
}
const c = median(rounds.chat);
const row = (name: string, value: number) => `| ${name} | ${Math.round(value).toLocaleString('en')} | ${Math.round((value / c) * 100)} % |`;
console.log('| stream translation (one core) | tokens/s | vs chat |');
console.log('|---|---|---|');
console.log(row('chat.completion.chunk', c));
console.log(row('Responses events', median(rounds.responses)));
console.log(row('Anthropic Messages events', median(rounds.anthropic)));
