import type { HttpRequest, HttpResponse } from '../http-types.js';
import type { ChatBackend } from '../../core/chat-backend.js';
import type { TextCall } from '../../openai/to-text-request.js';
import { createTextChunkEncoder, toOpenAITextCompletion } from '../../openai/to-openai-text-completion.js';
import { newCompletionId, SYSTEM_FINGERPRINT } from '../../openai/openai-ids.js';
import { answerGeneration } from '../generation/answer-generation.js';
import type { StreamingDeps } from '../generation/generation-metrics.js';

export interface CompletionsRouteDeps extends StreamingDeps {
  backend: ChatBackend;
}

/** POST /v1/completions and /beta/completions (DeepSeek-style FIM clients): prompt + optional suffix → /api/generate. */
export function completionsRoute(deps: CompletionsRouteDeps) {
  return async function completions({ request, stream, includeUsage }: TextCall, req: HttpRequest, res: HttpResponse): Promise<void> {
    const meta = { id: newCompletionId(), created: Math.floor(Date.now() / 1000), model: request.model, systemFingerprint: SYSTEM_FINGERPRINT };
    const echoPrompt = request.echo ? request.prompt : undefined;
    await answerGeneration(deps, res, {
      model: request.model,
      stream,
      complete: (ctx) => deps.backend.completeText(request, ctx),
      events: (ctx) => deps.backend.streamText(request, ctx),
      body: (result) => toOpenAITextCompletion(result, { ...meta, echoPrompt }),
      encoder: () => createTextChunkEncoder({ ...meta, includeUsage, echoPrompt }),
    });
  };
}
