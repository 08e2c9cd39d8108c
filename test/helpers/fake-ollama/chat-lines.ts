// Builders for realistic /api/chat and /api/generate bodies: one NDJSON line per token, then the
// done line with metrics. The default "model" uses them too, so scripted and default replies match.
import { ollamaTimestamp } from './ollama-timestamp.js';
import { sha256Hex } from './fake-model.js';

export interface FakeToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** Ollama (0.12.10+) generates `call_` + 8 chars; derived from name and position when omitted. */
  id?: string;
}

interface CommonSpec {
  model: string;
  thinking?: readonly string[];
  /** Defaults to "stop". */
  doneReason?: string;
  promptEvalCount?: number;
  /** Part of promptEvalCount read from the KV cache; the field is left out when undefined (Ollama < 0.33.3). */
  promptEvalCachedCount?: number;
  /** Per-token logprobs on every thinking/content line (request `logprobs: true`), with `top` alternatives. */
  logprobs?: { top: number };
  /** Defaults to the number of tokens emitted. */
  evalCount?: number;
  /** Defaults to a warm model's load time (a few ms). */
  loadDurationNs?: number;
  createdAt?: Date;
}

export interface ChatLinesSpec extends CommonSpec {
  content?: readonly string[];
  toolCalls?: readonly FakeToolCall[];
}

export interface GenerateLinesSpec extends CommonSpec {
  response?: readonly string[];
  /** Token ids for the deprecated `context` field (final line only); omitted when undefined. */
  context?: readonly number[];
}

type Line = Record<string, unknown>;

const WARM_LOAD_NS = 14_682_137;

/** Ollama's metrics are omitempty: a zero count or duration is left out. */
export function doneMetrics(promptEvalCount: number, evalCount: number, loadDurationNs = WARM_LOAD_NS): Line {
  const promptNs = promptEvalCount * 312_500;
  const evalNs = evalCount * 21_750_000;
  const metrics: Line = { total_duration: loadDurationNs + promptNs + evalNs + 1_204_311 };
  if (loadDurationNs > 0) metrics['load_duration'] = loadDurationNs;
  if (promptEvalCount > 0) Object.assign(metrics, { prompt_eval_count: promptEvalCount, prompt_eval_duration: promptNs });
  if (evalCount > 0) Object.assign(metrics, { eval_count: evalCount, eval_duration: evalNs });
  return metrics;
}

export function toolCallTokens(call: FakeToolCall): number {
  return Math.ceil(JSON.stringify({ name: call.name, arguments: call.arguments }).length / 4);
}

function wireToolCalls(calls: readonly FakeToolCall[]): Line[] {
  return calls.map((call, index) => ({
    id: call.id ?? `call_${sha256Hex(`${index}:${call.name}`).slice(0, 8)}`,
    function: { index, name: call.name, arguments: call.arguments },
  }));
}

function finalFields(spec: CommonSpec, emitted: number): Line {
  const metrics = doneMetrics(spec.promptEvalCount ?? 12, spec.evalCount ?? emitted, spec.loadDurationNs);
  // api.Metrics: a *int with omitempty, so a known 0 is sent; placed after prompt_eval_count as Go orders it.
  if (spec.promptEvalCachedCount !== undefined) {
    const { prompt_eval_count: count, ...rest } = metrics;
    return { done_reason: spec.doneReason ?? 'stop', done: true, ...rest, ...(count === undefined ? {} : { prompt_eval_count: count }), prompt_eval_cached_count: spec.promptEvalCachedCount };
  }
  return { done_reason: spec.doneReason ?? 'stop', done: true, ...metrics };
}

/** A deterministic api.Logprob for the n-th generated token: the token first among its alternatives. */
export function fakeLogprob(token: string, n: number, top: number): Line {
  const logprob = -(((n * 7) % 10) + 1) / 20;
  const bytes = [...Buffer.from(token, 'utf8')];
  const entry: Line = { token, logprob, bytes };
  if (top > 0) {
    const alternatives = Array.from({ length: top - 1 }, (_, k) => {
      const alt = `${token}~${k + 1}`;
      return { token: alt, logprob: logprob - (k + 1) * 0.75, bytes: [...Buffer.from(alt, 'utf8')] };
    });
    entry['top_logprobs'] = [{ token, logprob, bytes }, ...alternatives];
  }
  return entry;
}

const withLogprobs = (spec: CommonSpec, token: string, n: number): Line =>
  spec.logprobs ? { logprobs: [fakeLogprob(token, n, spec.logprobs.top)] } : {};

const message = (extra: Line): Line => ({ role: 'assistant', content: '', ...extra });

export function chatLines(spec: ChatLinesSpec): Line[] {
  const head = (): Line => ({ model: spec.model, created_at: ollamaTimestamp(spec.createdAt) });
  const thinking = spec.thinking ?? [];
  const content = spec.content ?? [];
  const calls = spec.toolCalls ?? [];
  const lines: Line[] = [
    ...thinking.map((t, i) => ({ ...head(), message: message({ thinking: t }), done: false, ...withLogprobs(spec, t, i) })),
    ...content.map((c, i) => ({ ...head(), message: message({ content: c }), done: false, ...withLogprobs(spec, c, thinking.length + i) })),
  ];
  if (calls.length > 0) lines.push({ ...head(), message: message({ tool_calls: wireToolCalls(calls) }), done: false });
  const emitted = thinking.length + content.length + calls.reduce((n, c) => n + toolCallTokens(c), 0);
  lines.push({ ...head(), message: message({}), ...finalFields(spec, emitted) });
  return lines;
}

/** The stream:false body: content and thinking concatenated, tool calls gathered. */
export function chatJson(spec: ChatLinesSpec): Line {
  const thinking = (spec.thinking ?? []).join('');
  const calls = spec.toolCalls ?? [];
  const emitted = (spec.thinking?.length ?? 0) + (spec.content?.length ?? 0) + calls.reduce((n, c) => n + toolCallTokens(c), 0);
  return {
    model: spec.model,
    created_at: ollamaTimestamp(spec.createdAt),
    message: message({
      content: (spec.content ?? []).join(''),
      ...(thinking === '' ? {} : { thinking }),
      ...(calls.length === 0 ? {} : { tool_calls: wireToolCalls(calls) }),
    }),
    ...finalFields(spec, emitted),
    ...gatheredLogprobs(spec, [...(spec.thinking ?? []), ...(spec.content ?? [])]),
  };
}

/** Non-streamed bodies gather every token's logprobs (thinking included), as Ollama does. */
function gatheredLogprobs(spec: CommonSpec, tokens: readonly string[]): Line {
  return spec.logprobs ? { logprobs: tokens.map((token, n) => fakeLogprob(token, n, spec.logprobs!.top)) } : {};
}

function generateFinal(spec: GenerateLinesSpec, emitted: number): Line {
  const { done_reason: doneReason, done, ...metrics } = finalFields(spec, emitted);
  const context = spec.context === undefined ? {} : { context: [...spec.context] };
  return { done, done_reason: doneReason, ...context, ...metrics };
}

export function generateLines(spec: GenerateLinesSpec): Line[] {
  const head = (): Line => ({ model: spec.model, created_at: ollamaTimestamp(spec.createdAt) });
  const thinking = spec.thinking ?? [];
  const response = spec.response ?? [];
  return [
    ...thinking.map((t, i) => ({ ...head(), response: '', thinking: t, done: false, ...withLogprobs(spec, t, i) })),
    ...response.map((r, i) => ({ ...head(), response: r, done: false, ...withLogprobs(spec, r, thinking.length + i) })),
    { ...head(), response: '', ...generateFinal(spec, thinking.length + response.length) },
  ];
}

export function generateJson(spec: GenerateLinesSpec): Line {
  const thinking = (spec.thinking ?? []).join('');
  const emitted = (spec.thinking?.length ?? 0) + (spec.response?.length ?? 0);
  return {
    model: spec.model,
    created_at: ollamaTimestamp(spec.createdAt),
    response: (spec.response ?? []).join(''),
    ...(thinking === '' ? {} : { thinking }),
    ...generateFinal(spec, emitted),
    ...gatheredLogprobs(spec, [...(spec.thinking ?? []), ...(spec.response ?? [])]),
  };
}
