import type { Request, Response } from 'express';
import type { ChatBackend } from '../../core/chat-backend.js';
import type { ConversationStore } from '../../core/conversation-store.js';
import type { Principal } from '../../core/principal.js';
import { newItemId, newResponseId } from '../../openai-responses/responses-ids.js';
import { readStoredPayload, toInputItemList } from '../../openai-responses/stored-response.js';
import { toCompactRequest } from '../../openai-responses/to-compact-request.js';
import { toCompactedResponse } from '../../openai-responses/to-compaction.js';
import type { Metrics } from '../../observability/metrics.js';
import { callContext } from '../locals.js';
import { recordUsage } from '../generation/generation-metrics.js';

// Stored responses: GET and DELETE /v1/responses/{id}, GET /v1/responses/{id}/input_items, and
// POST /v1/responses/compact (the summary memory writes the compacted conversation).

export interface StoredResponsesDeps {
  conversations: ConversationStore;
  backend: ChatBackend;
  metrics: Metrics;
  authorizeModel?: (principal: Principal | undefined, model: string) => void;
}

export function storedResponsesRoutes(deps: StoredResponsesDeps) {
  const { conversations } = deps;
  const load = async (req: Request, res: Response) => {
    const stored = await conversations.load(String(req.params.id), res.locals.principal!);
    return readStoredPayload(stored.payload);
  };
  return {
    async get(req: Request, res: Response): Promise<void> {
      res.json((await load(req, res)).response);
    },
    async inputItems(req: Request, res: Response): Promise<void> {
      res.json(toInputItemList((await load(req, res)).input_items, req.query));
    },
    async delete(req: Request, res: Response): Promise<void> {
      const id = String(req.params.id);
      await conversations.delete(id, res.locals.principal!);
      res.json({ id, object: 'response', deleted: true });
    },
    async compact(req: Request, res: Response): Promise<void> {
      const locals = res.locals;
      const call = toCompactRequest(req.body);
      deps.authorizeModel?.(locals.principal, call.model);
      locals.model = call.model;
      const previous = call.previousResponseId === undefined ? undefined : await conversations.load(call.previousResponseId, locals.principal!);
      const messages = [...(previous?.messages() ?? []), ...call.input];
      const { summary, usage } = await conversations.summarize(call.model, messages, callContext(locals));
      recordUsage(res, deps.metrics, call.model, usage);
      const meta = { id: newResponseId(), createdAt: Math.floor(Date.now() / 1000), newItemId };
      res.json(toCompactedResponse(messages, summary, usage, meta));
    },
  };
}
