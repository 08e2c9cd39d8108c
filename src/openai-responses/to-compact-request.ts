import type { ChatMessage } from '../core/chat-request.js';
import { InvalidRequestError } from '../core/errors.js';
import { parseOpenAIBody } from '../openai/parse-openai-body.js';
import { responsesCompactSchema } from './responses-wire.js';
import { toInputMessages } from './to-input-messages.js';

export interface CompactCall {
  model: string;
  input: ChatMessage[];
  previousResponseId?: string;
}

/** POST /v1/responses/compact body: the conversation (input items and/or a stored response) to compact. */
export function toCompactRequest(body: unknown): CompactCall {
  const wire = parseOpenAIBody(responsesCompactSchema, body);
  if (wire.input == null && wire.previous_response_id == null) throw new InvalidRequestError("Missing required parameter: 'input'.", 'input');
  const call: CompactCall = { model: wire.model, input: toInputMessages(wire.input ?? []).messages };
  if (wire.previous_response_id != null) call.previousResponseId = wire.previous_response_id;
  return call;
}
