import type { ChatMessage } from '../../core/chat-request.js';
import { definePlugin, type ProxyPlugin } from '../plugin.js';
import type { PiiRedactor } from './create-pii-redactor.js';

export const PII_REDACTION = 'pii_redaction';

/** Masks personal data in every message (and in tool-call arguments) before the request reaches the model. */
export function createPiiRedactionPlugin(redactor: PiiRedactor): ProxyPlugin {
  const redactMessage = (message: ChatMessage): ChatMessage => {
    const masked: ChatMessage = { ...message, content: redactor.redact(message.content) };
    if (message.toolCalls) {
      masked.toolCalls = message.toolCalls.map((call) => ({ ...call, argumentsJson: redactJsonStrings(call.argumentsJson, redactor) }));
    }
    return masked;
  };
  return definePlugin({
    name: PII_REDACTION,
    beforeRequest: (request) => ({ ...request, messages: request.messages.map(redactMessage) }),
  });
}

/** Masks inside string values only, so the arguments stay valid JSON; untouched arguments keep their bytes. */
function redactJsonStrings(json: string, redactor: PiiRedactor): string {
  let isChanged = false;
  const mask = (_key: string, value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    const masked = redactor.redact(value);
    if (masked !== value) isChanged = true;
    return masked;
  };
  try {
    const parsed: unknown = JSON.parse(json, mask);
    return isChanged ? JSON.stringify(parsed) : json;
  } catch {
    return redactor.redact(json);
  }
}
