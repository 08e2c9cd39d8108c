import type { FinishReason, Usage } from '../core/chat-result.js';
import type { ResponsesErrorBody, ResponsesObject, ResponsesOutputItem } from './responses-output.js';
import type { ToolNames } from './tool-names.js';
import { toResponsesUsage } from './to-output-items.js';

/** The request's settings, echoed in every response object (create, stream events, retrieve). */
export type ResponsesEcho = Omit<ResponsesObject, 'id' | 'object' | 'created_at' | 'completed_at' | 'status' | 'error' | 'incomplete_details' | 'output' | 'usage'>;

/** msg_ message, rs_ reasoning, fc_ function call, ctc_ custom tool call, fco_ tool output, item_ anything else. */
export type ItemIdPrefix = 'msg' | 'rs' | 'fc' | 'ctc' | 'fco' | 'item';

/** What the translators need besides the result: ids and times come from outside (no clock, no randomness here). */
export interface ResponsesMeta {
  id: string;
  /** Unix seconds. */
  createdAt: number;
  echo: ResponsesEcho;
  toolNames: ToolNames;
  newItemId(prefix: ItemIdPrefix): string;
  /** Unix seconds, read when the response completes. */
  now(): number;
}

export interface ResponseEnd {
  finishReason: FinishReason;
  usage: Usage;
}

export function responseObject(meta: ResponsesMeta, output: ResponsesOutputItem[], end?: ResponseEnd, error?: ResponsesErrorBody): ResponsesObject {
  const isIncomplete = end?.finishReason === 'length';
  const status = error ? 'failed' : end === undefined ? 'in_progress' : isIncomplete ? 'incomplete' : 'completed';
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.createdAt,
    completed_at: status === 'completed' ? meta.now() : null,
    status,
    error: error ?? null,
    incomplete_details: isIncomplete ? { reason: 'max_output_tokens' } : end?.finishReason === 'content_filter' ? { reason: 'content_filter' } : null,
    ...meta.echo,
    output,
    usage: end ? toResponsesUsage(end.usage) : null,
  };
}

/** HTTP-ish status of a failure → the closed set of codes a failed response carries. */
export function toResponsesErrorBody(status: number, message: string): ResponsesErrorBody {
  if (status === 429) return { code: 'rate_limit_exceeded', message };
  if (status >= 400 && status < 500) return { code: 'invalid_prompt', message };
  return { code: 'server_error', message };
}
