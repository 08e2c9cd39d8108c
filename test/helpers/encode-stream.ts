import type { StreamEncoder } from '../../src/core/stream-encoder.js';

/** What writeStream would write for `events` (without batching): each event's frames, until complete, then the end. */
export function encodeAll<E>(encoder: StreamEncoder<E>, events: readonly E[]): string {
  let text = '';
  for (const event of events) {
    text += encoder.encode(event);
    if (encoder.isComplete) break;
  }
  return text + encoder.end();
}

/** The frames of an SSE text as written: each `event:` name (if any) and its `data:` text, in order. */
export function sseFrames(text: string): { event?: string; data: string }[] {
  expectWellFramed(text);
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const lines = frame.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
      const data = lines.find((line) => line.startsWith('data: '))!.slice(6);
      return event === undefined ? { data } : { event, data };
    });
}

/** Every frame of an SSE text must be `[event: x\n]data: …\n\n`: one data line, no stray text between frames. */
function expectWellFramed(text: string): void {
  if (text !== '' && !/^((event: [^\n]+\n)?data: [^\n]+\n\n)+$/.test(text)) throw new Error(`badly framed SSE text: ${JSON.stringify(text.slice(0, 200))}`);
}

/** The JSON of each data frame, the final [DONE] left out. */
export function sseData<T = unknown>(text: string): T[] {
  return sseFrames(text)
    .filter((frame) => frame.data !== '[DONE]')
    .map((frame) => JSON.parse(frame.data) as T);
}
