import type { ChatMessage, ToolCall } from '../core/chat-request.js';
import type { AnthropicMessage, AnthropicMessagesRequest } from './anthropic-wire.js';

// Anthropic messages → canonical messages. Text blocks are joined with "\n" (as on the OpenAI face).
// A user turn that answers tool calls becomes one `tool` message per tool_result (in order), then a
// user message for whatever text or images came with them.

type Content<R extends AnthropicMessage['role']> = Extract<AnthropicMessage, { role: R }>['content'];
type UserBlock = Exclude<Content<'user'>, string>[number];
type ToolResult = Extract<UserBlock, { type: 'tool_result' }>;

export interface ToChatMessagesOptions {
  /** Thinking blocks whose signature fails this check are not passed to the model (thinking-signature.ts). */
  verifyThinking?: (thinking: string, signature: string | null | undefined) => boolean;
}

export function toChatMessages(system: AnthropicMessagesRequest['system'], messages: readonly AnthropicMessage[], options: ToChatMessagesOptions = {}): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (system != null) {
    const content = joinText(system);
    if (content !== '') out.push({ role: 'system', content });
  }
  // tool_use id → tool name: a tool_result names only the id, older Ollama reads only the name.
  const toolNames = new Map<string, string>();
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        out.push({ role: 'system', content: joinText(message.content) });
        break;
      case 'user':
        pushUserTurn(out, message.content, toolNames);
        break;
      case 'assistant':
        out.push(toAssistantMessage(message.content, toolNames, options));
        break;
    }
  }
  return out;
}

function joinText(content: string | readonly { text: string }[]): string {
  return typeof content === 'string' ? content : content.map((block) => block.text).join('\n');
}

function pushUserTurn(out: ChatMessage[], content: Content<'user'>, toolNames: Map<string, string>): void {
  if (typeof content === 'string') {
    out.push({ role: 'user', content });
    return;
  }
  const texts: string[] = [];
  const images: string[] = [];
  for (const block of content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'image') images.push(block.source.data);
    else out.push(toToolMessage(block, toolNames));
  }
  if (texts.length === 0 && images.length === 0 && content.some((block) => block.type === 'tool_result')) return;
  const user: ChatMessage = { role: 'user', content: texts.join('\n') };
  if (images.length > 0) user.images = images;
  out.push(user);
}

/** Ollama has no error flag on tool results: the model learns of the failure from the text. */
function toToolMessage(block: ToolResult, toolNames: Map<string, string>): ChatMessage {
  const texts: string[] = [];
  const images: string[] = [];
  if (typeof block.content === 'string') texts.push(block.content);
  for (const part of typeof block.content === 'string' ? [] : (block.content ?? [])) {
    if (part.type === 'text') texts.push(part.text);
    else images.push(part.source.data);
  }
  const text = texts.join('\n');
  const tool: ChatMessage = { role: 'tool', content: block.is_error ? `Error: ${text}` : text, toolCallId: block.tool_use_id };
  const name = toolNames.get(block.tool_use_id);
  if (name !== undefined) tool.toolName = name;
  if (images.length > 0) tool.images = images;
  return tool;
}

/** Thinking goes back to the model as reasoning when its signature checks out; redacted thinking is Anthropic's ciphertext and is dropped. */
function toAssistantMessage(content: Content<'assistant'>, toolNames: Map<string, string>, options: ToChatMessagesOptions): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  const texts: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'thinking') {
      if (block.thinking !== '' && (options.verifyThinking?.(block.thinking, block.signature) ?? true)) reasoning.push(block.thinking);
    } else if (block.type === 'tool_use') {
      toolNames.set(block.id, block.name);
      toolCalls.push({ id: block.id, name: block.name, argumentsJson: JSON.stringify(block.input) });
    }
  }
  const assistant: ChatMessage = { role: 'assistant', content: texts.join('\n') };
  if (reasoning.length > 0) assistant.reasoning = reasoning.join('\n');
  if (toolCalls.length > 0) assistant.toolCalls = toolCalls;
  return assistant;
}
