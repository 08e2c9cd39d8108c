import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replyError, startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { adminCall, type AdminCall } from '../../helpers/admin-call.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// Runtime log level, the access line, secret redaction, and GET /metrics with the shipped alert rule.

const KEY = 'sk-test-master-key-ops-0123456789';
type Json = Record<string, unknown>;
let fake: FakeOllama;
let app: TestApp;
let call: AdminCall;

beforeAll(async () => {
  fake = await startFakeOllama();
  app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, LOG_LEVEL: 'info' } });
  call = adminCall(app.url, KEY);
});
afterAll(async () => {
  await app.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const chat = (model: string, headers: Record<string, string> = {}) =>
  call('POST', '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] }, headers);
const lines = (from: number) => app.logs.slice(from).map((line) => JSON.parse(line) as Json);
const metricsText = async () => (await fetch(`${app.url}/metrics`)).text();

describe('log level', () => {
  it('changes what the running server logs, at once', async () => {
    expect(await (await call('GET', '/api/v1/logs')).json()).toMatchObject({ level: 'info' });
    let mark = app.logs.length;
    await chat('deepseek-r1:7b');
    expect(lines(mark).filter((line) => line.level === 'debug')).toEqual([]);

    const put = await call('PUT', '/api/v1/logs', { level: 'debug' });
    expect(await put.json()).toEqual({ level: 'debug', previous: 'info' });
    expect(await (await call('GET', '/api/v1/logs')).json()).toMatchObject({ level: 'debug' });
    mark = app.logs.length;
    await chat('deepseek-r1:7b', { 'x-api-key': 'sk-another-secret-0123456789abcdef', cookie: 'session=abc' });
    const debug = lines(mark).filter((line) => line.level === 'debug' && line.message === 'request received');
    expect(debug).toHaveLength(1);
    expect(debug[0]).toMatchObject({ path: '/v1/chat/completions', headers: { authorization: '[REDACTED]', 'x-api-key': '[REDACTED]', cookie: '[REDACTED]' } });

    await call('PUT', '/api/v1/logs', { level: 'warn' });
    mark = app.logs.length;
    await chat('deepseek-r1:7b');
    expect(lines(mark)).toEqual([]);
    await call('PUT', '/api/v1/logs', { level: 'info' });
  });

  it('rejects an unknown level with a 400 naming it', async () => {
    const res = await call('PUT', '/api/v1/logs', { level: 'loud' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: Json }).error.param).toBe('level');
  });

  it('never writes the master key, whatever the level', async () => {
    await call('PUT', '/api/v1/logs', { level: 'silly' });
    await chat('deepseek-r1:7b');
    await call('GET', `/v1/models?key=${KEY}`);
    await call('PUT', '/api/v1/logs', { level: 'info' });
    expect(app.logs.join('\n')).not.toContain(KEY);
    expect(app.logs.join('\n')).toContain('[REDACTED]');
  });
});

describe('access line', () => {
  it('is one winston JSON line with request id, key id, model, status, latency and tokens', async () => {
    const mark = app.logs.length;
    await chat('deepseek-r1:7b', { 'x-request-id': 'req-access-1' });
    // Lines leave once per event-loop turn, so the previous test's access line may arrive after the mark.
    await new Promise((resolve) => setImmediate(resolve));
    const access = lines(mark).filter((line) => line.message === 'request' && line.requestId === 'req-access-1');
    expect(access).toEqual([
      expect.objectContaining({
        level: 'info', timestamp: expect.any(String), requestId: 'req-access-1', principalId: 'master', method: 'POST',
        route: '/v1/chat/completions', model: 'deepseek-r1:7b', status: 200, durationMs: expect.any(Number),
        stream: false, promptTokens: expect.any(Number), completionTokens: expect.any(Number),
      }),
    ]);
    expect(access[0]).not.toHaveProperty('resolvedModel');
  });

  it('names the installed model an alias resolved to', async () => {
    const mark = app.logs.length;
    await chat('deepseek-reasoner', { 'x-request-id': 'req-access-alias' });
    await new Promise((resolve) => setImmediate(resolve));
    const access = lines(mark).filter((line) => line.message === 'request' && line.requestId === 'req-access-alias');
    expect(access).toEqual([expect.objectContaining({ model: 'deepseek-reasoner', resolvedModel: expect.stringMatching(/^deepseek-r1:/), status: 200 })]);
  });
});

describe('GET /metrics', () => {
  it('counts requests by route, model and status, labelling only models that answered', async () => {
    await chat('deepseek-r1:7b');
    await chat('ghost-model:1b');
    const text = await metricsText();
    expect(text).toMatch(/^api_requests_total\{route="\/v1\/chat\/completions",model="deepseek-r1:7b"\} \d+$/m);
    expect(text).toMatch(/^proxy_http_requests_total\{route="\/v1\/chat\/completions",method="POST",status="200",model="deepseek-r1:7b"\} \d+$/m);
    expect(text).toMatch(/^proxy_http_requests_total\{route="\/v1\/chat\/completions",method="POST",status="404",model="unknown"\} 1$/m);
    expect(text).not.toContain('ghost-model');
    expect(text).toMatch(/^proxy_http_request_duration_seconds_bucket\{le="0.5",route="\/v1\/chat\/completions"\} \d+$/m);
    expect(text).toMatch(/^proxy_tokens_total\{model="deepseek-r1:7b",kind="completion"\} \d+$/m);
    expect(text).toMatch(/^# TYPE proxy_active_streams gauge$/m);
  });


  it('names each route once, parameters as {name}, whatever path variant was asked and however it was refused', async () => {
    await call('GET', '/responses/resp_missing');
    await call('GET', '/v1/responses/resp_missing/input_items');
    await call('GET', '/chat/completions');
    await fetch(`${app.url}/api/v1/keys`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    const text = await metricsText();
    expect(text).toMatch(/^proxy_http_requests_total\{route="\/v1\/responses\/\{id\}",method="GET",status="404",model="none"\} 1$/m);
    expect(text).toMatch(/^proxy_http_requests_total\{route="\/v1\/responses\/\{id\}\/input_items",method="GET",status="404",model="none"\} 1$/m);
    expect(text).toMatch(/^proxy_http_requests_total\{route="\/v1\/chat\/completions",method="GET",status="405",model="none"\} 1$/m);
    expect(text).toMatch(/^proxy_http_requests_total\{route="\/api\/v1\/keys",method="POST",status="401",model="none"\} 1$/m);
    expect(text).not.toMatch(/route="[^"]*:/);
  });
  it('counts the tokens of non-streamed text completions and embeddings too', async () => {
    await call('POST', '/v1/completions', { model: 'deepseek-coder-v2:16b', prompt: 'def f():', suffix: '\n' });
    await call('POST', '/v1/embeddings', { model: 'nomic-embed-text', input: 'hello' });
    const text = await metricsText();
    expect(text).toMatch(/^proxy_tokens_total\{model="deepseek-coder-v2:16b",kind="completion"\} [1-9]\d*$/m);
    expect(text).toMatch(/^proxy_tokens_total\{model="nomic-embed-text",kind="prompt"\} [1-9]\d*$/m);
  });

  it('counts one more request and one more server error after a failing upstream call', async () => {
    await chat('qwen3:8b');
    const before = await metricsText();
    fake.script('/api/chat', replyError(500, 'runner crashed'));
    expect((await chat('qwen3:8b')).status).toBe(502);
    const after = await metricsText();
    const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}()[\]|.*+?^$\\/]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    const requests = 'api_requests_total{route="/v1/chat/completions",model="qwen3:8b"}';
    const errors = 'api_errors_total{route="/v1/chat/completions",model="qwen3:8b"}';
    expect(value(after, requests) - value(before, requests)).toBe(1);
    expect(value(after, errors) - value(before, errors)).toBe(1);
    expect(after).toMatch(/^proxy_upstream_errors_total\{code="upstream_error"\} \d+$/m);
  });

  it('ships an alert rule that parses and divides our two counters series by series', async () => {
    const rules = parseYaml(readFileSync(join(import.meta.dirname, '../../../docker/prometheus-rules.yaml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const rule = rules.groups.flatMap((group) => group.rules).find((candidate) => candidate.alert === 'HighAPIErrorRate')!;
    expect(rule.expr).toBe('rate(api_errors_total[5m]) / rate(api_requests_total[5m]) > 0.05');
    fake.script('/api/chat', replyError(500, 'boom'));
    await chat('deepseek-r1:7b');
    const text = await metricsText();
    const labelSets = (name: string) => new Set([...text.matchAll(new RegExp(`^${name}\\{((?:\\w+="(?:[^"\\\\]|\\\\.)*",?)*)\\}`, 'gm'))].map((match) => match[1]!.replace(/="[^"]*"/g, '')));
    for (const name of rule.expr.match(/\b[a-z_]+_total\b/g)!) expect(text).toMatch(new RegExp(`^# TYPE ${name} counter$`, 'm'));
    expect([...labelSets('api_errors_total')]).toEqual(['route,model']);
    expect([...labelSets('api_requests_total')]).toEqual(['route,model']);
  });
});

describe('metrics settings', () => {
  it('asks for METRICS_TOKEN as a bearer token when set', async () => {
    const guarded = await startTestApp({ ollamaUrl: fake.url, env: { METRICS_TOKEN: 'scrape-token-123' } });
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-123' } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    } finally {
      await guarded.close();
    }
  });

  it('has no /metrics when METRICS_ENABLED=false', async () => {
    const off = await startTestApp({ ollamaUrl: fake.url, env: { METRICS_ENABLED: 'false' } });
    try {
      expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
