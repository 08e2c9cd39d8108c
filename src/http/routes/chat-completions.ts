import type { HttpRequest, HttpResponse } from '../http-types.js';
import type { ChatCall } from '../../openai/to-chat-request.js';
import { sessionIdOf } from '../session-id.js';
import { answerChat, type ChatRouteDeps } from '../generation/answer-generation.js';

export type { ChatRouteDeps } from '../generation/answer-generation.js';

/** POST /v1/chat/completions: the parsed call (openai/to-chat-request.ts) → backend → chat.completion JSON or SSE chunks. */
export function chatCompletionsRoute(deps: ChatRouteDeps) {
  return async function chatCompletions(call: ChatCall, req: HttpRequest, res: HttpResponse): Promise<void> {
    await answerChat(deps, res, call.request, call, sessionIdOf(req));
  };
}
