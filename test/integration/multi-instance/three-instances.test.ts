import { writeFileSync, mkdtempSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';
import { dropSchemas, keyStoreBackends } from '../../helpers/key-store-backends.js';
import { startPrivateRedis, type PrivateRedis } from '../../helpers/redis.js';
import { startRoundRobinBalancer, type Balancer } from '../../helpers/round-robin-balancer.js';
import { listeningUrl, runBuiltServer, type ServerRun } from '../../helpers/run-built-server.js';

// Issue 18.3: three built proxy processes sharing PostgreSQL (keys) and a private Redis (limits, cache,
// sessions) behind a round-robin TCP balancer, under bounded mixed load, while one instance is killed
// (SIGKILL) and Redis is restarted (empty: it persists nothing). The figures are printed for the README.

const MODEL = 'deepseek-v3.1:671b';
const MASTER_KEY = 'sk-three-instances-master-key';
const METERED_ALLOWANCE = 40;
const DAILY_TOKENS = 1_500;
const QUOTA_CLIENTS = 4;
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const postgres = (await keyStoreBackends()).find((backend) => backend.name === 'postgres');

interface Outcome {
  status: number | null;
  backend: number | undefined;
  complete: boolean;
  error?: string;
  body: string;
  headers: IncomingHttpHeaders;
}

interface Call {
  method?: string;
  path?: string;
  key: string;
  body?: unknown;
  session?: string;
}

/** One request on a fresh connection (so the balancer spreads requests, not connections). */
function send(port: number, call: Call, balancer?: Balancer): Promise<Outcome> {
  return new Promise((resolve) => {
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    let clientPort: number | undefined;
    const headers: Record<string, string> = { authorization: `Bearer ${call.key}`, connection: 'close' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (call.session) headers['x-session-id'] = call.session;
    const req = httpRequest({ host: '127.0.0.1', port, method: call.method ?? 'POST', path: call.path ?? '/v1/chat/completions', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? null, backend: backendOf(), complete: isComplete(res.statusCode ?? 0, res.headers, body), body, headers: res.headers }));
      res.on('error', (error) => resolve({ status: res.statusCode ?? null, backend: backendOf(), complete: false, error: error.message, body, headers: res.headers }));
    });
    const backendOf = () => (balancer && clientPort !== undefined ? balancer.servedBy(clientPort) : undefined);
    req.on('socket', (socket) => socket.once('connect', () => (clientPort = socket.localPort)));
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: null, backend: backendOf(), complete: false, error: error.message, body: '', headers: {} }));
    req.end(payload);
  });
}

function isComplete(status: number, headers: IncomingHttpHeaders, body: string): boolean {
  if (String(headers['content-type']).startsWith('text/event-stream')) return status !== 200 || body.trimEnd().endsWith('data: [DONE]');
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

const chatBody = (content: string, extra: Record<string, unknown> = {}) => ({ model: MODEL, messages: [{ role: 'user', content }], reasoning_effort: 'none', ...extra });

describe.runIf((hasRedisServer && postgres !== undefined) || process.env.CI)('three instances behind a balancer', () => {
  let fake: FakeOllama;
  let redis: PrivateRedis;
  let balancer: Balancer;
  const runs: ServerRun[] = [];
  const ports: number[] = [];
  let appKey: string;

  beforeAll(async () => {
    fake = await startFakeOllama({ tokenDelayMs: 2 });
    redis = await startPrivateRedis();
    const shared = await postgres!.env();
    const configFile = join(mkdtempSync(join(tmpdir(), 'three-')), 'config.json');
    writeFileSync(configFile, JSON.stringify({ rateLimit: { tiers: {
      default: { requestsPerMinute: 100_000, tokensPerMinute: 100_000_000 },
      metered: { requestsPerMinute: METERED_ALLOWANCE, burst: 0, tokensPerMinute: 100_000_000 },
      quota: { requestsPerMinute: 100_000, tokensPerMinute: 100_000_000, tokensPerDay: DAILY_TOKENS },
    } } }));
    const env = {
      ...shared, PORT: '0', OLLAMA_URL: fake.url, MASTER_KEY, JWT_SECRET: randomBytes(32).toString('hex'), REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `three-${randomBytes(3).toString('hex')}:`, MEMORY_STORE: 'redis', RATE_LIMIT_FAIL_MODE: 'closed',
      CONFIG_FILE: configFile, SHUTDOWN_GRACE_MS: '1000',
    };
    // Each instance its own DATA_DIR: everything they share goes through PostgreSQL and Redis.
    const started = await Promise.all([0, 1, 2].map(() => runBuiltServer({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'three-data-')) }, /"listening"/)));
    for (const run of started) {
      runs.push(run);
      const url = listeningUrl(run);
      if (url === undefined) throw new Error(`instance did not start: ${run.stderr}`);
      ports.push(Number(new URL(url).port));
    }
    balancer = await startRoundRobinBalancer(ports);
    appKey = await createKey(ports[0]!, 'load');
  }, 90_000);

  afterAll(async () => {
    for (const run of runs) run.kill();
    await Promise.all(runs.map((run) => run.exited));
    await balancer?.close();
    await redis?.kill();
    await fake?.close();
    await dropSchemas();
  });

  async function createKey(port: number, name: string, tier?: string, via?: Balancer): Promise<string> {
    const created = await send(port, { path: '/api/v1/keys', key: MASTER_KEY, body: { name, scopes: ['chat', 'models:read'], ...(tier ? { tier } : {}) } }, via);
    expect(created.status, created.body).toBe(201);
    return (JSON.parse(created.body) as { secret: string; id: string }).secret;
  }

  it('shares cache entries: an answer made on one instance is a hit on the others', async () => {
    const body = chatBody(`cache ${randomBytes(4).toString('hex')}`, { temperature: 0 });
    const first = await send(ports[0]!, { key: appKey, body });
    const second = await send(ports[1]!, { key: appKey, body });
    const third = await send(ports[2]!, { key: appKey, body: { ...body, stream: true } });
    expect([first.headers['x-cache'], second.headers['x-cache'], third.headers['x-cache']]).toEqual(['MISS', 'HIT', 'HIT']);
    expect(third.complete).toBe(true);
  });

  it('refuses a key revoked on one instance on every other within 1 s', async () => {
    const created = await send(ports[0]!, { path: '/api/v1/keys', key: MASTER_KEY, body: { name: 'to revoke', scopes: ['models:read'] } });
    const { id, secret } = JSON.parse(created.body) as { id: string; secret: string };
    const list = (port: number) => send(port, { method: 'GET', path: '/v1/models', key: secret });
    for (const port of ports) for (let round = 0; round < 2; round++) expect((await list(port)).status).toBe(200);
    const revoked = await send(ports[1]!, { method: 'DELETE', path: `/api/v1/keys/${id}`, key: MASTER_KEY });
    const since = performance.now();
    expect(revoked.status).toBe(200);
    const delays = await Promise.all([ports[0]!, ports[2]!].map(async (port) => {
      for (;;) {
        const outcome = await list(port);
        const elapsed = performance.now() - since;
        if (outcome.status === 401) return elapsed;
        if (elapsed > 1_000) throw new Error(`instance on ${port} still accepts the key ${Math.round(elapsed)} ms after the revocation`);
      }
    }));
    figures.revocationMs = Math.round(Math.max(...delays));
    expect(Math.max(...delays)).toBeLessThan(1_000);
  });

  const figures: Record<string, number> = {};

  it('holds limits, keeps sessions and loses nothing a survivor accepted while an instance dies and Redis restarts', async () => {
    const outcomes: Outcome[] = [];
    let stop = false;
    const victim = 2;
    const survivors = new Set([0, 1]);

    // A session begun on the instance that will die.
    const session = `s-${randomBytes(4).toString('hex')}`;
    const turnOne = await send(ports[victim]!, { key: appKey, session, body: chatBody('my name is Ada') });
    expect(turnOne.status).toBe(200);

    const worker = async (id: number) => {
      const workerSession = `w${id}-${randomBytes(3).toString('hex')}`;
      for (let round = 0; !stop; round++) {
        const kind = round % 5;
        let outcome: Outcome;
        if (kind === 0) outcome = await send(balancer.port, { key: appKey, body: chatBody(`plain ${id}-${round}`) }, balancer);
        else if (kind === 1) outcome = await send(balancer.port, { key: appKey, body: chatBody(`stream ${id}-${round}`, { stream: true }) }, balancer);
        else if (kind === 2) outcome = await send(balancer.port, { key: appKey, session: workerSession, body: chatBody(`turn ${round}`) }, balancer);
        else if (kind === 3) outcome = await send(balancer.port, { key: appKey, body: chatBody('the cached question', { temperature: 0 }) }, balancer);
        else {
          outcome = await send(balancer.port, { path: '/api/v1/keys', key: MASTER_KEY, body: { name: `w${id}`, scopes: ['chat'] } }, balancer);
          if (outcome.status === 201) {
            outcomes.push(outcome);
            const secret = (JSON.parse(outcome.body) as { secret: string }).secret;
            outcome = await send(balancer.port, { key: secret, body: chatBody(`new key ${id}-${round}`) }, balancer);
          }
        }
        outcomes.push(outcome);
      }
    };
    const until = async (count: number) => {
      while (outcomes.length < count) await new Promise((resolve) => setImmediate(resolve));
    };
    const meteredBurst = async () => {
      const key = await createKey(ports[0]!, 'metered', 'metered');
      const results: Outcome[] = [];
      let issued = 0;
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (issued < METERED_ALLOWANCE * 2) {
          const slot = issued++;
          results[slot] = await send(balancer.port, { key, body: chatBody(`metered ${slot}`) }, balancer);
        }
      }));
      return results;
    };

    const workers = [0, 1, 2, 3].map(worker);
    const firstBurst = meteredBurst();
    await until(40);
    runs[victim]!.signal('SIGKILL');
    await runs[victim]!.exited;
    const killedAt = outcomes.length;

    // The session goes on elsewhere: the next turn reaches the model with the first turn's history.
    const turnTwo = await send(balancer.port, { key: appKey, session, body: chatBody('what is my name?') }, balancer);
    expect(turnTwo.status).toBe(200);
    expect(survivors.has(turnTwo.backend!)).toBe(true);
    const sent = fake.requests.filter((request) => request.path === '/api/chat').map((request) => request.body as { messages: Array<{ content: string }> });
    const continued = sent.find((body) => body.messages.at(-1)?.content === 'what is my name?');
    expect(continued?.messages.map((message) => message.content)).toEqual(['my name is Ada', 'Echo: my name is Ada', 'what is my name?']);

    const first = await firstBurst;
    await until(killedAt + 60);
    await redis.kill();
    const redisDownAt = outcomes.length;
    await until(redisDownAt + 12);
    await redis.restart();
    // Back to serving: a plain chat through the balancer answers 200 again.
    const backSince = performance.now();
    while ((await send(balancer.port, { key: appKey, body: chatBody('back?') }, balancer)).status !== 200) {
      if (performance.now() - backSince > 15_000) throw new Error('the instances did not recover after Redis came back');
    }
    const redisUpAt = outcomes.length;
    const second = await meteredBurst();
    // A daily token quota, spent by four clients at once through the balancer.
    const quotaKey = await createKey(ports[0]!, 'quota', 'quota');
    const quotaResults: Outcome[] = [];
    let quotaRefused = false;
    await Promise.all(Array.from({ length: QUOTA_CLIENTS }, async (_, client) => {
      for (let round = 0; !quotaRefused && round < 200; round++) {
        const outcome = await send(balancer.port, { key: quotaKey, body: chatBody(`quota ${client}-${round} ${'x'.repeat(200)}`, { max_tokens: 16 }) }, balancer);
        quotaResults.push(outcome);
        if (outcome.status === 429) quotaRefused = true;
      }
    }));
    const usage = await send(ports[0]!, { method: 'GET', path: '/api/v1/limits/me', key: quotaKey });
    const usedToday = (JSON.parse(usage.body) as { tokens: { day: { used: number } } }).tokens.day.used;
    const quotaAccepted = quotaResults.filter((outcome) => outcome.status === 200);
    const perRequest = quotaAccepted.map((outcome) => (JSON.parse(outcome.body) as { usage: { total_tokens: number } }).usage.total_tokens);
    const quotaRefusal = quotaResults.find((outcome) => outcome.status === 429);
    await until(redisUpAt + 60);
    stop = true;
    await Promise.all(workers);

    const accepted = (results: Outcome[]) => results.filter((outcome) => outcome.status === 200).length;
    const lost = outcomes.filter((outcome) => outcome.backend === undefined || (survivors.has(outcome.backend) && (outcome.status === null || !outcome.complete)));
    const onVictim = outcomes.filter((outcome) => outcome.backend === victim);
    Object.assign(figures, {
      requests: outcomes.length + first.length + second.length + quotaResults.length + 3,
      loadRequests: outcomes.length,
      instancesKilled: 1,
      redisRestarts: 1,
      failedOnKilledInstance: onVictim.filter((outcome) => outcome.status === null || !outcome.complete).length,
      refusedWhileRedisDown: outcomes.filter((outcome) => outcome.status === 503).length,
      serverErrors: outcomes.filter((outcome) => outcome.status !== null && outcome.status >= 500 && outcome.status !== 503).length,
      meteredAcceptedBeforeRestart: accepted(first),
      meteredAcceptedAfterRestart: accepted(second),
      limitOvershoot: Math.max(0, accepted(first) - METERED_ALLOWANCE) + Math.max(0, accepted(second) - METERED_ALLOWANCE),
      quotaTokensPerDay: DAILY_TOKENS,
      quotaTokensUsed: usedToday,
      quotaRequestsAccepted: quotaAccepted.length,
      quotaOvershootTokens: Math.max(0, usedToday - DAILY_TOKENS),
      lost: lost.length,
    });
    console.log(`three-instance figures ${JSON.stringify(figures)}`);

    expect(lost.map((outcome) => `${outcome.backend}: ${outcome.status} ${outcome.error ?? outcome.body.slice(-120)}`)).toEqual([]);
    expect(accepted(first)).toBeLessThanOrEqual(METERED_ALLOWANCE);
    expect(accepted(second)).toBeLessThanOrEqual(METERED_ALLOWANCE);
    // Both windows were used up: the limit was reached, not merely never approached.
    expect(accepted(first)).toBeGreaterThan(METERED_ALLOWANCE / 2);
    expect(accepted(second)).toBeGreaterThan(METERED_ALLOWANCE / 2);
    expect(first.concat(second).filter((outcome) => outcome.status === 429).length).toBeGreaterThan(0);
    expect(balancer.counts[0]! > 0 && balancer.counts[1]! > 0).toBe(true);
    // The quota is one counter for every instance: what it recorded is what the clients were told they used,
    // and it runs over only by calls admitted while it was not yet used up (at most one per client in flight).
    expect(quotaRefusal?.body).toContain('quota_exceeded');
    expect(usedToday).toBe(perRequest.reduce((sum, tokens) => sum + tokens, 0));
    expect(usedToday).toBeGreaterThanOrEqual(DAILY_TOKENS);
    expect(usedToday - DAILY_TOKENS).toBeLessThan(QUOTA_CLIENTS * Math.max(...perRequest));
  }, 110_000);
});
