import type { ResponsesStreamEvent } from './responses-output.js';

// Fast JSON for the one event a stream is made of: a text or reasoning delta. Byte-identical to
// JSON.stringify(event) for the events the encoder builds (same key order); anything else goes to JSON.stringify.

export type ResponsesSerializer = (event: ResponsesStreamEvent) => string;

export function createResponsesSerializer(): ResponsesSerializer {
  // The part before `"delta":` is the same for every delta of one item: built once per item.
  let item = '';
  let textHead = '';
  let reasoningHead = '';
  const heads = (id: string, index: number) => {
    item = id;
    textHead = `{"type":"response.output_text.delta","item_id":${JSON.stringify(id)},"output_index":${index},"content_index":0,"delta":`;
    reasoningHead = `{"type":"response.reasoning_summary_text.delta","item_id":${JSON.stringify(id)},"output_index":${index},"summary_index":0,"delta":`;
  };
  return (event) => {
    if (event.type === 'response.output_text.delta' && event.content_index === 0 && event.logprobs.length === 0) {
      if (event.item_id !== item) heads(event.item_id, event.output_index);
      return `${textHead}${JSON.stringify(event.delta)},"logprobs":[],"sequence_number":${event.sequence_number}}`;
    }
    if (event.type === 'response.reasoning_summary_text.delta' && event.summary_index === 0) {
      if (event.item_id !== item) heads(event.item_id, event.output_index);
      return `${reasoningHead}${JSON.stringify(event.delta)},"sequence_number":${event.sequence_number}}`;
    }
    return JSON.stringify(event);
  };
}
