import type { HttpRequest, HttpResponse } from '../http-types.js';
import { sendJson } from '../json-response.js';
import type { EmbeddingPort } from '../../core/chat-backend.js';
import type { Metrics } from '../../observability/metrics.js';
import type { EmbeddingCall } from '../../openai/to-embedding-request.js';
import { toOpenAIEmbeddingList } from '../../openai/to-openai-embeddings.js';
import { callContext } from '../locals.js';
import { annotationHeaders, recordUsage } from '../generation/generation-metrics.js';

export interface EmbeddingsRouteDeps {
  backend: EmbeddingPort;
  metrics: Metrics;
}

/** POST /v1/embeddings (the route's parse step has checked the model against the key's allow-list): string or array input; float or base64 (the openai SDK asks for base64 by default). */
export function embeddingsRoute(deps: EmbeddingsRouteDeps) {
  return async function embeddings({ request, encodingFormat }: EmbeddingCall, _req: HttpRequest, res: HttpResponse): Promise<void> {
    const locals = res.locals;
    locals.model = request.model;
    const result = await deps.backend.embed(request, callContext(locals));
    recordUsage(res, deps.metrics, result.model, { promptTokens: result.promptTokens, completionTokens: 0 });
    annotationHeaders(res);
    sendJson(res, toOpenAIEmbeddingList(result, encodingFormat, result.model));
  };
}
