import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MASTER_KEY, startAccessApp, type AccessApp } from '../../helpers/access-app.js';
import { lastExpressApp, recordExpressApps, routesOf, type AppRoute } from '../../helpers/app-routes.js';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { dropSchemas, keyStoreBackends } from '../../helpers/key-store-backends.js';
import { parseResponse, rawExchange, rawRequest, type RawResponse } from '../../helpers/raw-http.js';

// The attack list for the access-control boundary (issue 12, "keep them closed"). Data-driven: every admin
// route the app registers (read from its router, so a new route is covered without editing this file) and
// every admin route of Ollama's native API, against forged and insufficient credentials and against every
// spelling of its path a client can put in a request line; plus request smuggling (Content-Length and
// Transfer-Encoding together). Raw sockets send the request targets exactly as written.

const [sqlite] = await keyStoreBackends();
afterAll(dropSchemas);

/** Routes under /api/v1 that are not admin-only; every other /api/v1 route the app registers must need `admin`. */
const NON_ADMIN_ROUTES = new Set([
  'POST /api/v1/auth', // token exchange: authenticates with a key id and secret in its body
  'POST /api/v1/chat', // scope chat
  'PUT /api/v1/context/:session_id', 'GET /api/v1/context/:session_id', 'DELETE /api/v1/context/:session_id', // scope chat
  'GET /api/v1/limits/me', // any authenticated key, about itself
]);

/** Ollama's routes that change the model store (DESIGN: admin only), as Ollama's API documents them. */
const NATIVE_ADMIN_ROUTES: AppRoute[] = [
  { method: 'POST', path: '/api/pull' }, { method: 'POST', path: '/api/push' }, { method: 'POST', path: '/api/create' },
  { method: 'POST', path: '/api/copy' }, { method: 'DELETE', path: '/api/delete' },
  { method: 'POST', path: '/api/blobs/sha256:29fdb92e57cf0827ded04ae6461b5931d01fa595843f55d36f5b275a52087dd2' },
  { method: 'HEAD', path: '/api/blobs/sha256:29fdb92e57cf0827ded04ae6461b5931d01fa595843f55d36f5b275a52087dd2' },
];

/** A concrete path for a route pattern. */
const concrete = (path: string) => path.replace(/:[a-z_]+/gi, 'key_attack').replace(/\*[a-z_]+/gi, 'deepseek-r1:7b');

interface Variant {
  name: string;
  target(path: string, host: string): string;
  /** Statuses allowed for an admin route under /api/v1 (OpenAI shape) and for one of Ollama's (its shape). */
  api: number[];
  native: number[];
}

const parts = (path: string) => {
  const [first, ...rest] = path.split('/').filter(Boolean);
  return { first: first!, rest: rest.join('/'), last: rest.at(-1) ?? first! };
};
const encodeFirstLetter = (path: string) => {
  const { last } = parts(path);
  const at = path.lastIndexOf(last);
  return `${path.slice(0, at)}%${last.charCodeAt(0).toString(16)}${path.slice(at + 1)}`;
};

// 403: the variant names the admin route itself (it is normalised to it); 400: refused as ambiguous;
// 404: names no route. Never anything that runs the route.
const VARIANTS: Variant[] = [
  { name: 'plain', target: (p) => p, api: [403], native: [403] },
  { name: 'upper case', target: (p) => p.toUpperCase(), api: [403], native: [403] },
  { name: 'trailing slash', target: (p) => `${p}/`, api: [403], native: [403] },
  { name: 'leading //', target: (p) => `/${p}`, api: [403], native: [403] },
  { name: 'inner //', target: (p) => p.replaceAll('/', '//'), api: [403], native: [403] },
  { name: '/./', target: (p) => `/${parts(p).first}/./${parts(p).rest}`, api: [403], native: [403] },
  { name: '/x/../', target: (p) => `/${parts(p).first}/x/../${parts(p).rest}`, api: [403], native: [403] },
  { name: '%2e%2e', target: (p) => `/${parts(p).first}/x/%2e%2e/${parts(p).rest}`, api: [400], native: [400] },
  { name: '%2E', target: (p) => `/${parts(p).first}/%2E/${parts(p).rest}`, api: [400], native: [400] },
  { name: '%2f', target: (p) => `/${parts(p).first}/x%2f..%2f${parts(p).rest}`, api: [400], native: [400] },
  { name: '%5c', target: (p) => `/${parts(p).first}/x%5c..%5c${parts(p).rest}`, api: [400], native: [400] },
  { name: 'backslashes', target: (p) => p.replaceAll('/', '\\').replace('\\', '/'), api: [400], native: [400] },
  { name: '\\..\\', target: (p) => `/${parts(p).first}/x\\..\\${parts(p).rest}`, api: [400], native: [400] },
  { name: 'escaped letter', target: encodeFirstLetter, api: [403], native: [403] },
  { name: ';', target: (p) => `${p};x`, api: [403, 404], native: [400] },
  { name: '%3b', target: (p) => `${p}%3bx`, api: [403, 404], native: [400] },
  { name: 'fragment', target: (p) => `${p}#x`, api: [400], native: [400] },
  { name: 'empty fragment', target: (p) => `${p}#`, api: [400], native: [400] },
  { name: 'query', target: (p) => `${p}?x=1`, api: [403], native: [403] },
  { name: 'absolute form', target: (p, host) => `http://${host}${p}`, api: [403], native: [403] },
  { name: 'absolute form, another host', target: (p) => `http://ollama.internal:11434${p}`, api: [400], native: [400] },
  { name: '%00', target: (p) => `${p}%00`, api: [400], native: [400] },
];

let fake: FakeOllama;
let t: AccessApp;
let host: string;
let adminRoutes: AppRoute[];
let notAdmin: { id: string; secret: string };
let ollamaOnly: string;

beforeAll(async () => {
  recordExpressApps();
  fake = await startFakeOllama();
  t = await startAccessApp(sqlite!, { fake });
  host = new URL(t.app.url).host;
  adminRoutes = routesOf(lastExpressApp()).filter(
    (route) => route.path.startsWith('/api/v1/') && !NON_ADMIN_ROUTES.has(`${route.method} ${route.path}`),
  );
  notAdmin = await t.createKey({ name: 'everything-but-admin', scopes: ['chat', 'completions', 'embeddings', 'models:read', 'ollama'] });
  ollamaOnly = (await t.createKey({ name: 'native', scopes: ['ollama'] })).secret;
});
afterAll(async () => {
  await t.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const send = (method: string, target: string, key: string | undefined, extra: Record<string, string> = {}): Promise<RawResponse> =>
  rawRequest(t.app.url, {
    method,
    target,
    headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), 'content-type': 'application/json', ...extra },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{"model":"deepseek-r1:7b","name":"x","scopes":["admin"]}' }),
  });

function expectErrorShape(response: RawResponse, shape: 'openai' | 'ollama', method: string): void {
  // Refused or not, the request went through the request context: it has an id (and an access-log line).
  expect(response.headers['x-request-id']).toMatch(/^req_/);
  if (method === 'HEAD') return;
  const body = JSON.parse(response.body) as unknown;
  if (shape === 'ollama') expect(body).toEqual({ error: expect.any(String) as string });
  else expect(body).toMatchObject({ error: { message: expect.any(String) as string, type: expect.any(String) as string, code: expect.any(String) as string } });
}

describe('the admin routes the app registers', () => {
  it('are found in the app and include key management, audit, model operations and the log level', () => {
    const names = adminRoutes.map((route) => `${route.method} ${route.path}`);
    expect(names).toEqual(expect.arrayContaining([
      'POST /api/v1/keys', 'GET /api/v1/keys', 'PATCH /api/v1/keys/:id', 'DELETE /api/v1/keys/:id', 'POST /api/v1/keys/:id/rotate',
      'GET /api/v1/audit', 'GET /api/v1/models', 'POST /api/v1/models', 'DELETE /api/v1/models/*name', 'PUT /api/v1/logs',
      'GET /api/v1/limits/:keyId',
    ]));
  });
});

describe('forged, expired, revoked and insufficient credentials on every admin route', () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const seconds = () => Math.floor(t.now().getTime() / 1000);
  const claims = () => ({ sub: notAdmin.id, scope: 'admin chat', iat: seconds(), exp: seconds() + 600, jti: 'attack' });

  const credentials: [string, () => Promise<Record<string, string>>, 401 | 403][] = [
    ['no credential', async () => ({}), 401],
    ['an unknown key', async () => ({ authorization: 'Bearer sk-not-a-key-0123456789' }), 401],
    ['a Basic header', async () => ({ authorization: `Basic ${Buffer.from(`x:${MASTER_KEY}`).toString('base64')}` }), 401],
    ['alg none, claiming admin', async () => ({ authorization: `Bearer ${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims())}.` }), 401],
    ['HS512 with the real secret', async () => ({ authorization: `Bearer ${jwt.sign(claims(), t.app.access.secrets[0]!, { algorithm: 'HS512' })}` }), 401],
    ['HS256 with another secret', async () => ({ authorization: `Bearer ${jwt.sign(claims(), 'guessed-secret-0123456789', { algorithm: 'HS256' })}` }), 401],
    ['RS256 (alg swap)', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return { authorization: `Bearer ${jwt.sign(claims(), privateKey, { algorithm: 'RS256' })}` };
    }, 401],
    ['a real token with admin added to its payload', async () => {
      const issued = await t.call<{ token: string }>('POST', '/api/v1/auth', { body: { client_id: notAdmin.id, secret: notAdmin.secret } });
      const [header, , signature] = issued.body.token.split('.') as [string, string, string];
      return { authorization: `Bearer ${header}.${encode(claims())}.${signature}` };
    }, 401],
    ['an expired token', async () => ({
      authorization: `Bearer ${jwt.sign({ ...claims(), iat: seconds() - 7200, exp: seconds() - 3600 }, t.app.access.secrets[0]!, { algorithm: 'HS256' })}`,
    }), 401],
    ['a revoked admin key', async () => {
      const revoked = await t.createKey({ name: 'revoked-admin', scopes: ['admin'] });
      expect((await t.call('DELETE', `/api/v1/keys/${revoked.id}`, { key: MASTER_KEY })).status).toBe(200);
      return { authorization: `Bearer ${revoked.secret}` };
    }, 401],
    ['the token of a revoked admin key', async () => {
      const revoked = await t.createKey({ name: 'revoked-admin', scopes: ['admin'] });
      const issued = await t.call<{ token: string }>('POST', '/api/v1/auth', { body: { client_id: revoked.id, secret: revoked.secret } });
      expect((await t.call('DELETE', `/api/v1/keys/${revoked.id}`, { key: MASTER_KEY })).status).toBe(200);
      return { authorization: `Bearer ${issued.body.token}` };
    }, 401],
    ['a key with every scope but admin', async () => ({ authorization: `Bearer ${notAdmin.secret}` }), 403],
    ['a token with every scope but admin', async () => {
      const issued = await t.call<{ token: string }>('POST', '/api/v1/auth', { body: { client_id: notAdmin.id, secret: notAdmin.secret } });
      return { authorization: `Bearer ${issued.body.token}` };
    }, 403],
  ];

  it.each(credentials)('%s is refused on every admin route', async (_name, credential, status) => {
    const headers = await credential();
    for (const route of adminRoutes) {
      const response = await send(route.method, concrete(route.path), undefined, headers);
      expect(response.status, `${route.method} ${route.path}`).toBe(status);
      expectErrorShape(response, 'openai', route.method);
    }
  });

  it.each(NATIVE_ADMIN_ROUTES.map((route) => [`${route.method} ${route.path.slice(0, 16)}`, route] as const))(
    'a key without admin is refused on Ollama\'s %s, which never reaches Ollama',
    async (_name, route) => {
      const response = await send(route.method, route.path, ollamaOnly);
      expect(response.status).toBe(403);
      expectErrorShape(response, 'ollama', route.method);
      expect(fake.requests).toEqual([]);
    },
  );
});

describe('every spelling of an admin path', () => {
  it.each(VARIANTS.map((variant) => [variant.name, variant] as const))('%s: refused on every admin route of ours', async (_name, variant) => {
    for (const route of adminRoutes) {
      const target = variant.target(concrete(route.path), host);
      const response = await send(route.method, target, notAdmin.secret);
      expect(variant.api, `${route.method} ${target} answered ${response.status}`).toContain(response.status);
      expectErrorShape(response, 'openai', route.method);
    }
  });

  it.each(VARIANTS.map((variant) => [variant.name, variant] as const))('%s: refused on every admin route of Ollama\'s, never forwarded', async (_name, variant) => {
    for (const route of NATIVE_ADMIN_ROUTES) {
      const target = variant.target(route.path, host);
      const response = await send(route.method, target, ollamaOnly);
      expect(variant.native, `${route.method} ${target} answered ${response.status}`).toContain(response.status);
      expectErrorShape(response, 'ollama', route.method);
    }
    expect(fake.requests).toEqual([]);
  });
});

describe('every spelling of a passthrough route the key may use', () => {
  /** Ollama's routes open to the `ollama` scope. */
  const READS: AppRoute[] = [
    { method: 'GET', path: '/api/tags' }, { method: 'GET', path: '/api/ps' }, { method: 'GET', path: '/api/version' },
    { method: 'POST', path: '/api/show' }, { method: 'POST', path: '/api/chat' }, { method: 'POST', path: '/api/generate' },
    { method: 'POST', path: '/api/embed' }, { method: 'POST', path: '/api/embeddings' },
  ];

  it.each(VARIANTS.map((variant) => [variant.name, variant] as const))('%s: refused, or forwarded as the very path the scope was decided on', async (_name, variant) => {
    for (const route of READS) {
      fake.reset();
      const target = variant.target(route.path, host);
      const response = await send(route.method, target, ollamaOnly);
      if (response.status === 400) {
        expect(fake.requests).toEqual([]);
        continue;
      }
      // Ollama's routes are case-sensitive: the upper-case spelling reaches it as such and is not found there.
      const forwarded = fake.requests.map((request) => request.url);
      const expected = variant.name === 'upper case' ? route.path.toUpperCase() : variant.name === 'query' ? `${route.path}?x=1` : route.path;
      expect(forwarded, `${route.method} ${target}`).toEqual([expected]);
    }
  });
});

describe('the hot routes and Express agree on every spelling', () => {
  const chat = JSON.stringify({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'hi' }] });
  const post = (target: string, key: string) =>
    rawRequest(t.app.url, { method: 'POST', target, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: chat });

  it.each(VARIANTS.map((variant) => [variant.name, variant] as const))('%s of POST /v1/chat/completions', async (_name, variant) => {
    const target = variant.target('/v1/chat/completions', host);
    const allowed = await post(target, notAdmin.secret);
    const refused = await post(target, ollamaOnly);
    if (allowed.status === 400) {
      expect(refused.status).toBe(400);
      expect(JSON.parse(allowed.body)).toMatchObject({ error: { type: 'invalid_request_error' } });
      return;
    }
    // Either the route runs for the key holding `chat` and is refused (403) to the one without, or no route matches.
    if (allowed.status === 404) return void expect(refused.status).toBe(404);
    expect(allowed.status, target).toBe(200);
    expect((JSON.parse(allowed.body) as { object: string }).object).toBe('chat.completion');
    expect(refused.status, target).toBe(403);
  });
});

describe('request smuggling', () => {
  const smuggle = (head: string) =>
    `POST /api/chat HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${ollamaOnly}\r\nContent-Type: application/json\r\n${head}\r\n` +
    `0\r\n\r\nPOST /api/pull HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${ollamaOnly}\r\nContent-Length: 2\r\n\r\n{}`;

  it.each([
    ['Content-Length and Transfer-Encoding', 'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n'],
    ['Transfer-Encoding and Content-Length', 'Transfer-Encoding: chunked\r\nContent-Length: 4\r\n'],
    ['two Content-Lengths', 'Content-Length: 5\r\nContent-Length: 0\r\n'],
    ['an obfuscated Transfer-Encoding', 'Transfer-Encoding: xchunked\r\nContent-Length: 4\r\n'],
    ['chunked not last', 'Transfer-Encoding: chunked, identity\r\n'],
  ])('%s: one 400, no second request, nothing reaches Ollama', async (_name, head) => {
    const raw = await rawExchange(t.app.url, smuggle(head));
    const response = parseResponse(raw);
    expect(response.status).toBe(400);
    expect(raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(fake.requests).toEqual([]);
    // Node's parser refused it; the answer is still JSON in the native route's shape, and the connection closes.
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body)).toEqual({ error: expect.stringMatching(/malformed/) });
  });

  it.each([
    ['/v1/chat/completions', (body: unknown) => expect(body).toEqual({ error: { message: expect.stringMatching(/malformed/), type: 'invalid_request_error', param: null, code: 'malformed_request' } })],
    ['/v1/messages', (body: unknown) => expect(body).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/malformed/) } })],
    ['/api/generate', (body: unknown) => expect(body).toEqual({ error: expect.stringMatching(/malformed/) })],
  ])('ambiguous framing on %s: a 400 in that protocol\'s error shape', async (path, check) => {
    const response = parseResponse(await rawExchange(t.app.url,
      `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`));
    expect(response.status).toBe(400);
    check(JSON.parse(response.body));
  });

  it('bad chunk framing: a 400 with an OpenAI-shaped body', async () => {
    const response = parseResponse(await rawExchange(t.app.url,
      `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${notAdmin.secret}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`));
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(fake.requests).toEqual([]);
  });

  it('headers over the limit: 431 with an OpenAI-shaped body', async () => {
    const response = parseResponse(await rawExchange(t.app.url,
      `GET /v1/models HTTP/1.1\r\nHost: ${host}\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(response.status).toBe(431);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body)).toEqual({ error: { message: 'The request headers are too large.', type: 'invalid_request_error', param: null, code: 'request_header_fields_too_large' } });
  });

  it('the same on a hot route', async () => {
    const raw = await rawExchange(t.app.url,
      `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${notAdmin.secret}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n` +
      `0\r\n\r\nPOST /api/v1/keys HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${notAdmin.secret}\r\nContent-Length: 2\r\n\r\n{}`);
    expect(parseResponse(raw).status).toBe(400);
    expect(JSON.parse(parseResponse(raw).body)).toMatchObject({ error: { type: 'invalid_request_error', code: 'malformed_request' } });
    expect(raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(fake.requests).toEqual([]);
  });
});
