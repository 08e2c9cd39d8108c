import type { ChatMessage, ToolCall } from '../core/chat-request.js';
import { invalidParam } from '../openai/parse-openai-body.js';
import { COMPACTION_HEADING, decodeCompaction } from './compaction.js';
import type { ResponsesContentPart, ResponsesInputItem, ResponsesTool } from './responses-wire.js';
import { CUSTOM_INPUT_ARGUMENT, flatToolName } from './tool-names.js';

// Input items → canonical messages. Consecutive function calls (and the assistant text before them) become
// one assistant message with several tool calls; outputs become tool messages that name the tool (Ollama
// reads `tool_name`). A reasoning item rides on the assistant message that follows it.

export interface InputMessages {
  messages: ChatMessage[];
  /** Tools that arrived as `additional_tools` input items (Codex, models from its catalog). */
  extraTools: ResponsesTool[];
  warnings: string[];
}

type Item<T extends string> = Extract<ResponsesInputItem, { type: T }>;
type Message = Item<'message'>;

interface State extends InputMessages {
  /** call_id → the flat tool name the model saw. */
  names: Map<string, string>;
  reasoning: string | undefined;
}

export function toInputMessages(input: string | readonly ResponsesInputItem[]): InputMessages {
  if (typeof input === 'string') return { messages: [{ role: 'user', content: input }], extraTools: [], warnings: [] };
  const state: State = { messages: [], extraTools: [], warnings: [], names: new Map(), reasoning: undefined };
  input.forEach((item, i) => addItem(state, item, `input[${i}]`));
  return { messages: state.messages, extraTools: state.extraTools, warnings: state.warnings };
}

function addItem(state: State, item: ResponsesInputItem, param: string): void {
  switch (item.type) {
    case 'message':
      return addMessage(state, item as Message, param);
    case 'function_call': {
      const call = item as Item<'function_call'>;
      checkArguments(call.arguments, `${param}.arguments`);
      const argumentsJson = call.arguments.trim() === '' ? '{}' : call.arguments;
      return addCall(state, { id: call.call_id, name: flatToolName(call.name, call.namespace), argumentsJson });
    }
    case 'custom_tool_call': {
      const call = item as Item<'custom_tool_call'>;
      const argumentsJson = JSON.stringify({ [CUSTOM_INPUT_ARGUMENT]: call.input });
      return addCall(state, { id: call.call_id, name: flatToolName(call.name, call.namespace), argumentsJson });
    }
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const output = item as Item<'function_call_output'>;
      const tool: ChatMessage = { role: 'tool', content: joinText(output.output), toolCallId: output.call_id };
      const name = state.names.get(output.call_id);
      if (name !== undefined) tool.toolName = name;
      state.messages.push(tool);
      return;
    }
    case 'reasoning': {
      const reasoning = item as Item<'reasoning'>;
      const parts = reasoning.content?.length ? reasoning.content : (reasoning.summary ?? []);
      const text = parts.map((part) => part.text).join('\n');
      if (text !== '') state.reasoning = text;
      return;
    }
    case 'compaction': {
      const summary = decodeCompaction((item as Item<'compaction'>).encrypted_content, `${param}.encrypted_content`);
      state.messages.push({ role: 'system', content: `${COMPACTION_HEADING}\n${summary}` });
      return;
    }
    case 'additional_tools':
      state.extraTools.push(...(item as Item<'additional_tools'>).tools);
      return;
    default:
      state.warnings.push(`input item type '${item.type}' is not supported and was skipped`);
  }
}

function addMessage(state: State, message: Message, param: string): void {
  if (message.role === 'system' || message.role === 'developer') {
    state.messages.push({ role: 'system', content: joinText(message.content) });
    return;
  }
  if (message.role === 'assistant') {
    const assistant: ChatMessage = { role: 'assistant', content: joinText(message.content) };
    takeReasoning(state, assistant);
    state.messages.push(assistant);
    return;
  }
  state.messages.push(toUserMessage(message.content, param));
}

function addCall(state: State, call: ToolCall): void {
  state.names.set(call.id, call.name);
  const last = state.messages.at(-1);
  if (last?.role === 'assistant') {
    last.toolCalls = [...(last.toolCalls ?? []), call];
    return;
  }
  const assistant: ChatMessage = { role: 'assistant', content: '', toolCalls: [call] };
  takeReasoning(state, assistant);
  state.messages.push(assistant);
}

function takeReasoning(state: State, assistant: ChatMessage): void {
  if (state.reasoning === undefined) return;
  assistant.reasoning = state.reasoning;
  state.reasoning = undefined;
}

function joinText(content: string | readonly ResponsesContentPart[]): string {
  if (typeof content === 'string') return content;
  const texts: string[] = [];
  for (const part of content) {
    if (part.type === 'refusal') texts.push(part.refusal);
    else if (part.type !== 'input_image') texts.push(part.text);
  }
  return texts.join('\n');
}

function toUserMessage(content: string | readonly ResponsesContentPart[], param: string): ChatMessage {
  if (typeof content === 'string') return { role: 'user', content };
  const texts: string[] = [];
  const images: string[] = [];
  content.forEach((part, j) => {
    if (part.type === 'input_image') images.push(toBase64Image(part.image_url, part.file_id, `${param}.content[${j}].image_url`));
    else texts.push(part.type === 'refusal' ? part.refusal : part.text);
  });
  const user: ChatMessage = { role: 'user', content: texts.join('\n') };
  if (images.length > 0) user.images = images;
  return user;
}

/** Ollama takes bare base64; we fetch no URLs and keep no files. */
function toBase64Image(url: string | null | undefined, fileId: string | null | undefined, param: string): string {
  if (url == null) {
    throw invalidParam(param, fileId == null ? 'an input_image needs an image_url' : 'file ids are not supported; send the image as a data: URL');
  }
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0 || !url.slice(0, comma).endsWith(';base64')) {
    throw invalidParam(param, 'only base64 data: URLs are supported for images (data:image/png;base64,...); http(s) image URLs are not fetched');
  }
  return url.slice(comma + 1);
}

/** Ollama needs arguments as an object, so text that is not a JSON object is refused here. */
function checkArguments(argumentsJson: string, param: string): void {
  if (argumentsJson.trim() === '') return;
  let value: unknown;
  try {
    value = JSON.parse(argumentsJson);
  } catch {
    throw invalidParam(param, 'must be a JSON-encoded object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParam(param, 'must encode a JSON object');
}
