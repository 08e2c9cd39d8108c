// Tokens translated per CPU-second: canonical text-delta events → wire text, through each inbound protocol's
// stream encoder (chat.completion.chunk, the Responses API's typed events, Anthropic Messages events). Pure CPU,
// in process: the per-token work a protocol adds on top of reading NDJSON and writing the socket, which every
// protocol shares (http/write-stream.ts). Two shapes: streams of 500 tokens (as `npm run bench` streams them,
// so each stream's own events count) and one stream of 400,000 tokens (the per-token cost alone).
// CPU time (process.cpuUsage), best of 15 rounds: the figures hold on a busy machine.
// Run: npx tsc -p tsconfig.bench.json && node bench/.build/bench/translation-bench.js
import type { ChatEvent } from '../src/core/chat-event.js';
import type { StreamEncoder } from '../src/core/stream-encoder.js';
import { createAnthropicEncoder } from '../src/anthropic/to-anthropic-events.js';
import { createChatChunkEncoder } from '../src/openai/to-openai-chunks.js';
import { createResponsesEncoder } from '../src/openai-responses/to-response-events.js';
import { toChatRequest } from '../src/openai-responses/to-chat-request.js';

const TOTAL = 400_000;

function eventsOf(tokens: number): ChatEvent[] {
  const events: ChatEvent[] = [{ type: 'start', model: 'deepseek-r1:7b', createdAt: new Date() }];
  for (let i = 0; i < tokens; i++) events.push({ type: 'text-delta', text: i % 7 === 0 ? ' "quoted"' : ' token' });
  events.push({ type: 'finish', finishReason: 'stop', usage: { promptTokens: 10, completionTokens: tokens } });
  return events;
}

/** Tokens per CPU-second over TOTAL tokens sent as streams of `events`. */
function run(newEncoder: () => StreamEncoder<ChatEvent>, events: ChatEvent[]): number {
  const tokens = events.length - 2;
  const streams = Math.round(TOTAL / tokens);
  let chars = 0;
  const started = process.cpuUsage();
  for (let stream = 0; stream < streams; stream++) {
    const encoder = newEncoder();
    for (const event of events) chars += encoder.encode(event).length;
    chars += encoder.end().length;
  }
  const used = process.cpuUsage(started);
  if (chars === 0) throw new Error('nothing written');
  return (streams * tokens) / ((used.user + used.system) / 1e6);
}

const call = toChatRequest({ model: 'deepseek-r1:7b', input: 'x' }, (prefix) => `${prefix}_1`);
const encoders: Record<string, () => StreamEncoder<ChatEvent>> = {
  'chat.completion.chunk': () => createChatChunkEncoder({ id: 'chatcmpl-x', created: 1, model: 'deepseek-r1:7b', systemFingerprint: 'fp', includeUsage: false }),
  'Responses events': () => {
    let next = 0;
    return createResponsesEncoder({ id: 'resp_x', createdAt: 1, echo: call.echo, toolNames: call.toolNames, newItemId: (prefix) => `${prefix}_${next++}`, now: () => 2 });
  },
  'Anthropic Messages events': () => createAnthropicEncoder({ id: 'msg_x', model: 'deepseek-r1:7b', omitThinking: false }),
};
const shapes = { short: eventsOf(500), long: eventsOf(TOTAL) };

const best: Record<string, { short: number; long: number }> = {};
for (let round = 0; round < 15; round++) {
  for (const [name, encoder] of Object.entries(encoders)) {
    const figures = (best[name] ??= { short: 0, long: 0 });
    figures.short = Math.max(figures.short, run(encoder, shapes.short));
    figures.long = Math.max(figures.long, run(encoder, shapes.long));
  }
}
const chat = best['chat.completion.chunk']!;
const cell = (value: number, base: number) => `${(value / 1e6).toFixed(2)} M (${Math.round((value / base) * 100)} %)`;
console.log('| stream translation, tokens per CPU-second (vs chat) | streams of 500 tokens | one stream of 400k tokens |');
console.log('|---|---|---|');
for (const [name, figures] of Object.entries(best)) console.log(`| ${name} | ${cell(figures.short, chat.short)} | ${cell(figures.long, chat.long)} |`);
