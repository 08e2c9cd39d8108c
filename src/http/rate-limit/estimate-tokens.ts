import type { ChatRequest, EmbeddingRequest, TextRequest } from '../../core/chat-request.js';

// Tokens a request may cost, guessed before the call from the canonical request its route parsed (the settlement
// after the call corrects it with what Ollama counted). About four characters per token; no tokenizer on the hot
// path. Protocol-blind: OpenAI, Responses and Anthropic bodies all arrive here as the same canonical request.

const CHARS_PER_TOKEN = 4;

/**
 * Prompt estimate + the completion allowance (the request's max tokens, else `defaultCompletion`) for chat and
 * text completions; the inputs alone for embeddings.
 */
export function estimateRequestTokens(request: ChatRequest | TextRequest | EmbeddingRequest, defaultCompletion: number): number {
  if ('inputs' in request) return tokens(request.inputs.reduce((chars, input) => chars + input.length, 0));
  const allowance = request.sampling.maxTokens ?? defaultCompletion;
  if ('prompt' in request) return tokens(request.prompt.length + (request.suffix?.length ?? 0)) + allowance;
  return tokens(chatChars(request)) + allowance;
}

/** Message text, an image as one token (a floor: its real cost depends on the model), tool calls' arguments, tool definitions. */
function chatChars(request: ChatRequest): number {
  let chars = 0;
  for (const message of request.messages) {
    chars += message.content.length + (message.images?.length ?? 0) * CHARS_PER_TOKEN;
    if (message.toolCalls) for (const call of message.toolCalls) chars += call.argumentsJson.length;
  }
  return request.tools === undefined ? chars : chars + JSON.stringify(request.tools).length;
}

function tokens(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}
