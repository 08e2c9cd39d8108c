import type { CallContext, ChatBackend } from '../core/chat-backend.js';
import type { ChatEvent } from '../core/chat-event.js';
import type { ChatRequest, EmbeddingRequest, TextRequest } from '../core/chat-request.js';
import type { ChatResult, EmbeddingResult, ModelInfo, Usage } from '../core/chat-result.js';
import type { ModelRuntime } from '../core/model-runtime.js';
import { deferStream } from '../core/defer-stream.js';
import { UpstreamError } from '../core/errors.js';
import { decodeNdjsonBatches } from '../shared/ndjson.js';
import { randomIdPart } from '../shared/random-id.js';
import {
  createChatLineReducer,
  createGenerateLineReducer,
  fromOllamaChatResponse,
  fromOllamaGenerateResponse,
  type LineReducer,
  type OllamaResponseContext,
} from './from-ollama-response.js';
import { fromOllamaShow, fromOllamaTags } from './from-ollama-tags.js';
import type { HostPool } from './host-pool.js';
import { inspectHost, type OllamaHostReport } from './inspect-hosts.js';
import { createOllamaModelRuntime } from './ollama-model-runtime.js';
import { mapOllamaFailure } from './map-ollama-error.js';
import { isInlineThinkingModel } from './model-dialect.js';
import { fromOllamaShowTraits } from './model-traits.js';
import { createModelTraitsCache } from './model-traits-cache.js';
import { createCallPlanner, type ContextOverflowPolicy } from './ollama-call-planner.js';
import {
  ollamaEmbedResponseSchema,
  ollamaShowSchema,
  ollamaTagsSchema,
  ollamaVersionSchema,
} from './ollama-wire.js';
import { readOllamaChatLine, readOllamaGenerateLine } from './read-ollama-line.js';
import { toOllamaChatRequest, toOllamaEmbedRequest, toOllamaGenerateRequest } from './to-ollama-request.js';
import {
  createOllamaTransport,
  readJson,
  type OllamaFetch,
  type OllamaFetchResponse,
  type OllamaTransport,
} from './ollama-transport.js';

export interface OllamaBackendOptions {
  /** The hosts and the order to try them in (src/fleet/): the pool the native passthrough uses too. */
  pool: HostPool;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  now?: () => Date;
  /** Ids for tool calls Ollama sent without one. */
  newId?: () => string;
  /** Replaces undici's fetch (see ollama-transport.ts). The global fetch fits. */
  fetch?: OllamaFetch;
  maxLineBytes?: number;
  /** A prompt longer than the context: 400 context_length_exceeded (default), or let Ollama cut it and say so. */
  contextOverflow?: ContextOverflowPolicy;
  /** The Ollama server's default num_ctx (its OLLAMA_CONTEXT_LENGTH), for the overflow check. */
  serverNumCtx?: number | undefined;
  /** How long /api/show facts (capabilities, think levels, context length) are reused per model. */
  modelTraitsTtlMs?: number;
}

export interface OllamaProbeResult {
  url: string;
  ok: boolean;
  version?: string;
  error?: string;
}

export interface OllamaBackend extends ChatBackend, ModelRuntime {
  /** POST /api/show: context length, capabilities, family of one model. */
  showModel(name: string, signal: AbortSignal): Promise<ModelInfo>;
  /** GET /api/version on every host; also brings recovered hosts back into rotation. */
  probe(signal: AbortSignal): Promise<OllamaProbeResult[]>;
  /** Each host's reachability, version and installed models (start-up report, `doctor`). */
  inspectHosts(signal: AbortSignal): Promise<OllamaHostReport[]>;
  close(): Promise<void>;
}

/** A tool call's id where Ollama sent none (before 0.12.10): OpenAI's shape, `call_` and 24 of [A-Za-z0-9]. */
const newToolCallId = (): string => `call_${randomIdPart()}`;

export function createOllamaBackend(options: OllamaBackendOptions): OllamaBackend {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? newToolCallId;
  const pool = options.pool;
  const transport = createOllamaTransport({ ...options, pool });
  const streamOptions = options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes };
  const responseContext = (inlineThinking: boolean): OllamaResponseContext => ({ newId, now, inlineThinking });
  // parallelToolCalls: false keeps only the first tool call, enforced here once for every protocol.
  const chatContext = (request: ChatRequest): OllamaResponseContext =>
    request.parallelToolCalls === false ? { ...responseContext(chatInlineThinking(request)), singleToolCall: true } : responseContext(chatInlineThinking(request));
  const showTraits = async (model: string) => {
    const signal = AbortSignal.timeout(options.headersTimeoutMs);
    const response = await transport.send({ method: 'POST', path: '/api/show', body: { model }, signal, model });
    return fromOllamaShowTraits(await readJson(response, ollamaShowSchema, 'model description'));
  };
  const traits = createModelTraitsCache({
    load: showTraits,
    ttlMs: options.modelTraitsTtlMs ?? 300_000,
    failureTtlMs: 10_000,
    now: () => now().getTime(),
  });
  const planner = createCallPlanner({ traits, overflow: options.contextOverflow ?? 'error', serverNumCtx: options.serverNumCtx });

  const post = (path: string, body: unknown, ctx: CallContext, model: string) =>
    transport.send({ method: 'POST', path, body, signal: ctx.signal, model, logger: ctx.logger, outcome: ctx.outcome, ...(ctx.sessionId !== undefined && { sessionId: ctx.sessionId }) });

  async function* streamEvents<L>(
    response: OllamaFetchResponse,
    read: (value: unknown) => L,
    reduce: LineReducer<L>,
    onFinish?: (usage: Usage) => void,
  ) {
    if (!response.body) throw new UpstreamError('Ollama answered without a body.');
    // The finish event is held until the body ends (right after the done line) so the connection is read
    // to completion and goes back to the keep-alive pool instead of being cancelled by an early return.
    let finish: ChatEvent | undefined;
    try {
      // One async step per network read: the lines a read completed are reduced in a plain loop.
      for await (const values of decodeNdjsonBatches(response.body, streamOptions)) {
        for (const value of values) {
          if (finish) break;
          for (const event of reduce(read(value))) {
            if (event.type === 'finish') finish = event;
            else yield event;
          }
        }
      }
    } catch (error) {
      if (!finish) throw mapOllamaFailure(error);
    }
    if (!finish) throw new UpstreamError('Ollama closed the stream before its final line.');
    if (onFinish && finish.type === 'finish') onFinish(finish.usage);
    yield finish;
  }

  return {
    ...createOllamaModelRuntime(transport, streamOptions),

    async complete(request, ctx): Promise<ChatResult> {
      const plan = await planner.chat(request, ctx);
      const response = await post('/api/chat', toOllamaChatRequest(request, false, plan.settings), ctx, request.model);
      const body = await readJson(response, readOllamaChatLine, 'chat response');
      const result = fromOllamaChatResponse(body, chatContext(request));
      plan.observe(result.usage);
      return result;
    },

    stream: (request, ctx) =>
      deferStream(async () => {
        const plan = await planner.chat(request, ctx);
        const response = await post('/api/chat', toOllamaChatRequest(request, true, plan.settings), ctx, request.model);
        const reduce = createChatLineReducer(chatContext(request));
        return streamEvents(response, readOllamaChatLine, reduce, plan.observe);
      }),

    async completeText(request, ctx): Promise<ChatResult> {
      const response = await post('/api/generate', toOllamaGenerateRequest(request, false, planner.text(request)), ctx, request.model);
      const body = await readJson(response, readOllamaGenerateLine, 'generate response');
      return fromOllamaGenerateResponse(body, responseContext(textInlineThinking(request)));
    },

    streamText: (request, ctx) =>
      deferStream(async () => {
        const response = await post('/api/generate', toOllamaGenerateRequest(request, true, planner.text(request)), ctx, request.model);
        return streamEvents(response, readOllamaGenerateLine, createGenerateLineReducer(responseContext(textInlineThinking(request))));
      }),

    async embed(request: EmbeddingRequest, ctx): Promise<EmbeddingResult> {
      const response = await post('/api/embed', toOllamaEmbedRequest(request), ctx, request.model);
      const body = await readJson(response, ollamaEmbedResponseSchema, 'embed response');
      if (body.embeddings.length !== request.inputs.length) {
        throw new UpstreamError(`Ollama returned ${body.embeddings.length} embeddings for ${request.inputs.length} inputs.`);
      }
      return { model: request.model, embeddings: body.embeddings, promptTokens: body.prompt_eval_count ?? 0 };
    },

    async listModels(ctx): Promise<ModelInfo[]> {
      const urls = pool.urls();
      if (urls.length > 1) return listUnion(transport, urls, ctx.signal);
      const response = await transport.send({ method: 'GET', path: '/api/tags', signal: ctx.signal, logger: ctx.logger });
      return fromOllamaTags(await readJson(response, ollamaTagsSchema, 'model list'));
    },

    async showModel(name, signal): Promise<ModelInfo> {
      const response = await transport.send({ method: 'POST', path: '/api/show', body: { model: name }, signal, model: name });
      return fromOllamaShow(name, await readJson(response, ollamaShowSchema, 'model description'));
    },

    probe: (signal) => Promise.all(pool.urls().map((url) => probeHost(transport, url, signal, pool))),
    inspectHosts: (signal) => Promise.all(pool.urls().map((url) => inspectHost(transport, url, signal))),

    close: () => transport.close(),
  };
}

async function probeHost(
  transport: OllamaTransport,
  url: string,
  signal: AbortSignal,
  pool: { markUp(url: string): void },
): Promise<OllamaProbeResult> {
  try {
    const response = await transport.sendTo(url, { method: 'GET', path: '/api/version', signal });
    const { version } = await readJson(response, ollamaVersionSchema, 'version');
    pool.markUp(url);
    return { url, ok: true, version };
  } catch (error) {
    const mapped = mapOllamaFailure(error);
    return { url, ok: false, error: mapped instanceof Error ? mapped.message : String(mapped) };
  }
}

/** Several hosts: every host's /api/tags, one entry per model (first host wins); fails only when no host answers. */
async function listUnion(transport: OllamaTransport, urls: readonly string[], signal: AbortSignal): Promise<ModelInfo[]> {
  const results = await Promise.allSettled(
    urls.map(async (url) => fromOllamaTags(await readJson(await transport.sendTo(url, { method: 'GET', path: '/api/tags', signal }), ollamaTagsSchema, 'model list'))),
  );
  const seen = new Map<string, ModelInfo>();
  let firstError: unknown;
  let answered = 0;
  for (const result of results) {
    if (result.status === 'rejected') {
      firstError ??= result.reason;
      continue;
    }
    answered++;
    for (const model of result.value) if (!seen.has(model.id)) seen.set(model.id, model);
  }
  if (answered === 0) throw mapOllamaFailure(firstError);
  return [...seen.values()];
}

/** Inline `<think>` parsing for R1-like models, unless the client turned reasoning off. */
function chatInlineThinking(request: ChatRequest): boolean {
  return isInlineThinkingModel(request.model) && request.reasoning?.enabled !== false;
}

/** Raw prompts and fill-in-the-middle get no reasoning template, so their text is never reasoning. */
function textInlineThinking(request: TextRequest): boolean {
  return isInlineThinkingModel(request.model) && !request.raw && !request.suffix;
}
