import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseByteLimit } from '../../src/http/middleware/json-body.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const KEY = 'sk-test-json-body-master-key';
const body = JSON.stringify({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'hi' }] });

let fake: FakeOllama;
let app: TestApp;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, BODY_LIMIT: '2kb' } });
});
afterAll(async () => {
  await app.close();
  await fake.close();
});

async function post(payload: string | Uint8Array, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: payload,
  });
  const json = (await response.json()) as { error?: { code: string; message: string }; choices?: unknown[] };
  return { status: response.status, json };
}

describe('JSON request bodies', () => {
  it('reads plain and charset=utf-8 JSON, with or without a byte-order mark', async () => {
    expect((await post(body)).json.choices).toHaveLength(1);
    expect((await post(body, { 'content-type': 'application/json; charset=UTF-8' })).status).toBe(200);
    expect((await post(`\uFEFF${body}`)).status).toBe(200);
    expect((await post(`  \n${body}`)).status).toBe(200);
  });

  it('refuses invalid JSON and non-object JSON with 400', async () => {
    for (const payload of ['{"model":', '42', '"text"', '   ']) {
      const { status, json } = await post(payload);
      expect(status).toBe(400);
      expect(json.error?.message).toBe('The request body is not valid JSON.');
    }
  });

  it('treats an empty JSON body as an empty object (the route then asks for its fields)', async () => {
    const { status, json } = await post('');
    expect(status).toBe(400);
    expect(json.error?.message).not.toBe('The request body is not valid JSON.');
  });

  it('refuses a body over BODY_LIMIT with 413, with a Content-Length or without one', async () => {
    const big = JSON.stringify({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
    expect((await post(big)).json.error?.code).toBe('payload_too_large');
    const chunked = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) });
    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('still reads gzip bodies and refuses unsupported charsets', async () => {
    expect((await post(gzipSync(body), { 'content-encoding': 'gzip' })).status).toBe(200);
    const latin = await post(body, { 'content-type': 'application/json; charset=latin1' });
    expect(latin.status).toBe(400);
    expect(latin.json.error?.message).toBe('Unsupported request body encoding.');
  });

  it('answers a non-streamed chat with the headers res.json() sends and an exact Content-Length', async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body,
    });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    expect((JSON.parse(bytes.toString('utf8')) as { object: string }).object).toBe('chat.completion');
  });

  it('reads BODY_LIMIT sizes in 1024-based units like body-parser', () => {
    expect(parseByteLimit('20mb')).toBe(20 * 1024 * 1024);
    expect(parseByteLimit('2kb')).toBe(2048);
    expect(parseByteLimit('1.5KB')).toBe(1536);
    expect(parseByteLimit('512')).toBe(512);
    expect(parseByteLimit('lots')).toBeUndefined();
  });
});
