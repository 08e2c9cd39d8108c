// Fleet figures (issue 15): three fake Ollama hosts with different model sets that play Ollama's costs (a cold
// load per model that is not in memory, at most two models in memory per host, a delay per generated token and
// per evaluated prompt token, a KV cache per parallel slot), behind this proxy's fleet and behind "today's"
// set-up: a naive round-robin forwarder (lib/fleet-round-robin.mjs) in front of the same hosts, with the proxy
// seeing one host. Both run in the same process and the same run. The hosts run in the bench's own process
// (the compiled test/helpers/fake-ollama.ts), so their counters are read directly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRoundRobin } from './fleet-round-robin.mjs';
import { embedBurst, failoverRun, fleetReady, M, mixedWorkload, sessionRun } from './fleet-workloads.mjs';
import { freePort, startChild } from './servers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FAKE_MODULE = new URL('../.build/test/helpers/fake-ollama.js', import.meta.url);

/** Every chat model is on two of the three hosts; the embedder on two. */
const HOSTS = [
  { name: 'gpu-a', models: [M.big, M.r1, M.embed] },
  { name: 'gpu-b', models: [M.r1, M.coder, M.small, M.embed] },
  { name: 'gpu-c', models: [M.coder, M.small, M.big] },
];
const HOST_COSTS = { maxParallel: 4, maxLoaded: 2, coldLoadDelayMs: 150, tokenDelayMs: 1, promptTokenDelayMs: 0.02 };

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
  const stdout = process.env.FLEET_BENCH_DEBUG ? join('/tmp', `fleet-proxy-${label}.log`) : 'ignore';
  return startChild({ name: `proxy (${label})`, args: [join(ROOT, 'dist/main.js')], env: { ...fullEnv, ...(process.env.FLEET_BENCH_DEBUG ? { LOG_LEVEL: 'debug' } : {}) }, port, readyPath: '/health', stdout });
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
