import type { CallContext, ChatPort } from '../core/chat-backend.js';
import { foldEvents, type ChatEvent } from '../core/chat-event.js';
import { defineChatMiddleware, type ChatMiddleware } from '../core/chat-middleware.js';
import type { ChatRequest } from '../core/chat-request.js';
import type { ChatResult } from '../core/chat-result.js';
import type { Principal } from '../core/principal.js';
import { strategyByName } from './memory-strategies/strategy-by-name.js';
import type { OpenSession, SessionRegistry } from './session-memory/session-registry.js';
import { createSessionSummarizer, type SessionSummarizer } from './session-memory/session-summarizer.js';

// Server-side conversations (DESIGN.md 2.6), the outermost feature stage. A request with a session id
// (X-Session-Id) carries only its new messages: the session's strategy prepends the history, and a
// successful answer is committed as a turn. Requests without one go straight to the next stage.

export interface SessionMemoryOptions {
  registry: SessionRegistry;
  summarizerModel?: string;
  /** The caller's model allow-list, for the summarizing call (see session-summarizer.ts). */
  mayUse?: (principal: Principal, model: string) => boolean;
}

function prepare(session: OpenSession, request: ChatRequest, registry: SessionRegistry): ChatRequest {
  const { history } = session.record;
  const messages = strategyByName(history.settings.strategy).prepare(history, request.messages, registry.estimateFor(session.record));
  return { ...request, messages };
}

/** Records the exchange and teaches the estimator from the prompt size Ollama reported. */
async function commit(session: OpenSession, registry: SessionRegistry, sent: ChatRequest, request: ChatRequest, result: ChatResult, ctx: CallContext): Promise<boolean> {
  registry.estimator.observePrompt(sent, result);
  const record = { ...session.record, model: sent.model };
  const history = strategyByName(record.history.settings.strategy).commit(record.history, request.messages, result.message, registry.estimateFor(record));
  try {
    await session.save({ ...record, history });
    return true;
  } catch (error) {
    // The answer exists and is worth delivering; the session just misses this turn.
    ctx.logger.error('session commit failed', { sessionId: session.id, error: (error as Error).message });
    return false;
  }
}

interface TurnDeps {
  registry: SessionRegistry;
  next: ChatPort;
  summarizer: SessionSummarizer;
}

async function completeTurn(deps: TurnDeps, request: ChatRequest, ctx: CallContext, id: string): Promise<ChatResult> {
  const session = await deps.registry.open(id, ctx.principal, ctx.signal);
  let isCommitted = false;
  try {
    const sent = prepare(session, request, deps.registry);
    const result = await deps.next.complete(sent, ctx);
    isCommitted = await commit(session, deps.registry, sent, request, result, ctx);
    return result;
  } finally {
    await session.release();
    if (isCommitted) deps.summarizer.schedule(id, ctx);
  }
}

async function* streamTurn(deps: TurnDeps, request: ChatRequest, ctx: CallContext, id: string): AsyncGenerator<ChatEvent> {
  const session = await deps.registry.open(id, ctx.principal, ctx.signal);
  let isCommitted = false;
  try {
    const sent = prepare(session, request, deps.registry);
    const seen: ChatEvent[] = [];
    try {
      for await (const event of deps.next.stream(sent, ctx)) {
        seen.push(event);
        yield event;
      }
    } finally {
      // Consumers stop pulling once they have the finish event, so the commit happens here: the upstream
      // finished cleanly and the client is still there (the whole answer has been handed to it).
      if (seen.at(-1)?.type === 'finish' && !ctx.signal.aborted) {
        isCommitted = await commit(session, deps.registry, sent, request, foldEvents(seen)!, ctx);
      }
    }
  } finally {
    await session.release();
    if (isCommitted) deps.summarizer.schedule(id, ctx);
  }
}

export function sessionMemory(options: SessionMemoryOptions): ChatMiddleware {
  const { registry } = options;
  return defineChatMiddleware((next) => {
    const summarizer = createSessionSummarizer({
      registry,
      backend: next,
      ...(options.summarizerModel ? { summarizerModel: options.summarizerModel } : {}),
      ...(options.mayUse ? { mayUse: options.mayUse } : {}),
    });
    const deps: TurnDeps = { registry, next, summarizer };
    // Without a session id the request goes straight on: stateless traffic pays nothing for this stage.
    return {
      wrapComplete: (request, ctx, complete) => (ctx.sessionId === undefined ? complete(request, ctx) : completeTurn(deps, request, ctx, ctx.sessionId)),
      wrapStream: (request, ctx, stream) => (ctx.sessionId === undefined ? stream(request, ctx) : streamTurn(deps, request, ctx, ctx.sessionId)),
    };
  });
}
