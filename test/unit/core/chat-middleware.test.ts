import { describe, expect, it } from 'vitest';
import type { CallContext, ChatBackend } from '../../../src/core/chat-backend.js';
import { collectResult, replayEvents, type ChatEvent } from '../../../src/core/chat-event.js';
import { composeBackend, defineChatMiddleware } from '../../../src/core/chat-middleware.js';
import type { ChatRequest, EmbeddingRequest } from '../../../src/core/chat-request.js';
import type { ChatResult } from '../../../src/core/chat-result.js';
import { ModelNotFoundError, PermissionDeniedError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { ANONYMOUS } from '../../../src/core/principal.js';

// defineChatMiddleware over a recording backend: what reaches the next stage, what comes back, and that calls
// a stage does not touch go straight through.
const ctx = (): CallContext => ({ signal: new AbortController().signal, requestId: 'r1', principal: ANONYMOUS, logger: silentLogger, outcome: {} });
const chat = (model = 'm'): ChatRequest => ({ model, messages: [{ role: 'user', content: 'hi' }], sampling: {} });
const answer = (model: string): ChatResult => ({
  model,
  createdAt: new Date(0),
  message: { role: 'assistant', content: `from ${model}` },
  finishReason: 'stop',
  usage: { promptTokens: 1, completionTokens: 2 },
});

function recordingBackend(): ChatBackend & { models: string[] } {
  const models: string[] = [];
  return {
    models,
    complete: async (request) => (models.push(request.model), answer(request.model)),
    stream: (request) => (models.push(request.model), replayEvents(answer(request.model))),
    completeText: async (request) => (models.push(request.model), answer(request.model)),
    streamText: (request) => (models.push(request.model), replayEvents(answer(request.model))),
    embed: async (request: EmbeddingRequest) => (models.push(request.model), { model: request.model, embeddings: [[1]], promptTokens: 1 }),
    listModels: async () => [{ id: 'm', createdAt: new Date(0), ownedBy: 'library' }],
  };
}

async function events(stream: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const seen: ChatEvent[] = [];
  for await (const event of stream) seen.push(event);
  return seen;
}

describe('defineChatMiddleware', () => {
  it('applies transformRequest to chat, text and embedding calls, synchronous or not', async () => {
    const backend = recordingBackend();
    const renamed = defineChatMiddleware({ transformRequest: (request) => ({ ...request, model: `${request.model}:sync` }) })(backend);
    const later = defineChatMiddleware({ transformRequest: async (request) => ({ ...request, model: `${request.model}:async` }) })(backend);
    await renamed.complete(chat(), ctx());
    await events(renamed.stream(chat(), ctx()));
    await renamed.completeText({ model: 't', prompt: 'p', sampling: {} }, ctx());
    await renamed.embed({ model: 'e', inputs: ['x'] }, ctx());
    expect((await collectResult(later.stream(chat(), ctx()))).message.content).toBe('from m:async');
    expect(backend.models).toEqual(['m:sync', 'm:sync', 't:sync', 'e:sync', 'm:async']);
  });

  it('reports a refusing transform as the promise’s rejection, and as a stream’s first pull, never as a throw', async () => {
    const backend = recordingBackend();
    const refusing = defineChatMiddleware({
      transformRequest: () => {
        throw new PermissionDeniedError('no');
      },
    })(backend);
    const completion = refusing.complete(chat(), ctx());
    const stream = refusing.stream(chat(), ctx());
    await expect(completion).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(backend.models).toEqual([]);
  });

  it('hands a stream it does not wrap over as the next stage made it: no wrapper, no extra step per event', () => {
    const backend = recordingBackend();
    const made = replayEvents(answer('m'));
    backend.stream = () => made;
    const wrapsCompletions = defineChatMiddleware({ wrapComplete: (request, context, next) => next(request, context) })(backend);
    const transformsOnly = defineChatMiddleware({ transformRequest: (request) => request })(backend);
    expect(wrapsCompletions.stream(chat(), ctx())).toBe(made);
    expect(transformsOnly.stream(chat(), ctx())).toBe(made);
  });

  it('maps errors of the stages below with the request it received, for streams before their first event', async () => {
    const failing: ChatBackend = {
      ...recordingBackend(),
      complete: () => Promise.reject(new ModelNotFoundError('gone')),
      stream: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new ModelNotFoundError('gone')) }) }),
    };
    const explained = defineChatMiddleware({
      transformRequest: (request) => ({ ...request, model: 'resolved' }),
      mapError: async (error, request) => {
        throw new Error(`${request.model}: ${(error as Error).message}`);
      },
    })(failing);
    await expect(explained.complete(chat('asked'), ctx())).rejects.toThrow(/^asked: /);
    await expect(events(explained.stream(chat('asked'), ctx()))).rejects.toThrow(/^asked: /);
  });

  it('composes the first middleware outermost and wraps the model list only where asked', async () => {
    const backend = recordingBackend();
    const tag = (suffix: string) => defineChatMiddleware({ transformRequest: (request) => ({ ...request, model: request.model + suffix }) });
    const listing = defineChatMiddleware({ wrapListModels: async (context, next) => [...(await next(context)), { id: 'alias', createdAt: new Date(0), ownedBy: 'proxy' }] });
    const composed = composeBackend(backend, tag('-outer'), listing, tag('-inner'));
    await composed.complete(chat(), ctx());
    expect(backend.models).toEqual(['m-outer-inner']);
    expect((await composed.listModels(ctx())).map((model) => model.id)).toEqual(['m', 'alias']);
  });
});
