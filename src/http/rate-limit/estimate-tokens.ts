// Tokens a request may cost, guessed before the call from the raw OpenAI body (the settlement after the
// call corrects it with what Ollama counted). About four characters per token; no tokenizer on the hot path.

const CHARS_PER_TOKEN = 4;

/**
 * Prompt estimate + the completion allowance (max_completion_tokens ?? max_tokens ?? `defaultCompletion`)
 * for chat and text completions; the prompt alone for embeddings; 0 for anything else (GET routes).
 */
export function estimateRequestTokens(body: unknown, defaultCompletion: number): number {
  if (typeof body !== 'object' || body === null) return 0;
  const fields = body as Record<string, unknown>;
  if ('input' in fields) return tokens(countChars(fields.input));
  if (!('messages' in fields) && !('prompt' in fields)) return 0;
  // `system` is Anthropic's top-level system prompt (a string or text blocks).
  const chars = countMessages(fields.messages) + countChars(fields.system) + countChars(fields.prompt) + countChars(fields.suffix) + jsonLength(fields.tools);
  return tokens(chars) + completionAllowance(fields, defaultCompletion);
}

function completionAllowance(fields: Record<string, unknown>, defaultCompletion: number): number {
  const requested = fields.max_completion_tokens ?? fields.max_tokens;
  return typeof requested === 'number' && Number.isFinite(requested) && requested >= 0 ? Math.ceil(requested) : defaultCompletion;
}

function tokens(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

function countMessages(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  let chars = 0;
  for (const message of messages) {
    if (typeof message === 'object' && message !== null) chars += countChars((message as { content?: unknown }).content);
  }
  return chars;
}

/**
 * Strings, arrays of strings, content parts `{ type: 'text', text }` and blocks that nest content (Anthropic's
 * `tool_result`); token-id arrays count one per id.
 */
function countChars(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number') return CHARS_PER_TOKEN;
  if (!Array.isArray(value)) {
    if (typeof value !== 'object' || value === null) return 0;
    const { text, content } = value as { text?: unknown; content?: unknown };
    if (typeof text === 'string') return text.length;
    return content === undefined ? 0 : countChars(content);
  }
  let chars = 0;
  for (const item of value) chars += countChars(item);
  return chars;
}

function jsonLength(value: unknown): number {
  return value === undefined ? 0 : JSON.stringify(value).length;
}
