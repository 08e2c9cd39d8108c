import type { ChatMessage, ToolCall } from '../core/chat-request.js';
import type { OpenAIChatMessage } from './openai-wire.js';
import { DEFAULT_MAX_JSON_DEPTH, exceedsJsonDepth } from '../shared/json-depth.js';
import { invalidParam } from './parse-openai-body.js';

// OpenAI messages → canonical messages. Text parts are joined with "\n" (as vLLM does): clients
// split text into parts for structure, not mid-word, and a separator keeps paragraphs apart.

type Message<R extends OpenAIChatMessage['role']> = Extract<OpenAIChatMessage, { role: R }>;
type TextPart = { type: 'text'; text: string } | { type: 'refusal'; refusal: string };

interface CallLog {
  /** Tool call id → tool name, from earlier assistant messages (a tool message names only the id). */
  names: Map<string, string>;
  /** The last deprecated `function_call`, answered by a following `function` message. */
  legacy: ToolCall | undefined;
  /** BODY_MAX_DEPTH, applied to the JSON-encoded arguments too: they are parsed and sent on as objects. */
  maxDepth: number;
}

export function toChatMessages(messages: readonly OpenAIChatMessage[], maxDepth = DEFAULT_MAX_JSON_DEPTH): ChatMessage[] {
  const calls: CallLog = { names: new Map(), legacy: undefined, maxDepth };
  return messages.map((message, i) => toChatMessage(message, i, calls));
}

function toChatMessage(message: OpenAIChatMessage, i: number, calls: CallLog): ChatMessage {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: joinText(message.content) };
    case 'user':
      return toUserMessage(message, i);
    case 'assistant':
      return toAssistantMessage(message, i, calls);
    case 'tool':
      return toToolMessage(message, calls);
    case 'function': {
      const tool: ChatMessage = { role: 'tool', content: message.content ?? '', toolName: message.name };
      if (calls.legacy?.name === message.name) tool.toolCallId = calls.legacy.id;
      return tool;
    }
  }
}

function joinText(content: string | readonly TextPart[]): string {
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : part.refusal)).join('\n');
}

function toUserMessage(message: Message<'user'>, i: number): ChatMessage {
  if (typeof message.content === 'string') return { role: 'user', content: message.content };
  const texts: string[] = [];
  const images: string[] = [];
  message.content.forEach((part, j) => {
    if (part.type === 'text') texts.push(part.text);
    else images.push(toBase64Image(part.image_url.url, `messages[${i}].content[${j}].image_url`));
  });
  const user: ChatMessage = { role: 'user', content: texts.join('\n') };
  if (images.length > 0) user.images = images;
  return user;
}

/** Ollama takes bare base64; it cannot fetch URLs, and we do no network I/O on the client's behalf. */
function toBase64Image(url: string, param: string): string {
  if (!url.startsWith('data:')) {
    throw invalidParam(param, 'only data: URLs are supported for images (data:image/png;base64,...); http(s) image URLs are not fetched');
  }
  const comma = url.indexOf(',');
  if (comma < 0 || !url.slice(0, comma).endsWith(';base64')) {
    throw invalidParam(param, 'image data URLs must be base64-encoded (data:image/png;base64,...)');
  }
  return url.slice(comma + 1);
}

function toAssistantMessage(message: Message<'assistant'>, i: number, calls: CallLog): ChatMessage {
  const assistant: ChatMessage = { role: 'assistant', content: message.content == null ? '' : joinText(message.content) };
  if (message.reasoning_content) assistant.reasoning = message.reasoning_content;
  const toolCalls = (message.tool_calls ?? []).map((call, j) => {
    const param = `messages[${i}].tool_calls[${j}].function.arguments`;
    checkArguments(call.function.arguments, param, calls.maxDepth);
    calls.names.set(call.id, call.function.name);
    const argumentsJson = call.function.arguments.trim() === '' ? '{}' : call.function.arguments;
    return { id: call.id, name: call.function.name, argumentsJson };
  });
  if (toolCalls.length === 0 && message.function_call) {
    checkArguments(message.function_call.arguments, `messages[${i}].function_call.arguments`, calls.maxDepth);
    // The deprecated form has no call id; a stable synthetic one lets the answer reference it.
    calls.legacy = { id: `call_${i}`, name: message.function_call.name, argumentsJson: message.function_call.arguments };
    toolCalls.push(calls.legacy);
  }
  if (toolCalls.length > 0) assistant.toolCalls = toolCalls;
  return assistant;
}

/** OpenAI sends arguments as a JSON string; Ollama needs an object, so anything else is rejected now. */
function checkArguments(argumentsJson: string, param: string, maxDepth: number): void {
  // Some clients send "" for a call without arguments.
  if (argumentsJson.trim() === '') return;
  if (exceedsJsonDepth(argumentsJson, maxDepth)) throw invalidParam(param, `nests objects and arrays deeper than ${maxDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(argumentsJson);
  } catch {
    throw invalidParam(param, 'must be a JSON-encoded object, e.g. "{\\"city\\":\\"Paris\\"}"');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParam(param, 'must encode a JSON object, not an array or a scalar');
  }
}

/** The call may live in history this request does not carry (server-side sessions): then the name stays unknown. */
function toToolMessage(message: Message<'tool'>, calls: CallLog): ChatMessage {
  const tool: ChatMessage = { role: 'tool', content: joinText(message.content), toolCallId: message.tool_call_id };
  const toolName = calls.names.get(message.tool_call_id);
  if (toolName !== undefined) tool.toolName = toolName;
  return tool;
}
