// The fake's deterministic "model": the same request always yields the same tokens, so tests can
// assert exact text while the wire format stays realistic.
import { toolCallTokens, type FakeToolCall } from './chat-lines.js';

export interface SimulationInput {
  /** The text the reply is built around (e.g. "Echo: hello"). */
  answer: string;
  /** What the thinking trace talks about. */
  topic: string;
  think: boolean;
  /** Ollama's `format`: "json", a JSON schema object, or unset. */
  format?: unknown;
  /** When set, the model calls this tool instead of answering. */
  tool?: { name: string; parameters: unknown; id: string };
  /** options.num_predict; negative or unset = no limit. Thinking tokens count against it. */
  numPredict?: number;
}

export interface SimulatedReply {
  thinking: string[];
  content: string[];
  toolCalls: FakeToolCall[];
  doneReason: 'stop' | 'length';
}

/** Word-level tokens with the leading space attached, like most BPE vocabularies. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

/** Rough prompt token count: about four characters per token. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** A value that satisfies a (simple) JSON schema, with every string set to `text`. */
export function fillFromSchema(schema: unknown, text: string): unknown {
  if (typeof schema !== 'object' || schema === null) return text;
  const s = schema as { type?: unknown; properties?: unknown; items?: unknown; enum?: unknown };
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const props = typeof s.properties === 'object' && s.properties !== null ? s.properties : {};
      return Object.fromEntries(Object.entries(props).map(([key, sub]) => [key, fillFromSchema(sub, text)]));
    }
    case 'array':
      return [fillFromSchema(s.items, text)];
    case 'integer':
    case 'number':
      return 42;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return text;
  }
}

function contentText(answer: string, format: unknown): string {
  if (format === 'json') return JSON.stringify({ answer });
  if (typeof format === 'object' && format !== null) return JSON.stringify(fillFromSchema(format, answer));
  return answer;
}

export function simulateReply(input: SimulationInput): SimulatedReply {
  const thinking = input.think ? tokenize(`The user wants: "${input.topic}". I will answer briefly.`) : [];
  const args = input.tool ? fillFromSchema(input.tool.parameters, input.topic) : undefined;
  const call = input.tool && {
    id: input.tool.id,
    name: input.tool.name,
    arguments: typeof args === 'object' && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : {},
  };
  const content = call ? [] : tokenize(contentText(input.answer, input.format));
  const budget = input.numPredict === undefined || input.numPredict < 0 ? Infinity : input.numPredict;
  const needed = thinking.length + content.length + (call ? toolCallTokens(call) : 0);
  if (needed <= budget) return { thinking, content, toolCalls: call ? [call] : [], doneReason: 'stop' };
  const keptThinking = thinking.slice(0, budget);
  const keptContent = content.slice(0, Math.max(0, budget - keptThinking.length));
  return { thinking: keptThinking, content: keptContent, toolCalls: [], doneReason: 'length' };
}
