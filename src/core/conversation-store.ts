import type { CallContext } from './chat-backend.js';
import type { ChatMessage } from './chat-request.js';
import type { Usage } from './chat-result.js';
import type { Principal } from './principal.js';

// The port for stored responses (the Responses API's `store` and `previous_response_id`): one conversation per
// response id, kept beside session memory in the same KvStore, cipher and TTL, fitted with the same memory
// strategies. The protocol's own record (response object, input items) travels as an opaque payload.
// pipeline/conversation-store implements it.

export interface StoredConversation {
  readonly id: string;
  readonly model: string;
  /** Unix seconds. */
  readonly createdAt: number;
  /** What the protocol stored with it (its response object and input items). */
  readonly payload: unknown;
  /** The history to send before `incoming`, fitted to the memory budget by the configured strategy. */
  prepare(incoming: readonly ChatMessage[]): ChatMessage[];
  /** Every message kept (pinned system messages, then the turns), for compaction. */
  messages(): ChatMessage[];
}

export interface SaveConversation {
  model: string;
  createdAt: number;
  /** The conversation this one continues. */
  previous?: StoredConversation;
  /** This request's input (without per-request instructions, which are not carried over). */
  input: readonly ChatMessage[];
  answer: ChatMessage;
  payload: unknown;
}

export interface ConversationStore {
  /** NotFoundError when the id is unknown, expired, or belongs to another principal. */
  load(id: string, principal: Principal): Promise<StoredConversation>;
  save(id: string, principal: Principal, entry: SaveConversation): Promise<void>;
  /** NotFoundError as for load. */
  delete(id: string, principal: Principal): Promise<void>;
  /** A summary of the messages written by the model (the summary memory strategy's prompt). */
  summarize(model: string, messages: readonly ChatMessage[], ctx: CallContext): Promise<{ summary: string; usage: Usage }>;
}
