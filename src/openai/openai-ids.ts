import { randomIdPart } from '../shared/random-id.js';

// Response ids, shaped like OpenAI's (prefix + 24 characters of [A-Za-z0-9]). Tool-call ids come from the backend.

export const newChatCompletionId = (): string => `chatcmpl-${randomIdPart()}`;
export const newCompletionId = (): string => `cmpl-${randomIdPart()}`;

/** Constant: this proxy has one "backend configuration" as far as clients can tell. */
export const SYSTEM_FINGERPRINT = 'fp_ollama_proxy';
