import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import OpenAI from 'openai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER_KEY, startAccessApp, type AccessApp } from '../helpers/access-app.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import type { KeyStoreBackend } from '../helpers/key-store-backends.js';

// The operator console end to end, in Debian's real Chromium: the built console (dist/console, made by the test
// run's global setup) served by the app, the admin API behind it, the fake Ollama behind that. Everything waits
// for DOM state or network answers, never for time (through locators: the console's CSP rightly refuses the
// string evaluation behind page.waitForFunction). Screenshots of each page go to docs/console/.

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = resolve(ROOT, 'docs/console');
const sqlite: KeyStoreBackend = { name: 'sqlite', env: async () => ({}) };
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing; .ci/run installs Debian's chromium`);
  console.warn(`console e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

let fake: FakeOllama;
let t: AccessApp;
let browser: Browser;
/** Problems the page reported: CSP violations, uncaught errors. */
const pageProblems: string[] = [];

beforeAll(async () => {
  if (!hasChromium) return;
  // Streamed lines at least 40 ms apart, so pull progress arrives (and renders) step by step.
  fake = await startFakeOllama({ tokenDelayMs: 40 });
  t = await startAccessApp(sqlite, { fake, overrides: { consoleDir: resolve(ROOT, 'dist/console') } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  mkdirSync(SHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await fake?.close();
});

async function openConsole(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 820 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) pageProblems.push(message.text());
  });
  page.on('pageerror', (error) => pageProblems.push(error.message));
  await page.goto(`${t.app.url}/console/`);
  await page.getByLabel('Admin key or JWT').waitFor();
  return page;
}

async function signIn(page: Page, credential: string): Promise<void> {
  const field = page.getByLabel('Admin key or JWT');
  await field.fill(credential);
  // The keyboard way: Enter submits the form.
  await field.press('Enter');
}

async function goTo(page: Page, title: string): Promise<void> {
  const link = page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: title, exact: true });
  await link.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

/** What an <input type=datetime-local> holds: local time, minutes precision. */
function localDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage });

// Generous limits for a busy machine; every wait still ends as soon as its condition holds.
describe.skipIf(!hasChromium)('operator console in Chromium', { timeout: 60_000 }, () => {
  let page: Page;
  let client: { id: string; secret: string };

  it('refuses a wrong key with a clear page', async () => {
    const refused = await openConsole();
    await signIn(refused, 'sk-not-a-real-key-000000000000');
    const alert = refused.getByRole('alert');
    await alert.getByRole('heading', { name: 'Sign-in refused' }).waitFor();
    expect(await alert.textContent()).toContain('did not accept this key');
    await shot(refused, 'sign-in-refused');
    await refused.context().close();
  });

  it('refuses a key without the admin scope with a clear page', async () => {
    const { secret } = await t.createKey({ name: 'chat-only', scopes: ['chat', 'models:read'] });
    const refused = await openConsole();
    await signIn(refused, secret);
    const alert = refused.getByRole('alert');
    await alert.getByRole('heading', { name: 'Not an admin key' }).waitFor();
    expect(await alert.textContent()).toContain('lacks the admin scope');
    // Nothing of the console is shown.
    expect(await refused.getByRole('navigation', { name: 'Console pages' }).count()).toBe(0);
    await refused.context().close();
  });

  it('signs in with the admin key and shows the overview', async () => {
    page = await openConsole();
    await signIn(page, MASTER_KEY);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.locator('[data-stat=requests-total]', { hasText: /^\d+$/ }).waitFor();
    // The credential is in memory only: nothing in Web Storage or cookies.
    expect(await page.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
    expect(await page.context().cookies()).toEqual([]);
  });

  it('creates a key with scopes, tier and expiry, shows its secret once, and the openai SDK can use it', async () => {
    await goTo(page, 'Keys');
    await page.getByLabel('Name', { exact: true }).fill('e2e-client');
    const scopes = page.getByRole('group', { name: 'Scopes' });
    await scopes.getByLabel('embeddings').uncheck();
    await page.getByLabel(/^Models/).fill('deepseek-*');
    await page.getByLabel('Rate-limit tier').fill('default');
    await page.getByLabel(/^Expires in/).fill('30d');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secretView = page.getByRole('status').filter({ has: page.getByRole('heading', { name: 'Secret for e2e-client' }) });
    const secret = (await secretView.getByTestId('new-secret').textContent())!.trim();
    expect(secret.length).toBeGreaterThan(20);
    const row = page.locator('tr[data-key-name="e2e-client"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('chat, completions, models:read');
    expect(await row.textContent()).toContain('deepseek-*');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await secretView.waitFor({ state: 'detached' });
    expect(await page.getByText(secret).count()).toBe(0);

    const keys = await t.call<{ data: { id: string; name: string; tier: string | null; expires_at: string | null }[] }>('GET', '/api/v1/keys', { key: MASTER_KEY });
    const created = keys.body.data.find((key) => key.name === 'e2e-client')!;
    expect(created.tier).toBe('default');
    expect(created.expires_at).not.toBeNull();
    client = { id: created.id, secret };

    const openai = new OpenAI({ baseURL: `${t.app.url}/v1`, apiKey: secret, maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'Hello from the console test' }] });
    expect(completion.choices[0]!.message.content).toBeTruthy();
    await shot(page, 'keys');
  });

  it('shows the request in the overview', async () => {
    await goTo(page, 'Overview');
    // Tokens come only from the completion above; the console's own calls carry none.
    await page.locator('[data-stat=tokens-total]', { hasText: /^[1-9]\d*$/ }).waitFor();
    // Two polls make a point; with three points the charts draw lines (for the screenshot).
    await page.locator('[data-stat=rps]', { hasText: /^\d/ }).waitFor();
    await page.locator('section[data-points]:not([data-points="0"]):not([data-points="1"]):not([data-points="2"])').waitFor();
    expect(await page.locator('figure.chart canvas').count()).toBeGreaterThanOrEqual(4);
    await shot(page, 'overview');
  });

  it('shows the request in the audit log, filtered by key, route and status', async () => {
    await goTo(page, 'Audit log');
    const filters = page.getByRole('form', { name: 'Audit filters' });
    await filters.getByLabel('Key').selectOption(client.id);
    await filters.getByLabel('Route contains').fill('/v1/chat/completions');
    await filters.getByLabel('Status').fill('200');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    const rows = page.locator('tbody tr[data-route="POST /v1/chat/completions"][data-status="200"]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('e2e-client');
    expect(await rows.first().textContent()).toContain('deepseek-r1:7b');
    expect(await page.locator('tbody tr').count()).toBe(1);
    // Time: the request is after an hour ago, and not before it.
    const hourAgo = localDateTime(new Date(Date.now() - 3_600_000));
    await filters.getByLabel('From').fill(hourAgo);
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('table', { name: /^Requests, newest first \(1\)$/ }).waitFor();
    await filters.getByLabel('From').fill('');
    await filters.getByLabel('To').fill(hourAgo);
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('table', { name: /^Requests, newest first \(0\)$/ }).waitFor();
    await filters.getByLabel('To').fill('');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await rows.first().waitFor();
    await shot(page, 'audit');
  });

  it('shows usage per key, rotates the key, then revokes it and the SDK is refused', async () => {
    await goTo(page, 'Keys');
    const row = page.locator('tr[data-key-name="e2e-client"]');
    await row.getByRole('button', { name: 'Usage of e2e-client' }).click();
    const usage = page.getByRole('table', { name: 'Usage per day and model' });
    await usage.getByRole('cell', { name: 'deepseek-r1:7b' }).waitFor();
    await row.getByRole('button', { name: 'Rotate e2e-client' }).click();
    const rotated = page.getByRole('status').filter({ has: page.getByRole('heading', { name: 'New secret for e2e-client' }) });
    const newSecret = (await rotated.getByTestId('new-secret').textContent())!.trim();
    expect(newSecret).not.toBe(client.secret);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    const rotatedClient = new OpenAI({ baseURL: `${t.app.url}/v1`, apiKey: newSecret, maxRetries: 0 });
    expect((await rotatedClient.models.list()).data.length).toBeGreaterThan(0);
    await row.getByRole('button', { name: 'Revoke e2e-client' }).click();
    await row.getByRole('button', { name: 'Confirm revoke of e2e-client' }).click();
    await row.locator('[data-column=status]', { hasText: /^revoked$/ }).waitFor();
    const openai = new OpenAI({ baseURL: `${t.app.url}/v1`, apiKey: client.secret, maxRetries: 0 });
    await expect(openai.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'again' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(rotatedClient.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('pulls and loads a model with visible progress, then unloads it', async () => {
    await goTo(page, 'Models and hosts');
    await page.getByRole('table', { name: /Installed models/ }).locator('tbody tr').first().waitFor();
    // GET /api/v1/hosts answers with this server's one Ollama host (the fake).
    await page.getByRole('table', { name: 'Hosts (1)' }).getByRole('cell', { name: fake.url }).waitFor();
    // Record every state of the progress log while the pull runs.
    await page.evaluate(`window.pullSnapshots = [];
      new MutationObserver(() => {
        const log = document.querySelector('[data-testid=pull-log]');
        if (log) window.pullSnapshots.push(log.textContent);
      }).observe(document.querySelector('main'), { subtree: true, childList: true, characterData: true });`);
    await page.getByLabel('Model', { exact: true }).fill('qwen3:0.6b');
    await page.getByLabel(/^Memory limit/).fill('2G');
    await page.getByRole('button', { name: 'Pull / load' }).click();
    const log = page.getByTestId('pull-log');
    await log.getByText(/^done: qwen3:0.6b pulled, loaded/).waitFor();
    const text = (await log.textContent())!;
    expect(text).toContain('pulling manifest');
    expect(text).toContain('verifying sha256 digest');
    // The memory limit decided how many layers went to the GPU, and the load asked Ollama for exactly that.
    const layers = Number(/memory_limit 2G \(2\.0 GiB\) holds (\d+) of \d+ layers/.exec(text)?.[1]);
    const load = fake.requests.find((request) => request.path === '/api/generate' && (request.body as { model?: string }).model === 'qwen3:0.6b');
    expect((load?.body as { options?: { num_gpu?: number } }).options?.num_gpu).toBe(layers);
    const snapshots = (await page.evaluate('window.pullSnapshots')) as string[];
    // A layer was seen part-way, not only at 0 % and 100 %.
    expect(snapshots.some((snapshot) => /pulling [0-9a-f]+ ([1-9]\d?)%/.test(snapshot))).toBe(true);
    const row = page.locator('tr[data-model="qwen3:0.6b"]');
    await row.locator('[data-column=loaded]', { hasText: /^yes$/ }).waitFor();
    expect(fake.requests.some((request) => request.path === '/api/pull')).toBe(true);
    await shot(page, 'models', true);
    await row.getByRole('button', { name: 'Unload qwen3:0.6b' }).click();
    await row.locator('[data-column=loaded]', { hasText: /^no$/ }).waitFor();
  });

  it('shows the hosts of a fleet when GET /api/v1/hosts answers', async () => {
    // This server has one host; a stand-in answer shows how the console renders a fleet with one host down.
    await page.route('**/api/v1/hosts', (route) =>
      route.fulfill({ json: { object: 'list', data: [{ url: 'http://gpu-a:11434', healthy: true, loaded_models: 2 }, { url: 'http://gpu-b:11434', healthy: false, loaded_models: 0 }] } }),
    );
    await goTo(page, 'Overview');
    await goTo(page, 'Models and hosts');
    const hosts = page.getByRole('table', { name: 'Hosts (2)' });
    await hosts.getByRole('cell', { name: 'http://gpu-b:11434' }).waitFor();
    expect(await hosts.getByRole('columnheader').allTextContents()).toEqual(['url', 'healthy', 'loaded models']);
    await page.unroute('**/api/v1/hosts');
  });

  it('lists, inspects and deletes a session', async () => {
    const { secret } = await t.createKey({ name: 'session-user', scopes: ['chat'] });
    const openai = new OpenAI({ baseURL: `${t.app.url}/v1`, apiKey: secret, maxRetries: 0, defaultHeaders: { 'x-session-id': 'e2e-session-1' } });
    await openai.chat.completions.create({ model: 'deepseek-r1:7b', messages: [{ role: 'user', content: 'remember the number 42' }] });
    await goTo(page, 'Sessions');
    const row = page.locator('tr[data-session="e2e-session-1"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Inspect e2e-session-1' }).click();
    const detail = page.getByRole('region', { name: 'Session e2e-session-1' });
    await detail.waitFor();
    expect(await detail.textContent()).toContain('1 / 2');
    await shot(page, 'sessions');
    await row.getByRole('button', { name: 'Delete e2e-session-1' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await t.call('GET', '/api/v1/context/e2e-session-1', { key: secret })).status).toBe(404);
  });

  it('shows fine-tune jobs with their status and events', async () => {
    const submitted = await t.call<{ task_id: string }>('POST', '/api/v1/finetune', {
      key: MASTER_KEY,
      body: { base_model: 'deepseek-r1:7b', training_data: resolve(ROOT, 'test/fixtures/finetune/support.jsonl'), suffix: 'console' },
    });
    expect(submitted.status).toBe(201);
    await goTo(page, 'Fine-tune jobs');
    const row = page.getByRole('row').filter({ hasText: submitted.body.task_id });
    await row.waitFor();
    await row.getByRole('button', { name: `Events of ${submitted.body.task_id}` }).click();
    const events = page.getByRole('region', { name: new RegExp(`^Events of ${submitted.body.task_id}`) });
    await events.getByText('Queued: modelfile trainer').waitFor();
    // The page follows the job until it ends.
    await row.getByRole('cell', { name: 'succeeded', exact: true }).waitFor();
    await events.getByRole('heading', { name: /\(succeeded\)$/ }).waitFor();
    await shot(page, 'finetune');
  });

  it('changes the log level', async () => {
    await goTo(page, 'Settings');
    await page.getByTestId('log-level').getByText('info', { exact: true }).waitFor();
    await page.getByLabel('New level').selectOption('debug');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('status').getByText('Log level changed from info to debug.').waitFor();
    await page.getByTestId('log-level').getByText('debug', { exact: true }).waitFor();
    const level = await t.call<{ level: string }>('GET', '/api/v1/logs', { key: MASTER_KEY });
    expect(level.body.level).toBe('debug');
    await shot(page, 'settings');
  });

  it('ends an expired JWT session with a clear page', async () => {
    const admin = await t.createKey({ name: 'admin-jwt', scopes: ['admin'] });
    const exchanged = await t.call<{ token: string; expires_in: number }>('POST', '/api/v1/auth', { body: { client_id: admin.id, secret: admin.secret } });
    const jwtPage = await openConsole();
    await signIn(jwtPage, exchanged.body.token);
    await jwtPage.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    t.advance((exchanged.body.expires_in + 120) * 1000);
    // The next admin call (this page's, or the overview's poll) is refused and the console says so.
    await jwtPage.getByRole('link', { name: 'Keys', exact: true }).click();
    const alert = jwtPage.getByRole('alert');
    await alert.getByRole('heading', { name: 'Your session has ended' }).waitFor();
    expect(await alert.textContent()).toMatch(/expired/i);
    await jwtPage.getByLabel('Admin key or JWT').waitFor();
    await jwtPage.context().close();
  });

  it('raised no CSP violation or page error on any page', () => {
    expect(pageProblems).toEqual([]);
  });
});
