import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Defect 4 of issue 12: corrupt compressed bodies and deeply nested JSON answered 500.

const KEY = 'sk-test-body-robustness-master';
const chat = { model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'hi' }] };

let fake: FakeOllama;
let app: TestApp;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, BODY_LIMIT: '64kb', BODY_MAX_DEPTH: '16' } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});

interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

async function post(path: string, body: string | Uint8Array, headers: Record<string, string> = {}, method = 'POST') {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as OpenAIErrorBody };
}

const nest = (levels: number): unknown => (levels === 0 ? 1 : { a: nest(levels - 1) });
const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

const CORRUPT: [string, Uint8Array][] = [
  ['gzip', Buffer.from('this is not gzip')],
  ['gzip', gzipSync(JSON.stringify(chat)).subarray(0, 12)],
  ['br', Buffer.from('garbage garbage garbage')],
  ['deflate', Buffer.from('not deflate either')],
];

describe('request bodies that cannot be read', () => {
  it.each(CORRUPT)('answers a corrupt %s body with 400 invalid_request_error on every JSON route', async (encoding, bytes) => {
    for (const [path, method] of [['/v1/chat/completions', 'POST'], ['/v1/embeddings', 'POST'], ['/api/v1/chat', 'POST'], ['/api/v1/context/s1', 'PUT'], ['/api/v1/keys', 'POST']] as const) {
      const { status, json } = await post(path, bytes, { 'content-encoding': encoding }, method);
      expect({ path, status }).toEqual({ path, status: 400 });
      expect(json.error.type).toBe('invalid_request_error');
      expect(json.error.message).toMatch(/could not be decompressed/);
    }
  });

  it('stops a compression bomb at BODY_LIMIT, counted after decompression', async () => {
    const bomb = JSON.stringify({ ...chat, pad: ' '.repeat(4 * 1024 * 1024) });
    for (const [encoding, bytes] of [['gzip', gzipSync(bomb)], ['br', brotliCompressSync(bomb)], ['deflate', deflateSync(bomb)]] as const) {
      expect(bytes.length).toBeLessThan(64 * 1024);
      const { status, json } = await post('/v1/chat/completions', bytes, { 'content-encoding': encoding });
      expect(status).toBe(413);
      expect(json.error.code).toBe('payload_too_large');
    }
  });
});

describe('nesting depth (BODY_MAX_DEPTH)', () => {
  it('refuses a body nested deeper than the limit with 400 naming the param', async () => {
    const { status, json } = await post('/v1/chat/completions', JSON.stringify({ ...chat, options: nest(20) }));
    expect(status).toBe(400);
    expect(json.error.type).toBe('invalid_request_error');
    expect(json.error.param).toBe(`options${'.a'.repeat(15)}`);
    expect(json.error.message).toContain('deeper than 16 levels');
  });

  it('accepts nesting up to the limit', async () => {
    const { status } = await post('/v1/chat/completions', JSON.stringify({ ...chat, options: nest(14) }));
    expect(status).toBe(200);
  });

  it('bounds gzip bodies the same way', async () => {
    const { status, json } = await post('/v1/chat/completions', gzipSync(JSON.stringify({ ...chat, metadata: nest(30) })), { 'content-encoding': 'gzip' });
    expect(status).toBe(400);
    expect(json.error.param).toMatch(/^metadata\.a/);
  });

  it('refuses 20,000 levels in the places the outside test found (no stack overflow, no 500)', async () => {
    const deep = deepArray(20_000);
    const bodies: [string, string, string][] = [
      ['/v1/chat/completions', `{"model":"m","messages":[{"role":"user","content":${deep}}]}`, 'messages[0].content'],
      ['/v1/chat/completions', `{"model":"m","messages":[],"tools":[{"type":"function","function":{"name":"f","parameters":${deep}}}]}`, 'tools[0].function.parameters'],
      ['/v1/chat/completions', `{"model":"m","messages":[],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${deep}}}}`, 'response_format.json_schema.schema'],
      ['/api/v1/keys', `{"name":"k","metadata":${deep}}`, 'metadata'],
    ];
    for (const [path, body, param] of bodies) {
      const { status, json } = await post(path, body);
      expect({ path, status }).toEqual({ path, status: 400 });
      expect(json.error.param?.startsWith(param)).toBe(true);
    }
  });

  it('holds JSON-encoded tool-call arguments to the same limit', async () => {
    const args = JSON.stringify(nest(40));
    const body = {
      model: 'deepseek-r1:7b',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: args } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      ],
    };
    const { status, json } = await post('/v1/chat/completions', JSON.stringify(body));
    expect(status).toBe(400);
    expect(json.error.param).toBe('messages[1].tool_calls[0].function.arguments');
  });
});
