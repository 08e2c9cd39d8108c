import type { HttpRequest, HttpResponse } from '../http-types.js';
import { toChatRequest } from '../../openai/to-chat-request.js';
import { readStreamFlags } from '../../openai/read-stream-flags.js';
import { sessionIdOf } from '../session-id.js';
import { answerChat, type ChatRouteDeps } from './answer-chat.js';

export type { ChatRouteDeps } from './answer-chat.js';

/** POST /v1/chat/completions: OpenAI body → canonical request → backend → chat.completion JSON or SSE chunks. */
export function chatCompletionsRoute(deps: ChatRouteDeps) {
  return async function chatCompletions(req: HttpRequest, res: HttpResponse): Promise<void> {
    res.locals.route = '/v1/chat/completions';
    const request = toChatRequest(req.body, deps.maxJsonDepth);
    await answerChat(deps, res, request, readStreamFlags(req.body), sessionIdOf(req));
  };
}
