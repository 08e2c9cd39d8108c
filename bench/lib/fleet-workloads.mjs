// The fleet bench's workloads (lib/fleet-suite.mjs runs them against each set-up): a mixed chat workload, a
// 30-turn session, a burst of embeddings, and chat load with one host killed. Each resets the hosts first and
// reads their counters (cold loads, missing-model requests, evaluated prompt tokens, /api/embed calls) directly.
import { percentile } from './load.mjs';

/** The bench's models (a host set per model is in fleet-suite.mjs). */
export const M = { big: 'bench-big:671b', r1: 'bench-r1:32b', coder: 'bench-coder:7b', small: 'bench-small:3b', embed: 'bench-embed:latest' };
const MIX = [
  [M.big, 0.3],
  [M.r1, 0.3],
  [M.coder, 0.25],
  [M.small, 0.15],
];
const SYSTEM = 'You are a careful assistant for a build team. Answer briefly and precisely.';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
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

export async function post(base, path, body, headers = {}) {
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
export async function fleetReady(url, live) {
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

export async function mixedWorkload(url, hosts, { requests, concurrency }) {
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

export async function sessionRun(url, hosts, { turns, session }) {
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

export async function embedBurst(url, hosts, count) {
  await resetHosts(hosts);
  const results = await Promise.all(Array.from({ length: count }, (_, i) => post(url, '/v1/embeddings', { model: M.embed, input: `release note ${i}` })));
  const calls = sum(hosts.map((host) => host.requests.filter((request) => request.path === '/api/embed' || request.path === '/api/embeddings').length));
  return { requests: count, upstreamCalls: calls, errors: results.filter((r) => !r.ok).length, errorStatuses: statusCounts(results) };
}

/** Chat load for `seconds`; the first host (gpu-a) is closed after `killAfter` of it. Every model has another host. */
export async function failoverRun(url, hosts, { seconds, concurrency, killAfter }) {
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

