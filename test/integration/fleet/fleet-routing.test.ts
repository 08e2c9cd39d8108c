import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeModel, hang, replyError, startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// Several fake Ollama hosts behind one proxy (OLLAMA_URL=a,b,c): requests go only to hosts that have the
// model, loaded hosts first, one conversation stays on one host, a host failing before the first byte is
// skipped without the client noticing, and a host that failed its refresh gets traffic again after the next.

const WAIT_MS = 10_000;

/** Polls `check` until it returns a value (not a sleep: it ends as soon as the state is reached). */
async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface HostRow {
  url: string;
  state: string;
  models: string[] | null;
  loaded_models: string[];
  in_flight: number;
  last_error: string | null;
  last_refresh_at: string | null;
}

async function hosts(app: TestApp): Promise<HostRow[]> {
  const response = await fetch(`${app.url}/api/v1/hosts`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: HostRow[] }).data;
}

const chats = (fake: FakeOllama, model?: string) =>
  fake.requests.filter((r) => r.path === '/api/chat' && (model === undefined || (r.body as { model?: string }).model === model)).length;

describe('several Ollama hosts', () => {
  let a: FakeOllama;
  let b: FakeOllama;
  let c: FakeOllama;
  let app: TestApp | undefined;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      startFakeOllama({ models: [fakeModel('alpha:1b')] }),
      startFakeOllama({ models: [fakeModel('beta:1b')] }),
      startFakeOllama({ models: [fakeModel('beta:1b')] }),
    ]);
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    for (const fake of [a, b, c]) fake.reset();
  });
  afterAll(async () => {
    await Promise.all([a, b, c].map((fake) => fake.close()));
  });

  /** The proxy over a, b, c once every host answered its first refresh. */
  async function startFleet(env: Record<string, string> = {}): Promise<{ app: TestApp; client: OpenAI }> {
    app = await startTestApp({ ollamaUrl: [a.url, b.url, c.url].join(','), env });
    const started = app;
    await until(async () => ((await hosts(started)).every((host) => host.state === 'up') ? true : undefined), 'every host up');
    return { app: started, client: new OpenAI({ baseURL: `${started.url}/v1`, apiKey: 'unused', maxRetries: 0 }) };
  }
  const ask = (client: OpenAI, model: string, headers: Record<string, string> = {}) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }, { headers });

  const preload = (...fakes: FakeOllama[]) => {
    for (const fake of fakes) fake.loaded.push({ name: 'beta:1b', expiresAt: new Date(Date.now() + 3_600_000), contextLength: 4096 });
  };

  it('sends each model only to the hosts that have it, and lists the union of models', async () => {
    preload(b, c);
    const { app: proxy, client } = await startFleet();
    for (let i = 0; i < 6; i++) expect((await ask(client, 'beta:1b')).choices[0]?.message.content).toBeTruthy();
    for (let i = 0; i < 3; i++) expect((await ask(client, 'alpha:1b')).choices[0]?.message.content).toBeTruthy();

    expect(chats(a, 'beta:1b')).toBe(0);
    expect(chats(b, 'alpha:1b') + chats(c, 'alpha:1b')).toBe(0);
    expect(chats(a, 'alpha:1b')).toBe(3);
    // Equal hosts (both hold the model in memory) share the work.
    expect(chats(b)).toBeGreaterThan(0);
    expect(chats(c)).toBeGreaterThan(0);
    expect(chats(b) + chats(c)).toBe(6);

    const models = await client.models.list();
    expect(models.data.map((model) => model.id).sort()).toEqual(['alpha:1b', 'beta:1b']);
    const view = await hosts(proxy);
    expect(view.map((host) => host.models)).toEqual([['alpha:1b'], ['beta:1b'], ['beta:1b']]);
    expect(view.map((host) => host.in_flight)).toEqual([0, 0, 0]);
    // The access line names the host that answered.
    const access = await until(() => {
      const lines = proxy.logs.map((line) => JSON.parse(line) as { message?: string; model?: string; host?: string }).filter((line) => line.message === 'request' && line.model !== undefined);
      return lines.length === 9 ? lines : undefined;
    }, 'nine access lines');
    expect(new Set(access.filter((line) => line.model === 'alpha:1b').map((line) => line.host))).toEqual(new Set([a.url]));
    expect(new Set(access.filter((line) => line.model === 'beta:1b').map((line) => line.host))).toEqual(new Set([b.url, c.url]));
  });

  it('keeps a cold model on the host that loaded it first (one cold load, not one per host)', async () => {
    const { client } = await startFleet({ OLLAMA_REFRESH_MS: '0' });
    for (let i = 0; i < 4; i++) await ask(client, 'beta:1b');
    expect([chats(b), chats(c)].sort()).toEqual([0, 4]);
    expect(b.coldLoads + c.coldLoads).toBe(1);
  });

  it('prefers the host where the model is loaded', async () => {
    c.loaded.push({ name: 'beta:1b', expiresAt: new Date(Date.now() + 3_600_000), contextLength: 4096 });
    const { app: proxy } = await startFleet();
    const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    expect((await hosts(proxy))[2]?.loaded_models).toEqual(['beta:1b']);
    for (let i = 0; i < 4; i++) await ask(client, 'beta:1b');
    expect(chats(c)).toBe(4);
    expect(chats(b)).toBe(0);
    expect(b.coldLoads).toBe(0);
  });

  it('keeps one conversation (X-Session-Id) on one host', async () => {
    preload(b, c);
    const { client } = await startFleet();
    for (let i = 0; i < 4; i++) await ask(client, 'beta:1b', { 'x-session-id': 'fleet-sticky-1' });
    expect([chats(b), chats(c)].sort()).toEqual([0, 4]);
    // Without a session the same hosts alternate.
    b.reset();
    c.reset();
    preload(b, c);
    for (let i = 0; i < 4; i++) await ask(client, 'beta:1b');
    expect(chats(b)).toBeGreaterThan(0);
    expect(chats(c)).toBeGreaterThan(0);
  });

  it('retries a busy (503) or failing (500) host on another before the first byte: non-stream and stream', async () => {
    b.loaded.push({ name: 'beta:1b', expiresAt: new Date(Date.now() + 3_600_000), contextLength: 4096 });
    const { app: proxy, client } = await startFleet();
    b.script('/api/chat', replyError(503, 'server busy, please try again.  maximum pending requests exceeded'), replyError(500, 'llama runner process has terminated'));

    const answer = await ask(client, 'beta:1b');
    expect(answer.choices[0]?.message.content).toBeTruthy();

    const stream = await client.chat.completions.create({ model: 'beta:1b', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).not.toBe('');

    expect(b.pendingScripts('/api/chat')).toBe(0);
    expect(chats(b)).toBe(2);
    expect(chats(c)).toBe(2);
    expect(chats(a)).toBe(0);

    const bName = new URL(b.url).host;
    const row = (await hosts(proxy)).find((host) => host.url === b.url) as HostRow & { failovers: number; errors: number };
    expect(row.failovers).toBe(2);
    expect(row.last_error).toMatch(/llama runner process has terminated/);
    const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
    expect(metrics).toContain(`ollama_host_failovers_total{host="${bName}"} 2`);
    expect(metrics).toContain(`ollama_host_requests_total{host="${new URL(c.url).host}"} 2`);
  });

  it('retries a host that drops the connection before answering (it died mid-request): non-stream and stream', async () => {
    b.loaded.push({ name: 'beta:1b', expiresAt: new Date(Date.now() + 3_600_000), contextLength: 4096 });
    const { client } = await startFleet();
    b.script('/api/chat', { kind: 'reset' }, { kind: 'reset' });

    expect((await ask(client, 'beta:1b')).choices[0]?.message.content).toBeTruthy();
    const stream = await client.chat.completions.create({ model: 'beta:1b', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).not.toBe('');

    expect(b.pendingScripts('/api/chat')).toBe(0);
    expect(chats(c)).toBe(2);
  });

  it('shows GET /api/v1/hosts to the admin scope only', async () => {
    app = await startTestApp({ ollamaUrl: [a.url, b.url].join(','), env: { MASTER_KEY: 'fleet-master-key-123' } });
    expect((await fetch(`${app.url}/api/v1/hosts`)).status).toBe(401);
    const response = await fetch(`${app.url}/api/v1/hosts`, { headers: { authorization: 'Bearer fleet-master-key-123' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: HostRow[] };
    expect(body.data.map((host) => host.url)).toEqual([a.url, b.url]);
  });

  it('skips a host that refuses connections, for streams too', async () => {
    const dead = await startFakeOllama({ models: [fakeModel('beta:1b')] });
    const deadUrl = dead.url;
    dead.loaded.push({ name: 'beta:1b', expiresAt: new Date(Date.now() + 3_600_000), contextLength: 4096 });
    app = await startTestApp({ ollamaUrl: [deadUrl, c.url].join(','), env: { OLLAMA_REFRESH_MS: '0' } });
    const proxy = app;
    await until(async () => ((await hosts(proxy)).every((host) => host.state === 'up') ? true : undefined), 'both hosts up');
    await dead.close();
    const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });

    const stream = await client.chat.completions.create({ model: 'beta:1b', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).not.toBe('');
    expect((await ask(client, 'beta:1b')).choices[0]?.message.content).toBeTruthy();
    expect(chats(c)).toBe(2);
    const view = await hosts(proxy);
    expect(view[0]?.state).toBe('down');
    expect(view[0]?.last_error).toMatch(/ECONNREFUSED/);
  });

  it('takes a host that failed its refresh out, and back within one refresh', async () => {
    const { app: proxy, client } = await startFleet({ OLLAMA_REFRESH_MS: '50', OLLAMA_HOST_COOLDOWN_MS: '60000' });
    // b keeps failing its refreshes (more scripted failures than this test can use up) until reset() clears them.
    b.script('/api/ps', ...Array.from({ length: 1_000 }, () => replyError(500, 'internal error')));
    await until(async () => ((await hosts(proxy))[1]?.state === 'down' ? true : undefined), 'host b down');
    const [bBefore, cBefore] = [chats(b), chats(c)];
    for (let i = 0; i < 3; i++) await ask(client, 'beta:1b');
    expect(chats(b) - bBefore).toBe(0);
    expect(chats(c) - cBefore).toBe(3);
    b.reset();

    // The next refresh succeeds: b is up again although its cooldown has not ended. (b holds the model in
    // memory as c now does, so neither is preferred for being loaded.)
    b.loaded.push({ name: 'beta:1b', expiresAt: new Date(Date.now() + 3_600_000), contextLength: 4096 });
    await until(async () => {
      const row = (await hosts(proxy))[1];
      return row?.state === 'up' && row.loaded_models.length === 1 ? true : undefined;
    }, 'host b up again');
    for (let i = 0; i < 4; i++) await ask(client, 'beta:1b');
    expect(chats(b)).toBeGreaterThan(0);
  });

  it('routes native /api/chat, /api/generate and /api/show by the body\'s model, and lists the union on /api/tags and /api/ps', async () => {
    c.loaded.push({ name: 'beta:1b', expiresAt: new Date(Date.now() + 3_600_000), contextLength: 4096 });
    const { app: proxy } = await startFleet();
    const post = (path: string, body: unknown) =>
      fetch(`${proxy.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (let i = 0; i < 3; i++) {
      const chat = await post('/api/chat', { model: 'alpha:1b', stream: false, messages: [{ role: 'user', content: 'hi' }] });
      expect(chat.status).toBe(200);
      expect(((await chat.json()) as { message: { content: string } }).message.content).not.toBe('');
    }
    const generate = await post('/api/generate', { model: 'beta:1b', prompt: 'hi' });
    expect(generate.status).toBe(200);
    expect((await generate.text()).trim().split('\n').at(-1)).toContain('"done":true');
    expect((await post('/api/show', { model: 'beta:1b' })).status).toBe(200);

    expect(chats(a, 'alpha:1b')).toBe(3);
    expect(chats(b) + chats(c)).toBe(0);
    expect(a.requests.filter((r) => r.path === '/api/generate' || r.path === '/api/show')).toHaveLength(0);
    // beta is loaded on c: generate and show went there.
    expect(c.requests.filter((r) => r.path === '/api/generate' || r.path === '/api/show')).toHaveLength(2);

    const tags = (await (await fetch(`${proxy.url}/api/tags`)).json()) as { models: { name: string }[] };
    expect(tags.models.map((model) => model.name).sort()).toEqual(['alpha:1b', 'beta:1b']);
    const ps = (await (await fetch(`${proxy.url}/api/ps`)).json()) as { models: { name: string }[] };
    expect(ps.models.map((model) => model.name).sort()).toEqual(['alpha:1b', 'beta:1b']);
  });

  it('moves on when a host at its maxParallel answers 503 busy', async () => {
    const busy = await startFakeOllama({ models: [fakeModel('beta:1b')], maxParallel: 1 });
    try {
      busy.loaded.push({ name: 'beta:1b', expiresAt: new Date(Date.now() + 3_600_000), contextLength: 4096 });
      busy.script('/api/chat', hang());
      app = await startTestApp({ ollamaUrl: [busy.url, c.url].join(','), env: { OLLAMA_REFRESH_MS: '0' } });
      const proxy = app;
      await until(async () => ((await hosts(proxy)).every((host) => host.state === 'up') ? true : undefined), 'both hosts up');
      const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      // Another client of the busy host (not this proxy) takes its one slot: the proxy cannot know it is full.
      const stuck = new AbortController();
      const slow = fetch(`${busy.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'beta:1b', messages: [{ role: 'user', content: 'slow' }] }), signal: stuck.signal })
        .then(() => 'answered', () => 'aborted');
      await until(() => (busy.inFlight === 1 ? true : undefined), 'the busy host to hold one request');
      // The busy host holds the model, but its one slot is taken: its 503 sends the request on to c, unseen.
      const answer = await ask(client, 'beta:1b');
      expect(answer.choices[0]?.message.content).toBeTruthy();
      expect(busy.busyRefusals).toBe(1);
      expect(chats(c)).toBe(1);
      stuck.abort();
      expect(await slow).toBe('aborted');
    } finally {
      await busy.close();
    }
  });

  it('waits for a slot, not with a 503, when a host dies under a request and the survivor is at its maxParallel', async () => {
    const pair = await Promise.all([0, 1].map(() => startFakeOllama({ models: [fakeModel('beta:1b')], maxParallel: 1 })));
    try {
      for (const fake of pair) {
        fake.loaded.push({ name: 'beta:1b', expiresAt: new Date(Date.now() + 3_600_000), contextLength: 4096 });
        fake.script('/api/chat', hang());
      }
      app = await startTestApp({ ollamaUrl: pair.map((fake) => fake.url).join(','), env: { OLLAMA_REFRESH_MS: '0', OLLAMA_QUEUE_SIZE: '4' } });
      const proxy = app;
      await until(async () => ((await hosts(proxy)).every((host) => host.state === 'up') ? true : undefined), 'both hosts up');
      const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      // One host's only slot is taken through the proxy; then the other host dies before the proxy notices.
      const held = new AbortController();
      const holding = client.chat.completions.create({ model: 'beta:1b', messages: [{ role: 'user', content: 'hold' }] }, { signal: held.signal }).then(
        () => 'answered',
        () => 'aborted',
      );
      await until(() => (pair[0]!.inFlight + pair[1]!.inFlight === 1 ? true : undefined), 'one host to hold the request');
      const [survivor, dying] = pair[0]!.inFlight === 1 ? [pair[0]!, pair[1]!] : [pair[1]!, pair[0]!];
      await dying.close();

      // Sent to the dead host (refused), then to the full survivor (503 busy): it waits in the admission queue.
      const waiting = ask(client, 'beta:1b');
      const survivorRow = async () => (await hosts(proxy)).find((host) => host.url === survivor.url) as HostRow & { queued_requests: number };
      await until(async () => ((await survivorRow()).queued_requests === 1 ? true : undefined), 'the request queued');
      expect(survivor.busyRefusals).toBe(1);
      held.abort();
      const answer = await waiting;
      expect(answer.choices[0]?.message.content).toBeTruthy();
      expect(await holding).toBe('aborted');
      expect((await hosts(proxy)).find((host) => host.url === dying.url)?.state).toBe('down');
    } finally {
      await Promise.all(pair.map((fake) => fake.close()));
    }
  });

  it('takes per-host settings from CONFIG_FILE ollama.hosts (names, maxParallel, weight, pinned models)', async () => {
    app = await startTestApp({
      ollamaUrl: 'http://127.0.0.1:9',
      file: { ollama: { hosts: [{ url: a.url, name: 'gpu-a', models: ['alpha:1b'] }, { url: b.url, name: 'gpu-b', maxParallel: 4, weight: 2 }] } },
    });
    const proxy = app;
    await until(async () => ((await hosts(proxy)).every((host) => host.state === 'up') ? true : undefined), 'both hosts up');
    const view = (await hosts(proxy)) as Array<HostRow & { name: string; models_pinned: boolean; max_parallel: number; weight: number }>;
    expect(view.map(({ name, models, models_pinned, max_parallel, weight }) => ({ name, models, models_pinned, max_parallel, weight }))).toEqual([
      { name: 'gpu-a', models: ['alpha:1b'], models_pinned: true, max_parallel: 1, weight: 1 },
      { name: 'gpu-b', models: ['beta:1b'], models_pinned: false, max_parallel: 4, weight: 2 },
    ]);
    const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    await ask(client, 'beta:1b');
    await ask(client, 'alpha:1b');
    expect(chats(b, 'beta:1b')).toBe(1);
    expect(chats(a, 'alpha:1b')).toBe(1);
    expect(chats(a, 'beta:1b') + chats(b, 'alpha:1b')).toBe(0);
    // The pinned list replaces /api/tags: a is never asked for its models.
    expect(a.requests.filter((r) => r.path === '/api/tags')).toHaveLength(0);
  });

  it('sends embeddings to the host with the embedding model, and is ready while one host answers', async () => {
    const embedder = await startFakeOllama({ models: [fakeModel('embedder:1b', { capabilities: ['embedding'] })] });
    const dead = await startFakeOllama();
    const deadUrl = dead.url;
    await dead.close();
    try {
      app = await startTestApp({ ollamaUrl: [a.url, deadUrl, embedder.url].join(','), env: { OLLAMA_REFRESH_MS: '0' } });
      const proxy = app;
      await until(async () => ((await hosts(proxy)).map((host) => host.state).join() === 'up,down,up' ? true : undefined), 'a and the embedder up');
      const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const result = await client.embeddings.create({ model: 'embedder:1b', input: ['one', 'two'] });
      expect(result.data).toHaveLength(2);
      expect(embedder.requests.filter((r) => r.path === '/api/embed')).toHaveLength(1);
      expect(a.requests.filter((r) => r.path === '/api/embed')).toHaveLength(0);
      expect((await fetch(`${proxy.url}/health/ready`)).status).toBe(200);
    } finally {
      await embedder.close();
    }
  });

  it('counts native /api/chat in the host\'s in-flight requests and admission queue, like /v1 requests', async () => {
    a.script('/api/chat', hang());
    app = await startTestApp({
      ollamaUrl: 'http://127.0.0.1:9',
      file: { ollama: { hosts: [{ url: a.url, maxParallel: 1 }, { url: b.url }] } },
      env: { OLLAMA_QUEUE_SIZE: '1', OLLAMA_QUEUE_WAIT_MS: '60000' },
    });
    const proxy = app;
    await until(async () => ((await hosts(proxy)).every((host) => host.state === 'up') ? true : undefined), 'both hosts up');
    const chat = (signal?: AbortSignal) =>
      fetch(`${proxy.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'alpha:1b', stream: false, messages: [{ role: 'user', content: 'hi' }] }), ...(signal ? { signal } : {}) });
    const row = async () => (await hosts(proxy))[0] as HostRow & { queued_requests: number };

    const stuck = new AbortController();
    const first = chat(stuck.signal).then((r) => r.status, () => 'aborted');
    await until(async () => ((await row()).in_flight === 1 ? true : undefined), 'the native chat in flight on a');
    const second = chat();
    await until(async () => ((await row()).queued_requests === 1 ? true : undefined), 'the second native chat queued');
    const third = await chat();
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).not.toBeNull();
    expect(((await third.json()) as { error: unknown }).error).toEqual(expect.any(String));

    stuck.abort();
    expect(await first).toBe('aborted');
    const answered = await second;
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { message: { content: string } }).message.content).not.toBe('');
    await until(async () => ((await row()).in_flight === 0 ? true : undefined), 'a idle again');
    expect(chats(a, 'alpha:1b')).toBe(2);
  });

  it('queues a request while every host with the model is at maxParallel, and answers 503 with retry-after beyond the queue', async () => {
    const { app: proxy, client } = await startFleet({ OLLAMA_QUEUE_SIZE: '1', OLLAMA_QUEUE_WAIT_MS: '60000' });
    b.script('/api/chat', hang());
    c.script('/api/chat', hang());
    const held = [new AbortController(), new AbortController()];
    const holding = held.map((controller) =>
      client.chat.completions.create({ model: 'beta:1b', messages: [{ role: 'user', content: 'hold' }] }, { signal: controller.signal }).then(
        () => 'answered',
        () => 'aborted',
      ),
    );
    await until(() => (b.inFlight === 1 && c.inFlight === 1 ? true : undefined), 'both hosts holding a request');

    const waiting = ask(client, 'beta:1b');
    await until(async () => ((await hosts(proxy))[1] as HostRow & { queued_requests: number }).queued_requests === 1 || undefined, 'one request queued');
    const refused = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'beta:1b', messages: [{ role: 'user', content: 'one too many' }] }),
    });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/busy/);
    expect(await (await fetch(`${proxy.url}/metrics`)).text()).toContain(`ollama_host_queued_requests{host="${new URL(b.url).host}"} 1`);
    // alpha is not affected by beta's queue.
    expect((await ask(client, 'alpha:1b')).choices[0]?.message.content).toBeTruthy();

    held[0]!.abort();
    const answer = await waiting;
    expect(answer.choices[0]?.message.content).toBeTruthy();
    held[1]!.abort();
    expect(await Promise.all(holding)).toEqual(['aborted', 'aborted']);
    expect(chats(b) + chats(c)).toBe(3);
  });

  it('fake Ollama: a cold model costs its load delay once, a loaded one does not', async () => {
    const slow = await startFakeOllama({ models: [fakeModel('beta:1b')], coldLoadDelayMs: 300 });
    try {
      const chat = async () => {
        const started = performance.now();
        const response = await fetch(`${slow.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'beta:1b', stream: false, messages: [{ role: 'user', content: 'hi' }] }) });
        expect(response.status).toBe(200);
        await response.json();
        return performance.now() - started;
      };
      expect(await chat()).toBeGreaterThanOrEqual(290);
      expect(slow.coldLoads).toBe(1);
      await chat();
      expect(slow.coldLoads).toBe(1);
    } finally {
      await slow.close();
    }
  });
});
