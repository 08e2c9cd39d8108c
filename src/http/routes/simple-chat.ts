import type { Request, Response } from 'express';
import { z } from 'zod';
import { InvalidRequestError } from '../../core/errors.js';
import { SESSION_ID_PATTERN } from '../../core/session-directory.js';
import { parseOpenAIBody } from '../../openai/parse-openai-body.js';
import { readStreamFlags } from '../../openai/read-stream-flags.js';
import { toChatRequest } from '../../openai/to-chat-request.js';
import { sessionIdOf } from '../session-id.js';
import { answerChat, type ChatRouteDeps } from './answer-chat.js';

export interface SimpleChatDeps extends ChatRouteDeps {
  /** Used when the body names no model (config DEFAULT_MODEL). */
  defaultModel?: string | undefined;
}

// Only the fields this endpoint defines are checked here; their values are validated as the equivalent
// chat-completions fields, so both endpoints reject the same things with the same messages.
const simpleChatSchema = z.object({
  prompt: z.string().min(1, 'must not be empty'),
  system_message: z.string().nullish(),
  model: z.string().min(1).nullish(),
  session_id: z.string().regex(SESSION_ID_PATTERN, 'must be 1-128 characters from A-Z, a-z, 0-9 and . _ : -').nullish(),
  temperature: z.unknown().optional(),
  max_tokens: z.unknown().optional(),
  stream: z.unknown().optional(),
});

/** POST /api/v1/chat: one prompt (and optional system message) in, OpenAI chat.completion(.chunk) out. */
export function simpleChatRoute(deps: SimpleChatDeps) {
  return async function simpleChat(req: Request, res: Response): Promise<void> {
    res.locals.route = '/api/v1/chat';
    const body = parseOpenAIBody(simpleChatSchema, req.body);
    const model = body.model ?? deps.defaultModel;
    if (!model) throw new InvalidRequestError("Missing required parameter: 'model' (no default model is configured).", 'model');
    const chatBody = {
      model,
      messages: [{ role: 'user', content: body.prompt }],
      system_message: body.system_message,
      temperature: body.temperature,
      max_tokens: body.max_tokens,
      stream: body.stream,
    };
    const request = toChatRequest(chatBody);
    await answerChat(deps, res, request, readStreamFlags(chatBody), body.session_id ?? sessionIdOf(req));
  };
}
