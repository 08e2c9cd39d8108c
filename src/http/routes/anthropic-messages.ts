import { toCountTokensRequest, type AnthropicCall } from '../../anthropic/to-chat-request.js';
import type { HttpRequest, HttpResponse, Next } from '../http-types.js';
import { sendJson } from '../json-response.js';
import { sessionIdOf } from '../session-id.js';
import { answerMessages, type MessagesRouteDeps } from '../generation/answer-messages.js';

export type { MessagesRouteDeps, PromptCounter } from '../generation/answer-messages.js';

/**
 * First in every Anthropic route's chain: whatever fails from here on (authentication, rate limits, the body,
 * the model) is answered in Anthropic's error shape, and the request id is also sent as `request-id`, the
 * header Anthropic's SDK reads.
 */
export function anthropicErrors(_req: HttpRequest, res: HttpResponse, next: Next): void {
  res.locals.errorShape = 'anthropic';
  if (res.locals.requestId !== undefined) res.setHeader('request-id', res.locals.requestId);
  next();
}

/** POST /v1/messages (`?beta=true` and any `anthropic-version`/`anthropic-beta` headers accepted). */
export function messagesRoute(deps: MessagesRouteDeps) {
  return async function messages(call: AnthropicCall, req: HttpRequest, res: HttpResponse): Promise<void> {
    await answerMessages(deps, res, call, sessionIdOf(req));
  };
}

/**
 * POST /v1/messages/count_tokens: the calibrated estimate (characters ÷ the model's learned characters per
 * token, plus template overhead per message and per image). No model call: a prompt evaluated only to be
 * counted would occupy the model for as long as a real answer's prompt does.
 */
export function countTokensRoute(deps: Pick<MessagesRouteDeps, 'promptCounter' | 'authorizeModel'>) {
  return function countTokens(req: HttpRequest, res: HttpResponse): void {
    const request = toCountTokensRequest(req.body);
    res.locals.model = request.model;
    deps.authorizeModel?.(res.locals.principal, request.model);
    sendJson(res, { input_tokens: deps.promptCounter.countPrompt(request) });
  };
}

/** Anthropic's SDKs always send `anthropic-version`, OpenAI's never do: it tells the audience of a shared route. */
export function isAnthropicClient(req: HttpRequest): boolean {
  return req.headers['anthropic-version'] !== undefined;
}

/** For routes both audiences share (GET /v1/models): Anthropic's error shape when an Anthropic client calls. */
export function anthropicErrorsForAnthropicClients(req: HttpRequest, res: HttpResponse, next: Next): void {
  if (isAnthropicClient(req)) anthropicErrors(req, res, next);
  else next();
}
