// Ollama's /v1 layer wraps the native chat output; this renders native lines the way its
// ChatWriter does (0.32.6+ wire format: role only in the first delta, finish_reason on its own
// empty-delta chunk, optional usage chunk with choices [], then [DONE]).

type Line = Record<string, unknown>;

export interface CompatMeta {
  id: string;
  created: number;
  model: string;
}

interface NativeMessage {
  content?: string;
  thinking?: string;
  tool_calls?: { id?: string; function: { index?: number; name: string; arguments: unknown } }[];
}

const messageOf = (line: Line): NativeMessage => (line['message'] ?? {}) as NativeMessage;

function compatToolCalls(calls: NativeMessage['tool_calls'], offset: number): Line[] {
  return (calls ?? []).map((call, i) => ({
    id: call.id,
    index: call.function.index ?? offset + i,
    type: 'function',
    function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments) },
  }));
}

function finishReason(line: Line, hasToolCalls: boolean): string {
  const reason = typeof line['done_reason'] === 'string' && line['done_reason'] !== '' ? line['done_reason'] : 'stop';
  return reason === 'stop' && hasToolCalls ? 'tool_calls' : reason;
}

function usage(line: Line): Line {
  const prompt = Number(line['prompt_eval_count'] ?? 0);
  const completion = Number(line['eval_count'] ?? 0);
  const base = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  // Ollama 0.33.3+ (ollama/ollama#17943) reports the cached part of the prompt in its OpenAI layer too.
  const cached = line['prompt_eval_cached_count'];
  return typeof cached === 'number' ? { ...base, prompt_tokens_details: { cached_tokens: cached } } : base;
}

export function toCompatCompletion(native: Line, meta: CompatMeta): Line {
  const msg = messageOf(native);
  const calls = compatToolCalls(msg.tool_calls, 0);
  const message: Line = { role: 'assistant', content: msg.content ?? '' };
  if (msg.thinking) message['reasoning'] = msg.thinking;
  if (calls.length > 0) message['tool_calls'] = calls;
  const choice = { index: 0, message, finish_reason: finishReason(native, calls.length > 0) };
  const { id, created, model } = meta;
  return { id, object: 'chat.completion', created, model, system_fingerprint: 'fp_ollama', choices: [choice], usage: usage(native) };
}

const frame = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;

/** SSE frames for a native line sequence; `includeUsage` is stream_options.include_usage. */
export function toCompatFrames(lines: readonly Line[], meta: CompatMeta, includeUsage: boolean): string[] {
  const base = { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, system_fingerprint: 'fp_ollama' };
  const frames: string[] = [];
  let toolCallCount = 0;
  const push = (delta: Line, finish: string | null = null): void => {
    const first = frames.length === 0 ? { role: 'assistant' } : {};
    frames.push(frame({ ...base, choices: [{ index: 0, delta: { ...first, ...delta }, finish_reason: finish }] }));
  };
  for (const line of lines) {
    const msg = messageOf(line);
    const calls = compatToolCalls(msg.tool_calls, toolCallCount);
    const hasRest = (msg.content ?? '') !== '' || calls.length > 0;
    if (msg.thinking && hasRest) push({ reasoning: msg.thinking });
    // The metrics-only done line yields no empty content chunk.
    if (hasRest || (!msg.thinking && line['done'] !== true)) {
      push({ content: msg.content ?? '', ...(calls.length > 0 ? { tool_calls: calls } : {}) });
    } else if (msg.thinking) {
      push({ content: '', reasoning: msg.thinking });
    }
    toolCallCount += calls.length;
    if (line['done'] === true) {
      push({}, finishReason(line, toolCallCount > 0));
      if (includeUsage) frames.push(frame({ ...base, choices: [], usage: usage(line) }));
    }
  }
  frames.push('data: [DONE]\n\n');
  return frames;
}
