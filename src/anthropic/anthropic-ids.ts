import { randomIdPart } from '../shared/random-id.js';

// Message and tool-use ids shaped like Anthropic's (msg_…, toolu_…).

export const newMessageId = (): string => `msg_${randomIdPart()}`;

/**
 * Tool calls keep the backend's id under Anthropic's prefix (`call_abc` → `toolu_abc`): deterministic, so a
 * cached or replayed answer names its calls the same way. The client sends the id back as tool_use_id, and
 * the conversation it sends carries the same id on both sides of the call.
 */
export function toToolUseId(callId: string): string {
  if (callId.startsWith('toolu_')) return callId;
  return `toolu_${callId.startsWith('call_') ? callId.slice(5) : callId}`;
}

/**
 * Anthropic signs thinking blocks so that its API can check them when they come back; Ollama's reasoning is
 * not signed and nothing here checks it. Clients need a non-empty signature to send the block back.
 */
export const THINKING_SIGNATURE = 'ollama-proxy-unsigned';
