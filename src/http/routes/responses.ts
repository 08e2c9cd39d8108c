import type { ChatMessage, ChatRequest } from '../../core/chat-request.js';
import type { ConversationStore, StoredConversation } from '../../core/conversation-store.js';
import type { ResponsesMeta, ResponseEnd } from '../../openai-responses/response-object.js';
import type { ResponsesObject } from '../../openai-responses/responses-output.js';
import { newItemId, newResponseId } from '../../openai-responses/responses-ids.js';
import { fromChatResult } from '../../openai-responses/from-chat-result.js';
import type { ResponsesCall } from '../../openai-responses/to-chat-request.js';
import { createResponsesEncoder, type ResponsesEncoder } from '../../openai-responses/to-response-events.js';
import type { StoredResponsePayload } from '../../openai-responses/stored-response.js';
import type { HttpRequest, HttpResponse } from '../http-types.js';
import { sessionIdOf } from '../session-id.js';
import { answerGeneration, type ChatRouteDeps } from '../generation/answer-generation.js';

// POST /v1/responses (and /responses): the Responses API on the same pipeline as chat. The body becomes a
// canonical request; a previous_response_id puts the stored conversation (fitted by the memory strategy)
// between the instructions and the new input; the answer is a response object or the typed event stream.

export interface ResponsesRouteDeps extends ChatRouteDeps {
  conversations: ConversationStore;
}

const seconds = (): number => Math.floor(Date.now() / 1000);

/** Header values are ASCII on one line; client-chosen tool names could be anything. */
function warningHeader(warnings: readonly string[]): string {
  return warnings.join('; ').replace(/[^\x20-\x7e]/g, '?').slice(0, 2000);
}

function withHistory(call: ResponsesCall, previous: StoredConversation | undefined): ChatRequest {
  if (!previous) return call.request;
  const messages = previous.prepare(call.input);
  return { ...call.request, messages: call.instructions ? [call.instructions, ...messages] : messages };
}

export function responsesRoute(deps: ResponsesRouteDeps) {
  return async function createResponse(call: ResponsesCall, req: HttpRequest, res: HttpResponse): Promise<void> {
    const locals = res.locals;
    const principal = locals.principal!;
    const previous = call.previousResponseId === undefined ? undefined : await deps.conversations.load(call.previousResponseId, principal);
    const request = withHistory(call, previous);
    if (call.warnings.length > 0) res.setHeader('x-proxy-warning', warningHeader(call.warnings));
    const meta: ResponsesMeta = { id: newResponseId(), createdAt: seconds(), echo: call.echo, toolNames: call.toolNames, newItemId, now: seconds };
    const store = async (response: ResponsesObject, answer: ChatMessage) => {
      const payload: StoredResponsePayload = { response, input_items: call.inputItems };
      const entry = { model: request.model, createdAt: meta.createdAt, input: call.input, answer, payload };
      try {
        await deps.conversations.save(meta.id, principal, previous ? { ...entry, previous } : entry);
      } catch (error) {
        // The answer exists and is worth delivering; only a later previous_response_id will miss it.
        locals.logger!.error('storing the response failed', { responseId: meta.id, error: (error as Error).message });
      }
    };
    let encoder: ResponsesEncoder | undefined;
    await answerGeneration(deps, res, {
      model: request.model,
      stream: call.stream,
      sessionId: sessionIdOf(req),
      complete: (ctx) => deps.backend.complete(request, ctx),
      events: (ctx) => deps.backend.stream(request, ctx),
      body: async (result) => {
        const response = fromChatResult(result, meta);
        if (call.store) await store(response, result.message);
        return response;
      },
      encoder: () => (encoder = createResponsesEncoder(meta)),
      // Saved before the terminal event goes out: a client may ask for the response as soon as it sees that event.
      ...(call.store ? { onFinish: (end: ResponseEnd) => store(encoder!.settle(end), encoder!.assistantMessage()) } : {}),
    });
  };
}
