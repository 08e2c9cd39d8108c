// Fleet figures (issue 15): three fake Ollama hosts with different model sets that play Ollama's costs (a cold
// load per model that is not in memory, at most two models in memory per host, a delay per generated token and
// per evaluated prompt token, a KV cache per parallel slot), behind this proxy's fleet and behind "today's"
// set-up: a naive round-robin forwarder (lib/fleet-round-robin.mjs) in front of the same hosts, with the proxy
// seeing one host. Both run in the same process and the same run. The hosts run in the bench's own process
// (the compiled test/helpers/fake-ollama.ts), so their counters are read directly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from './load.mjs';
import { startRoundRobin } from './fleet-round-robin.mjs';
import { freePort, startChild } from './servers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FAKE_MODULE = new URL('../.build/test/helpers/fake-ollama.js', import.meta.url);

const M = { big: 'bench-big:671b', r1: 'bench-r1:32b', coder: 'bench-coder:7b', small: 'bench-small:3b', embed: 'bench-embed:latest' };
/** Every chat model is on two of the three hosts; the embedder on two. */
const HOSTS = [
  { name: 'gpu-a', models: [M.big, M.r1, M.embed] },
  { name: 'gpu-b', models: [M.r1, M.coder, M.small, M.embed] },
  { name: 'gpu-c', models: [M.coder, M.small, M.big] },
];
const HOST_COSTS = { maxParallel: 4, maxLoaded: 2, coldLoadDelayMs: 150, tokenDelayMs: 1, promptTokenDelayMs: 0.02 };
const MIX = [
  [M.big, 0.3],
  [M.r1, 0.3],
  [M.coder, 0.25],
  [M.small, 0.15],
];
const SYSTEM = 'You are a careful assistant for a build team. Answer briefly and precisely.';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sum = (values) => values.reduce((total, value) => total + value, 0);

/** Deterministic model sequence (mulberry32), the same for every configuration. */
function modelSequence(count, seed) {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => {
    let roll = random();
    for (const [model, share] of MIX) if ((roll -= share) < 0) return model;
    return MIX[0][0];
  });
}

async function startHost(fake, host, port) {
  const models = host.models.map((name) => fake.fakeModel(name, name === M.embed ? { capabilities: ['embedding'], embeddingLength: 768 } : {}));
  return fake.startFakeOllama({ models, version: '0.33.3', ...HOST_COSTS, ...(port ? { port } : {}) });
}

async function startProxy(tmpDir, label, { hosts, ollamaUrl, env = {} }) {
  const port = await freePort();
  const configFile = join(tmpDir, `fleet-${label}.json`);
  writeFileSync(configFile, JSON.stringify(hosts ? { ollama: { hosts } } : {}));
  const fullEnv = {
    HOST: '127.0.0.1',
    PORT: String(port),
    AUTH_DISABLED: 'true',
    MASTER_KEY: '',
    RATE_LIMIT_ENABLED: 'false',
    CACHE_POLICY: 'off',
    LOG_LEVEL: 'error',
    DATA_DIR: join(tmpDir, `fleet-data-${label}`),
    CONFIG_FILE: configFile,
    SHUTDOWN_GRACE_MS: '500',
    OLLAMA_REFRESH_MS: '500',
    OLLAMA_URL: ollamaUrl ?? '',
    ...env,
  };
  if (!ollamaUrl) delete fullEnv.OLLAMA_URL;
  return startChild({ name: `proxy (${label})`, args: [join(ROOT, 'dist/main.js')], env: fullEnv, port, readyPath: '/health', stdout: 'ignore' });
}

async function post(base, path, body, headers = {}) {
  const started = performance.now();
  try {
    const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const text = await response.text();
    const ok = response.status === 200;
    if (!ok && process.env.FLEET_BENCH_DEBUG) process.stderr.write(`${path} ${response.status}: ${text.slice(0, 300)}\n`);
    return { ok, status: response.status, ms: performance.now() - started, at: performance.now() };
  } catch {
    return { ok: false, status: 0, ms: performance.now() - started, at: performance.now() };
  }
}

/** Waits until the fleet proxy has read every live host once (GET /api/v1/hosts), so routing knows the model sets. */
async function fleetReady(url, live) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/api/v1/hosts`).catch(() => undefined);
    const rows = response?.ok ? (await response.json()).data : [];
    if (rows.filter((row) => row.state === 'up' && row.models !== null).length >= live) return;
    await sleep(100);
  }
}

/** Fresh hosts (nothing loaded, empty caches, counters at 0), then one refresh period so the fleet sees it. */
async function resetHosts(hosts) {
  for (const host of hosts) host.reset();
  await sleep(700);
}

async function runPool(count, concurrency, task) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
}

function statusCounts(results) {
  const counts = {};
  for (const result of results.filter((r) => !r.ok)) counts[result.status] = (counts[result.status] ?? 0) + 1;
  return counts;
}

async function mixedWorkload(url, hosts, { requests, concurrency }) {
  await resetHosts(hosts);
  const models = modelSequence(requests, 42);
  const results = [];
  await runPool(requests, concurrency, async (i) => {
    const body = { model: models[i], messages: [{ role: 'user', content: `Task ${i}: summarise the build log in one line.` }], max_tokens: 16 };
    results.push(await post(url, '/v1/chat/completions', body));
  });
  const latencies = Float64Array.from(results.filter((r) => r.ok).map((r) => r.ms)).sort();
  return {
    requests,
    errors: results.filter((r) => !r.ok).length,
    errorStatuses: statusCounts(results),
    coldLoads: sum(hosts.map((host) => host.coldLoads)),
    sentToHostWithoutModel: sum(hosts.map((host) => host.missingModelRequests)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const question = (n) => `Turn ${n}: ${'please look at this part of the deployment log and tell me what went wrong with the rollout '.repeat(4)}`;

async function sessionRun(url, hosts, { turns, session }) {
  await resetHosts(hosts);
  const evaluated = [];
  const results = [];
  for (let n = 1; n <= turns; n++) {
    const before = sum(hosts.map((host) => host.promptTokens.evaluated));
    const messages = [...(n === 1 ? [{ role: 'system', content: SYSTEM }] : []), { role: 'user', content: question(n) }];
    results.push(await post(url, '/v1/chat/completions', { model: M.big, messages, max_tokens: 24 }, { 'x-session-id': session }));
    evaluated.push(sum(hosts.map((host) => host.promptTokens.evaluated)) - before);
  }
  const errors = results.filter((r) => !r.ok).length;
  return { turns, errors, errorStatuses: statusCounts(results), perTurn: sum(evaluated) / turns, lastTen: sum(evaluated.slice(-10)) / 10 };
}

async function embedBurst(url, hosts, count) {
  await resetHosts(hosts);
  const results = await Promise.all(Array.from({ length: count }, (_, i) => post(url, '/v1/embeddings', { model: M.embed, input: `release note ${i}` })));
  const calls = sum(hosts.map((host) => host.requests.filter((request) => request.path === '/api/embed' || request.path === '/api/embeddings').length));
  return { requests: count, upstreamCalls: calls, errors: results.filter((r) => !r.ok).length, errorStatuses: statusCounts(results) };
}

/** Chat load for `seconds`; the first host (gpu-a) is closed after `killAfter` of it. Every model has another host. */
async function failoverRun(url, hosts, { seconds, concurrency, killAfter }) {
  await resetHosts(hosts);
  const models = modelSequence(100_000, 7);
  const start = performance.now();
  const killAt = start + seconds * 1000 * killAfter;
  const stopAt = start + seconds * 1000;
  const killed = sleep(killAt - start).then(() => hosts[0].close());
  const results = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < stopAt) {
      const i = next++;
      const body = { model: models[i], messages: [{ role: 'user', content: `Check ${i}: is the service healthy?` }], max_tokens: 16 };
      results.push(await post(url, '/v1/chat/completions', body));
    }
  }));
  await killed;
  const before = results.filter((r) => r.ok && r.at < killAt).length;
  const after = results.filter((r) => r.ok && r.at >= killAt).length;
  return {
    requests: results.length,
    errors: results.filter((r) => !r.ok).length,
    errorStatuses: statusCounts(results),
    rpsBefore: before / ((killAt - start) / 1000),
    rpsAfter: after / ((performance.now() - killAt) / 1000),
  };
}

export async function measureFleet({ quick, tmpDir, log }) {
  const fake = await import(FAKE_MODULE.href);
  const started = Date.now();
  let hosts = await Promise.all(HOSTS.map((host) => startHost(fake, host)));
  const ports = hosts.map((host) => new URL(host.url).port);
  const hostsConfig = hosts.map((host, i) => ({ url: host.url, name: HOSTS[i].name, maxParallel: HOST_COSTS.maxParallel }));
  const roundRobin = await startRoundRobin(hosts.map((host) => host.url));
  const proxies = {};
  const scale = quick ? 0.5 : 1;
  try {
    proxies.fleet = await startProxy(tmpDir, 'fleet', { hosts: hostsConfig, env: { EMBED_BATCH_WINDOW_MS: '50', OLLAMA_QUEUE_SIZE: '2000' } });
    proxies.fleetOneTurn = await startProxy(tmpDir, 'fleet-one-turn', { hosts: hostsConfig, env: { MEMORY_WINDOW_LOW_WATER: '1' } });
    proxies.roundRobin = await startProxy(tmpDir, 'round-robin', { ollamaUrl: roundRobin.url, env: { MEMORY_WINDOW_LOW_WATER: '1' } });
    await fleetReady(proxies.fleet.url, hosts.length);
    await fleetReady(proxies.fleetOneTurn.url, hosts.length);
    const mixedPlan = { requests: Math.round(300 * scale), concurrency: 6 };
    log(`fleet: mixed workload (${mixedPlan.requests} requests, c=${mixedPlan.concurrency})`);
    const mixed = { roundRobin: await mixedWorkload(proxies.roundRobin.url, hosts, mixedPlan), fleet: await mixedWorkload(proxies.fleet.url, hosts, mixedPlan) };
    log('fleet: 30-turn session');
    const session = {
      roundRobin: await sessionRun(proxies.roundRobin.url, hosts, { turns: 30, session: 'bench-rr' }),
      fleetOneTurn: await sessionRun(proxies.fleetOneTurn.url, hosts, { turns: 30, session: 'bench-one-turn' }),
      fleet: await sessionRun(proxies.fleet.url, hosts, { turns: 30, session: 'bench-blocks' }),
    };
    log('fleet: 1,000 concurrent embeddings');
    const embeddings = { roundRobin: await embedBurst(proxies.roundRobin.url, hosts, 1000), fleet: await embedBurst(proxies.fleet.url, hosts, 1000) };
    const failPlan = { seconds: 4 * scale, concurrency: 6, killAfter: 1 / 3 };
    log(`fleet: one host killed after ${(failPlan.seconds * failPlan.killAfter).toFixed(1)} s of ${failPlan.seconds} s`);
    const failover = {};
    for (const [name, proxy] of [['roundRobin', proxies.roundRobin], ['fleet', proxies.fleet]]) {
      failover[name] = await failoverRun(proxy.url, hosts, failPlan);
      hosts[0] = await startHost(fake, HOSTS[0], Number(ports[0]));
      await fleetReady(proxies.fleet.url, hosts.length);
    }
    return { hosts: HOSTS, costs: HOST_COSTS, mixed, session, embeddings, failover, seconds: (Date.now() - started) / 1000 };
  } finally {
    for (const proxy of Object.values(proxies)) await proxy.stop();
    await roundRobin.close();
    await Promise.all(hosts.map((host) => host.close().catch(() => undefined)));
  }
}

const f = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const pass = (ok) => (ok ? 'PASS' : 'FAIL');
const errorsText = (row) => `${row.errors}${row.errors > 0 ? ` (${Object.entries(row.errorStatuses).map(([status, n]) => `${n}× ${status === '0' ? 'no answer' : status}`).join(', ')})` : ''}`;

export function formatFleet(result) {
  const { mixed, session, embeddings, failover } = result;
  const fewerCold = 1 - mixed.fleet.coldLoads / Math.max(1, mixed.roundRobin.coldLoads);
  const tokenShare = session.fleet.perTurn / session.fleetOneTurn.perTurn;
  const callShare = embeddings.fleet.upstreamCalls / Math.max(1, embeddings.roundRobin.upstreamCalls);
  const hostList = result.hosts.map((host) => `${host.name}: ${host.models.join(', ')}`).join('; ');
  const c = result.costs;
  return [
    `## Fleet: 3 fake Ollama hosts, this proxy's fleet vs naive round-robin (${f(result.seconds)} s)`,
    '',
    `Hosts: ${hostList}. Each: maxParallel ${c.maxParallel} (503 beyond), ${c.maxLoaded} models in memory (LRU unload), cold load ${c.coldLoadDelayMs} ms, ${c.tokenDelayMs} ms per generated token, ${c.promptTokenDelayMs} ms per evaluated prompt token, KV cache per slot.`,
    'Round-robin = a plain forwarder rotating over the hosts (nginx-style, no retry of a POST) with the proxy behind it seeing one host, one-turn window drop, no embeddings batching. Fleet = `ollama.hosts` in CONFIG_FILE (maxParallel 4 each), default memory (MEMORY_WINDOW_LOW_WATER 0.6), EMBED_BATCH_WINDOW_MS=50, OLLAMA_QUEUE_SIZE=2000.',
    '',
    '| figure | round-robin | fleet | goal | result |',
    '|---|---|---|---|---|',
    `| mixed workload (${mixed.fleet.requests} requests, 4 models): requests sent to a host without the model | ${mixed.roundRobin.sentToHostWithoutModel} | ${mixed.fleet.sentToHostWithoutModel} | 0 | ${pass(mixed.fleet.sentToHostWithoutModel === 0)} |`,
    `| mixed workload: cold loads | ${mixed.roundRobin.coldLoads} | ${mixed.fleet.coldLoads} | ≥ 50 % fewer | ${pass(fewerCold >= 0.5)} (${f(fewerCold * 100)} % fewer) |`,
    `| mixed workload: p50 / p99 ms (answered requests) | ${f(mixed.roundRobin.p50, 1)} / ${f(mixed.roundRobin.p99, 1)} | ${f(mixed.fleet.p50, 1)} / ${f(mixed.fleet.p99, 1)} | | |`,
    `| mixed workload: client-visible errors | ${errorsText(mixed.roundRobin)} | ${errorsText(mixed.fleet)} | | |`,
    `| 30-turn session: prompt tokens evaluated per turn | ${f(session.roundRobin.perTurn)} (one-turn drop; failed turns: ${errorsText(session.roundRobin)}); fleet with one-turn drop: ${f(session.fleetOneTurn.perTurn)} | ${f(session.fleet.perTurn)} (block drop, ${session.fleet.errors} turns failed) | ≤ 40 % of the one-turn drop | ${pass(tokenShare <= 0.4 && session.fleet.errors === 0)} (${f(tokenShare * 100)} %) |`,
    `| 30-turn session: per turn over the last 10 turns | ${f(session.roundRobin.lastTen)} (fleet one-turn: ${f(session.fleetOneTurn.lastTen)}) | ${f(session.fleet.lastTen)} | | |`,
    `| embeddings: upstream calls for 1,000 concurrent single-input requests | ${embeddings.roundRobin.upstreamCalls} (errors ${errorsText(embeddings.roundRobin)}) | ${embeddings.fleet.upstreamCalls} (errors ${errorsText(embeddings.fleet)}) | ≤ 1/8 | ${pass(callShare <= 1 / 8 && embeddings.fleet.errors === 0)} (1/${f(1 / Math.max(callShare, 1e-9), 1)}) |`,
    `| one host killed mid-run: client-visible errors | ${errorsText(failover.roundRobin)} of ${failover.roundRobin.requests} | ${errorsText(failover.fleet)} of ${failover.fleet.requests} | 0 | ${pass(failover.fleet.errors === 0)} |`,
    `| one host killed mid-run: req/s before / after the kill | ${f(failover.roundRobin.rpsBefore, 1)} / ${f(failover.roundRobin.rpsAfter, 1)} | ${f(failover.fleet.rpsBefore, 1)} / ${f(failover.fleet.rpsAfter, 1)} | | |`,
  ].join('\n');
}
