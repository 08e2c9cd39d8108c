import { startFakeOllama, type FakeOllama } from './fake-ollama.js';
import type { KeyStoreBackend } from './key-store-backends.js';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.js';

// An app with access control on one key-store backend, a movable clock, a fetch-based client, and a record
// of every secret handed out, so a suite can finally check that none of them reached a log line.

export const MASTER_KEY = 'master-key-for-access-tests-0123456789';

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

export interface KeyJson {
  id: string;
  object: 'api_key';
  name: string;
  prefix: string;
  scopes: string[];
  models: string[] | null;
  tier: string | null;
  metadata: Record<string, unknown>;
  status: 'active' | 'expired' | 'revoked';
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  previous_secret_valid_until: string | null;
  secret?: string;
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface AccessApp {
  app: TestApp;
  fake: FakeOllama;
  /** The env the app was started with (DATABASE_URL, DATA_DIR …), e.g. to point the CLI at the same store. */
  env: Record<string, string>;
  /** Every key secret and token handed out so far. */
  secrets: string[];
  now(): Date;
  advance(ms: number): void;
  call<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** POST /api/v1/keys with the master key; returns the new key (secret included). */
  createKey(settings: Record<string, unknown>): Promise<KeyJson & { secret: string }>;
  chat(key: string, model?: string): Promise<ApiResponse<unknown>>;
  close(): Promise<void>;
}

export interface AccessAppOptions {
  env?: Record<string, string>;
  file?: TestAppOptions['file'];
  fake?: FakeOllama;
  /** Where the app's clock starts (epoch ms; default: now). */
  startAt?: number;
  /** Use this store instead of a fresh one: the `env` of another AccessApp (both then share keys and audit). */
  shareStoreWith?: Record<string, string>;
  /** Replaces app dependencies (e.g. consoleDir). */
  overrides?: TestAppOptions['overrides'];
}

export async function startAccessApp(backend: KeyStoreBackend, options: AccessAppOptions = {}): Promise<AccessApp> {
  const ownsFake = options.fake === undefined;
  const fake = options.fake ?? (await startFakeOllama());
  let clock = options.startAt ?? Date.now();
  const env = { MASTER_KEY, ...(await backend.env(options.shareStoreWith)), ...options.env };
  const app = await startTestApp({ ollamaUrl: fake.url, env, now: () => new Date(clock), ...(options.file ? { file: options.file } : {}), ...(options.overrides ? { overrides: options.overrides } : {}) });
  const secrets: string[] = [MASTER_KEY];

  async function call<T>(method: string, path: string, request: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...request.headers };
    if (request.key !== undefined) headers.authorization = `Bearer ${request.key}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
    const text = await response.text();
    const body = (text === '' ? undefined : JSON.parse(text)) as T;
    const token = (body as { token?: unknown } | undefined)?.token;
    const secret = (body as { secret?: unknown } | undefined)?.secret;
    for (const value of [token, secret]) if (typeof value === 'string') secrets.push(value);
    return { status: response.status, headers: response.headers, body };
  }

  return {
    app,
    fake,
    env: { ...env, DATA_DIR: app.config.dataDir },
    secrets,
    now: () => new Date(clock),
    advance: (ms) => void (clock += ms),
    call,
    async createKey(settings) {
      const response = await call<KeyJson & { secret: string }>('POST', '/api/v1/keys', { key: MASTER_KEY, body: settings });
      if (response.status !== 201) throw new Error(`creating a key failed: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    chat: (key, model = 'deepseek-r1:7b') =>
      call('POST', '/v1/chat/completions', { key, body: { model, messages: [{ role: 'user', content: 'hi' }] } }),
    async close() {
      await app.close();
      if (ownsFake) await fake.close();
    },
  };
}

/** Lines of captured log output that contain any of the secrets (there must be none). */
export function leakedSecrets(logs: readonly string[], secrets: readonly string[]): string[] {
  return logs.filter((line) => secrets.some((secret) => secret.length > 0 && line.includes(secret)));
}
