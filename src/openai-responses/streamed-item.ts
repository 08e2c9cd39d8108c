// The output item a Responses stream is writing (reasoning or message): its text so far and its delta frames.

/**
 * The item being streamed. Its text is kept as the latest deltas (`parts`), joined into `text` every
 * PARTS_JOINED of them: a few larger strings live until the item closes instead of one small string per token
 * (the garbage collector's work). `deltaHead` is the fixed start of its delta frames: only the fragment and
 * the sequence number change from token to token.
 */
export interface OpenItem {
  kind: 'reasoning' | 'message';
  id: string;
  index: number;
  text: string;
  parts: string[];
  deltaHead: string;
}

const PARTS_JOINED = 128;

export function addText(item: OpenItem, text: string): void {
  if (item.parts.push(text) === PARTS_JOINED) joinParts(item);
}

export function joinParts(item: OpenItem): string {
  if (item.parts.length > 0) {
    item.text += item.parts.join('');
    item.parts.length = 0;
  }
  return item.text;
}

/** The start of a delta event's frame, up to its fragment: the keys and order of the event object's JSON. */
export function deltaHead(kind: 'reasoning' | 'message', id: string, index: number): string {
  const type = kind === 'reasoning' ? 'response.reasoning_summary_text.delta' : 'response.output_text.delta';
  const part = kind === 'reasoning' ? '"summary_index":0' : '"content_index":0';
  return `event: ${type}\ndata: {"type":"${type}","item_id":${JSON.stringify(id)},"output_index":${index},${part},"delta":`;
}

/** What follows a delta's fragment, up to its sequence number. */
export const REASONING_DELTA_MID = ',"sequence_number":';
export const TEXT_DELTA_MID = ',"logprobs":[],"sequence_number":';
