import { UpstreamError } from '../core/errors.js';
import { mapOllamaStreamError } from './map-ollama-error.js';
import type { OllamaChatLineView, OllamaGenerateLineView } from './ollama-wire.js';

// Per-line checks for streamed responses (the hot path; see the note in ollama-wire.ts). They check only
// the fields the reducer reads and turn Ollama's mid-stream error line into an UpstreamError.

/** Streamed /api/chat line: checks what the reducer reads; an `{"error"}` line becomes an UpstreamError. */
export function readOllamaChatLine(value: unknown): OllamaChatLineView {
  const line = asLine(value);
  const message = line.message;
  if (typeof message !== 'object' || message === null) throw malformed(value);
  const { content, thinking, tool_calls: toolCalls } = message as Record<string, unknown>;
  if (content !== undefined && typeof content !== 'string') throw malformed(value);
  if (thinking !== undefined && typeof thinking !== 'string') throw malformed(value);
  if (toolCalls !== undefined && !isToolCallArray(toolCalls)) throw malformed(value);
  return value as OllamaChatLineView;
}

/** Streamed /api/generate line, same rules as readOllamaChatLine. */
export function readOllamaGenerateLine(value: unknown): OllamaGenerateLineView {
  const line = asLine(value);
  if (line.response !== undefined && typeof line.response !== 'string') throw malformed(value);
  if (line.thinking !== undefined && typeof line.thinking !== 'string') throw malformed(value);
  if (line.tool_calls !== undefined && !isToolCallArray(line.tool_calls)) throw malformed(value);
  return value as OllamaGenerateLineView;
}

function asLine(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw malformed(value);
  const line = value as Record<string, unknown>;
  // After a 200, Ollama reports failures as one more line {"error": "..."} and closes the stream.
  if (typeof line.error === 'string') throw mapOllamaStreamError(line.error);
  if (typeof line.done !== 'boolean' || typeof line.model !== 'string') throw malformed(value);
  if (!isOptional(line.created_at, 'string')) throw malformed(value);
  if (line.logprobs !== undefined && !isLogprobArray(line.logprobs)) throw malformed(value);
  if (line.done) {
    const { done_reason: reason, prompt_eval_count: promptCount, eval_count: evalCount } = line;
    if (!isOptional(reason, 'string') || !isOptional(promptCount, 'number') || !isOptional(evalCount, 'number')) {
      throw malformed(value);
    }
    if (!isOptional(line.prompt_eval_cached_count, 'number')) throw malformed(value);
  }
  return line;
}

function isOptional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || typeof value === type;
}

/** Only lines of a logprobs request carry the field, so the per-entry check costs nothing otherwise. */
function isLogprobArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  return value.every((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return false;
    const { token, logprob, top_logprobs: top } = entry as { token?: unknown; logprob?: unknown; top_logprobs?: unknown };
    return typeof token === 'string' && typeof logprob === 'number' && (top === undefined || Array.isArray(top));
  });
}

function isToolCallArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  return value.every((call: unknown) => {
    const fn = typeof call === 'object' && call !== null ? (call as { function?: unknown }).function : undefined;
    if (typeof fn !== 'object' || fn === null) return false;
    const { name, arguments: args } = fn as { name?: unknown; arguments?: unknown };
    return typeof name === 'string' && (args === undefined || (typeof args === 'object' && args !== null && !Array.isArray(args)));
  });
}

function malformed(value: unknown): UpstreamError {
  const text = JSON.stringify(value) ?? String(value);
  return new UpstreamError(`Ollama sent an unexpected stream line: ${text.slice(0, 200)}`);
}
