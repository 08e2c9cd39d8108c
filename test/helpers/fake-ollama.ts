// A fake Ollama on a real socket (127.0.0.1, ephemeral port) speaking the native API and the /v1
// compat chat route. Tests script one-shot replies per route; otherwise a deterministic model
// answers. Every request is recorded, and client disconnects are counted (abort propagation).
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAllowedHost, isAllowedOrigin } from './fake-ollama/check-host.js';
import { openExchange, sendRaw, type Exchange } from './fake-ollama/exchange.js';
import { createFastReplies, FAST_ROUTES } from './fake-ollama/fast-replies.js';
import { defaultModels, type FakeModel } from './fake-ollama/fake-model.js';
import type { HandlerContext } from './fake-ollama/handler-context.js';
import { createModelState, type LoadedModel, type ModelState } from './fake-ollama/model-state.js';
import { modelKey } from './fake-ollama/model-name.js';
import { writeReply, type Reply } from './fake-ollama/reply.js';
import { dispatch } from './fake-ollama/routes.js';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Path with the query string, as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when the body is not JSON ('' when empty). */
  body: unknown;
  /** Epoch milliseconds when the body had been read. */
  at: number;
}

export interface FakeOllamaOptions {
  /** Installed models; defaults to defaultModels(). */
  models?: FakeModel[];
  /** Pause between streamed lines (default 0); stream:false waits the same total. */
  tokenDelayMs?: number;
  /** Benchmark mode: chat/generate/v1 chat answer from prebuilt bodies, no validation. */
  fast?: boolean;
  /** Refuse (403, empty body) a non-local Host or a foreign Origin, as Ollama on loopback does. Default true. */
  checkHost?: boolean;
  /** What /api/version reports. */
  version?: string;
  /** Record requests in `requests`; default true, false in fast mode (bounded memory). */
  record?: boolean;
  /**
   * Generation requests (/api/chat, /api/generate, /api/embed, /v1/chat/completions) served at once; one more
   * gets 503 `server busy`, as Ollama answers when its queue is full. Default unlimited.
   */
  maxParallel?: number;
  /** A generation whose model is installed but not in `loaded` first waits this long, as Ollama loads it. Default 0. */
  coldLoadDelayMs?: number;
  /**
   * Chat: wait per prompt token that is evaluated, i.e. not already in the KV cache of the slot the request takes
   * (one slot per maxParallel per model, default one). Default 0; use it in the bench, not in tests.
   */
  promptTokenDelayMs?: number;
  /** Port on 127.0.0.1; default an ephemeral one (a bench restarts a killed host on its old port). */
  port?: number;
  /** Models in memory at once (OLLAMA_MAX_LOADED_MODELS): loading one more unloads the least recently used. Default unlimited. */
  maxLoaded?: number;
}

export interface FakeOllama {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests whose client connection closed before the response ended. */
  readonly closedRequests: number;
  /** The installed set; pull/create/copy/delete change it. Mutable by tests. */
  readonly models: FakeModel[];
  /** What /api/ps reports (entries past expiresAt are hidden). */
  readonly loaded: LoadedModel[];
  /** Times a generation had to load its model first (it was not in `loaded`). */
  readonly coldLoads: number;
  /** Generation requests being served now. */
  readonly inFlight: number;
  /** Prompt tokens this host evaluated, and read from its KV caches instead, since the start or reset(). */
  readonly promptTokens: { readonly evaluated: number; readonly cached: number };
  /** Generation requests naming a model this host does not have (answered 404). */
  readonly missingModelRequests: number;
  /** Requests refused with 503 because `maxParallel` were in flight. */
  readonly busyRefusals: number;
  /** Queues one-shot replies for a path such as '/api/chat', used first-in first-out. */
  script(route: string, ...replies: Reply[]): void;
  /** Scripted replies not yet used for the route. */
  pendingScripts(route: string): number;
  /** Forgets requests, counters and scripts; restores the initial models; unloads everything. */
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_OLLAMA_VERSION = '0.32.15';

function record(ex: Exchange): RecordedRequest {
  return { method: ex.method, path: ex.path, url: ex.req.url ?? ex.path, headers: ex.req.headers, body: ex.body, at: Date.now() };
}

interface Runtime {
  readonly state: ModelState;
  readonly ctx: HandlerContext;
  readonly requests: RecordedRequest[];
  readonly scripts: Map<string, Reply[]>;
  readonly fastReply: ReturnType<typeof createFastReplies> | undefined;
  readonly isRecording: boolean;
  readonly isCheckingHost: boolean;
  closedRequests: number;
  isClosing: boolean;
  readonly maxParallel: number;
  readonly coldLoadDelayMs: number;
  inFlight: number;
  busyRefusals: number;
  missingModelRequests: number;
}

const GENERATION_ROUTES = new Set(['/api/chat', '/api/generate', '/api/embed', '/api/embeddings', '/v1/chat/completions']);

function createRuntime(opts: FakeOllamaOptions): Runtime {
  const slots = opts.maxParallel !== undefined && Number.isFinite(opts.maxParallel) ? opts.maxParallel : 1;
  const state = createModelState(opts.models ?? defaultModels(), { slots, ...(opts.maxLoaded === undefined ? {} : { maxLoaded: opts.maxLoaded }) });
  return {
    state,
    ctx: { state, tokenDelayMs: opts.tokenDelayMs ?? 0, promptTokenDelayMs: opts.promptTokenDelayMs ?? 0, version: opts.version ?? FAKE_OLLAMA_VERSION },
    requests: [],
    scripts: new Map(),
    fastReply: opts.fast === true ? createFastReplies() : undefined,
    isRecording: opts.record ?? opts.fast !== true,
    isCheckingHost: opts.checkHost ?? true,
    closedRequests: 0,
    isClosing: false,
    maxParallel: opts.maxParallel ?? Infinity,
    coldLoadDelayMs: opts.coldLoadDelayMs ?? 0,
    inFlight: 0,
    busyRefusals: 0,
    missingModelRequests: 0,
  };
}

async function handle(rt: Runtime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const ex = await openExchange(req, res, { onClientAbort: () => void (rt.isClosing || rt.closedRequests++) });
  if (rt.isRecording) rt.requests.push(record(ex));
  if (rt.isCheckingHost && !(isAllowedHost(req.headers.host) && isAllowedOrigin(req.headers.origin))) {
    return sendRaw(ex, 403, '', {});
  }
  if (!GENERATION_ROUTES.has(ex.path) || ex.method !== 'POST') return serve(rt, ex);
  if (rt.inFlight >= rt.maxParallel) {
    rt.busyRefusals++;
    return sendRaw(ex, 503, JSON.stringify({ error: 'server busy, please try again.  maximum pending requests exceeded' }), {
      'Content-Type': 'application/json; charset=utf-8',
    });
  }
  rt.inFlight++;
  if (isMissingModel(rt, ex.body)) rt.missingModelRequests++;
  try {
    if (rt.coldLoadDelayMs > 0 && needsLoad(rt, ex.body)) await new Promise((resolve) => setTimeout(resolve, rt.coldLoadDelayMs));
    await serve(rt, ex);
  } finally {
    rt.inFlight--;
  }
}

function isMissingModel(rt: Runtime, body: unknown): boolean {
  const name = (body as { model?: unknown } | null)?.model;
  return typeof name === 'string' && name !== '' && rt.state.find(name) === undefined;
}

/** The body names an installed model that is not loaded (expired entries count as unloaded). */
function needsLoad(rt: Runtime, body: unknown): boolean {
  const name = (body as { model?: unknown } | null)?.model;
  if (typeof name !== 'string' || rt.state.find(name) === undefined) return false;
  const key = modelKey(name);
  const now = Date.now();
  return !rt.state.loaded.some((entry) => modelKey(entry.name) === key && entry.expiresAt.getTime() > now);
}

async function serve(rt: Runtime, ex: Exchange): Promise<void> {
  const reply = rt.scripts.get(ex.path)?.shift();
  if (reply) return writeReply(ex, reply);
  if (rt.fastReply && ex.method === 'POST' && FAST_ROUTES.has(ex.path)) return rt.fastReply(ex, rt.ctx.tokenDelayMs);
  await dispatch(ex, rt.ctx);
}

async function listen(rt: Runtime, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    handle(rt, req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

export async function startFakeOllama(opts: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const rt = createRuntime(opts);
  const server = await listen(rt, opts.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: rt.requests,
    get closedRequests() {
      return rt.closedRequests;
    },
    models: rt.state.models,
    loaded: rt.state.loaded,
    get coldLoads() {
      return rt.state.coldLoads;
    },
    get inFlight() {
      return rt.inFlight;
    },
    get busyRefusals() {
      return rt.busyRefusals;
    },
    promptTokens: rt.state.promptTokens,
    get missingModelRequests() {
      return rt.missingModelRequests;
    },
    script(route, ...replies) {
      const path = route.split('?')[0] ?? route;
      rt.scripts.set(path, [...(rt.scripts.get(path) ?? []), ...replies]);
    },
    pendingScripts: (route) => rt.scripts.get(route)?.length ?? 0,
    reset() {
      rt.requests.splice(0, rt.requests.length);
      rt.scripts.clear();
      rt.closedRequests = 0;
      rt.busyRefusals = 0;
      rt.missingModelRequests = 0;
      rt.state.reset();
    },
    async close() {
      rt.isClosing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

export { chatJson, chatLines, doneMetrics, generateJson, generateLines } from './fake-ollama/chat-lines.js';
export type { ChatLinesSpec, FakeToolCall, GenerateLinesSpec } from './fake-ollama/chat-lines.js';
export { defaultModels, fakeModel } from './fake-ollama/fake-model.js';
export type { FakeModel, FakeModelDetails, ModelCapability } from './fake-ollama/fake-model.js';
export type { LoadedModel } from './fake-ollama/model-state.js';
export { hang, replyError, replyJson, replyNdjson } from './fake-ollama/reply.js';
export type { Reply } from './fake-ollama/reply.js';
