// Tokens a request may cost, guessed before the call from the raw OpenAI body (the settlement after the
// call corrects it with what Ollama counted). About four characters per token; no tokenizer on the hot path.

const CHARS_PER_TOKEN = 4;

/**
 * Prompt estimate + the completion allowance (max_completion_tokens ?? max_tokens ?? `defaultCompletion`)
 * for chat and text completions (max_output_tokens for the Responses API); the prompt alone for embeddings; 0 for anything else (GET routes).
 */
export function estimateRequestTokens(body: unknown, defaultCompletion: number): number {
  if (typeof body !== 'object' || body === null) return 0;
  const fields = body as Record<string, unknown>;
  if ('input' in fields) {
    if (!RESPONSES_FIELDS.some((field) => field in fields)) return tokens(countChars(fields.input));
    // The Responses API: input items, instructions and tools; max_output_tokens is its completion allowance.
    const chars = countChars(fields.input) + countChars(fields.instructions) + jsonLength(fields.tools);
    return tokens(chars) + completionAllowance({ max_tokens: fields.max_output_tokens }, defaultCompletion);
  }
  if (!('messages' in fields) && !('prompt' in fields)) return 0;
  // `system` is Anthropic's top-level system prompt (a string or text blocks).
  const chars = countMessages(fields.messages) + countChars(fields.system) + countChars(fields.prompt) + countChars(fields.suffix) + jsonLength(fields.tools);
  return tokens(chars) + completionAllowance(fields, defaultCompletion);
}

/** Fields only a Responses API body has (an embeddings body also has `input`, but none of these). */
const RESPONSES_FIELDS = ['instructions', 'max_output_tokens', 'tools', 'previous_response_id', 'reasoning', 'text', 'store', 'stream'];

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
    // A content part's text, or a Responses input item's content, tool output or call arguments.
    const item = value as { text?: unknown; content?: unknown; output?: unknown; arguments?: unknown };
    if (typeof item.text === 'string') return item.text.length;
    return countChars(item.content) + countChars(item.output) + countChars(item.arguments);
  }
  let chars = 0;
  for (const item of value) chars += countChars(item);
  return chars;
}

function jsonLength(value: unknown): number {
  return value === undefined ? 0 : JSON.stringify(value).length;
}
