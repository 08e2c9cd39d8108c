import type { ResponsesMeta } from '../../../src/openai-responses/response-object.js';
import type { ResponsesCall } from '../../../src/openai-responses/to-chat-request.js';

/** Deterministic ids (`<prefix>_1`, `<prefix>_2`, ...) and clock for translator tests. */
export function counterIds(): (prefix: string) => string {
  let next = 1;
  return (prefix) => `${prefix}_${next++}`;
}

export function fixedMeta(call: Pick<ResponsesCall, 'echo' | 'toolNames'>): ResponsesMeta {
  return { id: 'resp_test', createdAt: 1_700_000_000, echo: call.echo, toolNames: call.toolNames, newItemId: counterIds(), now: () => 1_700_000_005 };
}
