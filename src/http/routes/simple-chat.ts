import type { Request, Response } from 'express';
import { z } from 'zod';
import type { CatalogPort } from '../../core/chat-backend.js';
import type { ModelInfo } from '../../core/chat-result.js';
import { InvalidRequestError } from '../../core/errors.js';
import { SESSION_ID_PATTERN } from '../../core/session-directory.js';
import { parseOpenAIBody } from '../../openai/parse-openai-body.js';
import { toChatCall } from '../../openai/to-chat-request.js';
import { callContext } from '../locals.js';
import type { HttpResponse } from '../http-types.js';
import { sessionIdOf } from '../session-id.js';
import { answerChat, type ChatRouteDeps } from '../generation/answer-generation.js';

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
    const body = parseOpenAIBody(simpleChatSchema, req.body);
    const model = body.model ?? deps.defaultModel ?? (await installedDefault(deps.backend, res));
    if (!model) throw new InvalidRequestError("Missing required parameter: 'model' (no DEFAULT_MODEL is configured and no chat model is installed).", 'model');
    const chatBody = {
      model,
      messages: [{ role: 'user', content: body.prompt }],
      system_message: body.system_message,
      temperature: body.temperature,
      max_tokens: body.max_tokens,
      stream: body.stream,
    };
    const call = toChatCall(chatBody);
    // Not a parsed route (its model may come from the installed list): the allow-list is checked here.
    deps.authorizeModel?.(res.locals.principal, call.request.model);
    await answerChat(deps, res, call.request, call, body.session_id ?? sessionIdOf(req));
  };
}

/**
 * No model in the body and no DEFAULT_MODEL: `deepseek-chat` when it resolves to an installed model (the list
 * shows it then), else the first installed model that can chat. Only this case pays for the list.
 */
async function installedDefault(backend: CatalogPort, res: HttpResponse): Promise<string | undefined> {
  const models = await backend.listModels(callContext(res.locals));
  if (models.some((entry) => entry.id === 'deepseek-chat')) return 'deepseek-chat';
  return models.find(canChat)?.id;
}

function canChat(model: ModelInfo): boolean {
  if (model.capabilities && model.capabilities.length > 0) return model.capabilities.includes('completion');
  return !/embed/i.test(model.id);
}
