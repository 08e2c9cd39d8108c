// Feature costs (issue 8 point 4): (c) at concurrency 16 with one feature switched off at a time, and with the
// cache lookup switched on (CACHE_POLICY=deterministic, temperature 0, every request a different prompt, so
// every lookup misses and every answer is stored). All runs send the same kind of unique bodies.
import { measureLoad } from './load.mjs';
import { medianOf } from './median.mjs';
import { makeTarget } from './requests.mjs';

const VARIANTS = [
  { name: 'all defaults on (cache off) = (c)', env: {} },
  { name: 'auth off', env: { AUTH_DISABLED: 'true' }, feature: 'auth' },
  { name: 'rate limit off', env: { RATE_LIMIT_ENABLED: 'false' }, feature: 'rate limit' },
  { name: 'metrics off', env: { METRICS_ENABLED: 'false' }, feature: 'metrics' },
  { name: 'logging off (LOG_LEVEL=error)', env: { LOG_LEVEL: 'error' }, feature: 'logging' },
  { name: 'cache lookup on, all misses (deterministic)', env: { CACHE_POLICY: 'deterministic' }, feature: 'cache lookup', adds: true },
  { name: 'all of auth, rate limit, metrics, logging off', env: { AUTH_DISABLED: 'true', RATE_LIMIT_ENABLED: 'false', METRICS_ENABLED: 'false', LOG_LEVEL: 'error' } },
];

const CONNECTIONS = 16;

async function startVariant(launcher, variant) {
  const upstream = await launcher.startUpstream();
  try {
    const proxy = await launcher.startProxy(upstream.url, { env: variant.env, label: 'proxy-feature' });
    const target = makeTarget({ kind: 'openai', url: proxy.child.url, headers: proxy.headers, prompt: 'Say hello in five words. Request [<id>]', extra: { temperature: 0 } });
    return { variant, upstream, proxy, target, runs: [] };
  } catch (error) {
    await upstream.stop();
    return { variant, error: error.message, runs: [] };
  }
}

async function measureVariant(running, timing) {
  // The warm-up runs before the CPU reading: only the measured requests' CPU is divided by their count.
  if (timing.warmupSeconds > 0) await measureLoad({ ...running.target, connections: CONNECTIONS, seconds: timing.warmupSeconds, warmupSeconds: 0, idReplacement: true });
  const cpuBefore = running.proxy.child.cpuSeconds();
  const m = await measureLoad({ ...running.target, connections: CONNECTIONS, ...timing, warmupSeconds: 0, idReplacement: true });
  m.cpuUsPerRequest = ((running.proxy.child.cpuSeconds() - cpuBefore) / m.requests) * 1e6;
  running.runs.push(m);
}

/**
 * All variants run side by side (each its own proxy and upstream, idle while another is measured) and are
 * measured round-robin; the medians of the rounds cancel out most of the drift of a shared machine's load.
 */
export async function measureFeatures(launcher, { quick, log }) {
  const rounds = quick ? 1 : 3;
  const timing = quick ? { seconds: 1, warmupSeconds: 0.3 } : { seconds: 2, warmupSeconds: 0.5 };
  log(`feature costs (c=${CONNECTIONS}, ${rounds} interleaved rounds of ${timing.seconds} s)`);
  const variants = [];
  for (const variant of VARIANTS) variants.push(await startVariant(launcher, variant));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const running of variants.filter((v) => !v.error)) await measureVariant(running, timing);
    }
  } finally {
    for (const running of variants) {
      await running.proxy?.child.stop();
      await running.upstream?.stop();
    }
  }
  const rows = variants.map(({ variant, error, proxy, runs }) => {
    if (error) return { ...variant, error };
    const m = medianOf(runs);
    log(`  ${variant.name}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50.toFixed(3)} ms, ${m.cpuUsPerRequest.toFixed(0)} CPU µs/req${m.failed ? `, ${m.failed} failed` : ''}`);
    return { ...variant, auth: proxy.setup.auth, ...m, rounds: runs };
  });
  return { connections: CONNECTIONS, rounds, seconds: timing.seconds, rows };
}

const f = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/** Cost of a feature = CPU µs per request with it on minus with it off (the proxy's own CPU, not the upstream's). */
export function formatFeatures({ connections, rounds, seconds, rows }) {
  const base = rows[0];
  const out = [`## Feature costs ((c), c=${connections}, unique prompts, temperature 0; medians of ${rounds} interleaved rounds of ${seconds} s)`, '', '| variant | req/s | p50 ms | p99 ms | proxy CPU µs/req | feature cost µs/req | auth used |', '|---|---|---|---|---|---|---|'];
  for (const row of rows) {
    if (row.error) {
      out.push(`| ${row.name} | failed: ${row.error.split('\n')[0]} | | | | | |`);
      continue;
    }
    const cost = row.feature === undefined ? '' : f(row.adds ? row.cpuUsPerRequest - base.cpuUsPerRequest : base.cpuUsPerRequest - row.cpuUsPerRequest);
    out.push(`| ${row.name} | ${f(row.rps)} | ${f(row.p50, 3)} | ${f(row.p99, 3)} | ${f(row.cpuUsPerRequest)} | ${cost} | ${row.auth} |`);
  }
  return out.join('\n');
}
