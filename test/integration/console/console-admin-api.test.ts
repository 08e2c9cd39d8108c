import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../../src/http/routes/console.js';
import { MASTER_KEY, startAccessApp, type AccessApp } from '../../helpers/access-app.js';
import type { KeyStoreBackend } from '../../helpers/key-store-backends.js';
import { postChat } from '../../helpers/session-chat.js';
import type { SummaryWire } from '../../../console/src/metrics-history.js';

// What the console needs from the server beyond the existing admin API: its static files under one route with a
// strict CSP, a metrics summary for the overview, and the sessions of every key (admin scope), over real HTTP.
// The console itself is built by the test run's global setup (`npm run build`).

const sqlite: KeyStoreBackend = { name: 'sqlite', env: async () => ({}) };
const CONSOLE_DIR = resolve(import.meta.dirname, '../../../dist/console');

/** The answer as the console reads it (its own wire type), plus the list-style `object` field. */
type Summary = SummaryWire & { object: string };

interface SessionJson {
  session_id: string;
  owner: string;
  state: { turns: number; messages: number; model: string | null };
}

let t: AccessApp;
let chat: { id: string; secret: string };
beforeAll(async () => {
  t = await startAccessApp(sqlite, { overrides: { consoleDir: CONSOLE_DIR } });
  chat = await t.createKey({ name: 'chat-only', scopes: ['chat'] });
});
afterAll(() => t.close());

const summary = async () => {
  const response = await t.call<Summary>('GET', '/api/v1/metrics/summary', { key: MASTER_KEY });
  expect(response.status).toBe(200);
  return response.body;
};

describe('admin-only console endpoints', () => {
  it.each(['/api/v1/metrics/summary', '/api/v1/sessions', '/api/v1/sessions/any'])('%s refuses no key (401) and a key without admin (403)', async (path) => {
    expect((await t.call('GET', path)).status).toBe(401);
    const denied = await t.call<{ error: { code: string } }>('GET', path, { key: chat.secret });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
  });
  it('DELETE /api/v1/sessions/{id} refuses a key without admin', async () => {
    expect((await t.call('DELETE', '/api/v1/sessions/any', { key: chat.secret })).status).toBe(403);
  });
});

describe('GET /api/v1/metrics/summary', () => {
  it('counts a chat request, its tokens and its latency, and a refused request as a client error', async () => {
    const before = await summary();
    expect(before.object).toBe('metrics.summary');
    expect((await t.chat(chat.secret)).status).toBe(200);
    expect((await t.chat('sk-wrong-key')).status).toBe(401);
    const after = await summary();
    expect(after.requests - before.requests).toBe(2);
    expect(after.client_errors - before.client_errors).toBe(1);
    expect(after.server_errors).toBe(before.server_errors);
    expect(after.tokens.prompt).toBeGreaterThan(before.tokens.prompt);
    expect(after.tokens.completion).toBeGreaterThan(before.tokens.completion);
    expect(after.latency_seconds.count - before.latency_seconds.count).toBe(2);
    const buckets = after.latency_seconds.buckets;
    expect(buckets.length).toBeGreaterThan(3);
    // Cumulative, finite bounds in order; the +Inf bucket is `count`.
    expect(buckets.every((bucket, i) => i === 0 || (bucket.le > buckets[i - 1]!.le && bucket.count >= buckets[i - 1]!.count))).toBe(true);
    expect(buckets.at(-1)!.count).toBeLessThanOrEqual(after.latency_seconds.count);
    expect(after.active_streams).toBe(0);
  });

  it('leaves its own polling and the console files out of the figures', async () => {
    const first = await summary();
    await summary();
    await fetch(`${t.app.url}/console/`);
    const third = await summary();
    expect(third.requests).toBe(first.requests);
    expect(third.latency_seconds.count).toBe(first.latency_seconds.count);
  });
});

describe('/api/v1/sessions', () => {
  it('lists, inspects and deletes any key’s session', async () => {
    const answered = await postChat(t.app, { key: chat.secret, session: 'console-s1', content: 'remember 42' });
    expect(answered.status).toBe(200);
    const list = await t.call<{ data: SessionJson[] }>('GET', '/api/v1/sessions', { key: MASTER_KEY });
    const listed = list.body.data.find((entry) => entry.session_id === 'console-s1');
    expect(listed).toMatchObject({ owner: chat.id, state: { turns: 1, messages: 2 } });

    const inspected = await t.call<SessionJson>('GET', '/api/v1/sessions/console-s1', { key: MASTER_KEY });
    expect(inspected.status).toBe(200);
    expect(inspected.body).toMatchObject({ session_id: 'console-s1', owner: chat.id });

    expect((await t.call('DELETE', '/api/v1/sessions/console-s1', { key: MASTER_KEY })).status).toBe(200);
    expect((await t.call('GET', '/api/v1/sessions/console-s1', { key: MASTER_KEY })).status).toBe(404);
    const after = await t.call<{ data: SessionJson[] }>('GET', '/api/v1/sessions', { key: MASTER_KEY });
    expect(after.body.data.some((entry) => entry.session_id === 'console-s1')).toBe(false);
    // The owner sees it gone too.
    expect((await t.call('GET', '/api/v1/context/console-s1', { key: chat.secret })).status).toBe(404);
  });

  it('lists the most recently written first, up to ?limit', async () => {
    for (const id of ['console-l1', 'console-l2', 'console-l3']) {
      expect((await postChat(t.app, { key: chat.secret, session: id, content: 'hi' })).status).toBe(200);
    }
    const list = await t.call<{ data: SessionJson[] }>('GET', '/api/v1/sessions?limit=2', { key: MASTER_KEY });
    expect(list.body.data.map((entry) => entry.session_id)).toEqual(['console-l3', 'console-l2']);
    const bad = await t.call<{ error: { param: string } }>('GET', '/api/v1/sessions?limit=0', { key: MASTER_KEY });
    expect(bad.status).toBe(400);
  });

  it('answers 404 in the OpenAI error shape for an unknown session', async () => {
    const response = await t.call<{ error: { code: string; message: string } }>('DELETE', '/api/v1/sessions/never-seen', { key: MASTER_KEY });
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain('never-seen');
  });
});

describe('GET /console', () => {
  it('serves the page at /console and /console/ alike, with absolute asset URLs that load', async () => {
    for (const path of ['/console', '/console/']) {
      const response = await fetch(`${t.app.url}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBe(200);
      const assets = [...(await response.text()).matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((match) => match[1]!);
      expect(assets.length, path).toBe(2);
      for (const asset of assets) expect((await fetch(`${t.app.url}${asset}`)).status, asset).toBe(200);
    }
  });

  it('serves index.html uncached with a CSP that forbids inline code, framing and other origins', async () => {
    const response = await fetch(`${t.app.url}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toBe(CONSOLE_CSP);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });

  it('serves hashed assets with a long immutable cache lifetime', async () => {
    const html = await (await fetch(`${t.app.url}/console/`)).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const response = await fetch(`${t.app.url}${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it.each(['/console/assets/missing-ABCDEFGH.js', '/console/..%2Fpackage.json', '/console/%2e%2e/%2e%2e/package.json', '/console/.hidden'])('answers 404 for %s', async (path) => {
    const response = await fetch(`${t.app.url}${path}`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBeTruthy();
  });

  it('ships in at most 250 kB gzipped', () => {
    const files = ['index.html', ...readdirSync(join(CONSOLE_DIR, 'assets')).map((name) => join('assets', name))];
    const gzipped = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(CONSOLE_DIR, file))).length, 0);
    console.info(`console bundle: ${(gzipped / 1024).toFixed(1)} kB gzipped`);
    expect(files.some((file) => file.endsWith('.js'))).toBe(true);
    expect(gzipped).toBeLessThanOrEqual(250 * 1024);
  });

  it('is not served when the app has no built console', async () => {
    const bare = await startAccessApp(sqlite, { fake: t.fake });
    try {
      expect((await fetch(`${bare.app.url}/console/`)).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
