// Feature costs (issue 8 point 4): (c) at concurrency 16 with one feature switched off at a time, and with the
// cache lookup switched on (CACHE_POLICY=deterministic, temperature 0, every request a different prompt, so
// every lookup misses and every answer is stored). All runs send the same kind of unique bodies.
import { measureLoad } from './load.mjs';
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

export async function measureFeatures(launcher, { seconds, warmupSeconds, log }) {
  log(`feature costs (c=${CONNECTIONS})`);
  const rows = [];
  for (const variant of VARIANTS) {
    const upstream = await launcher.startUpstream();
    let proxy;
    try {
      proxy = await launcher.startProxy(upstream.url, { env: variant.env, label: 'proxy-feature' });
      const target = makeTarget({ kind: 'openai', url: proxy.child.url, headers: proxy.headers, prompt: 'Say hello in five words. Request [<id>]', extra: { temperature: 0 } });
      const cpuBefore = proxy.child.cpuSeconds();
      const m = await measureLoad({ ...target, connections: CONNECTIONS, seconds, warmupSeconds, idReplacement: true });
      m.cpuUsPerRequest = ((proxy.child.cpuSeconds() - cpuBefore) / m.requests) * 1e6;
      log(`  ${variant.name}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50.toFixed(3)} ms, ${m.cpuUsPerRequest.toFixed(0)} CPU µs/req${m.failed ? `, ${m.failed} failed` : ''}`);
      rows.push({ ...variant, auth: proxy.setup.auth, ...m, peakRssMiB: proxy.child.rss().peakMiB });
    } catch (error) {
      log(`  ${variant.name}: FAILED ${error.message}`);
      rows.push({ ...variant, error: error.message });
    } finally {
      await proxy?.child.stop();
      await upstream.stop();
    }
  }
  return { connections: CONNECTIONS, rows };
}

const f = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/** Cost of a feature = CPU µs per request with it on minus with it off (the proxy's own CPU, not the upstream's). */
export function formatFeatures({ connections, rows }) {
  const base = rows[0];
  const out = [`## Feature costs ((c), c=${connections}, unique prompts, temperature 0)`, '', '| variant | req/s | p50 ms | p99 ms | proxy CPU µs/req | feature cost µs/req |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    if (row.error) {
      out.push(`| ${row.name} | failed: ${row.error.split('\n')[0]} | | | | |`);
      continue;
    }
    const cost = row.feature === undefined ? '' : f(row.adds ? row.cpuUsPerRequest - base.cpuUsPerRequest : base.cpuUsPerRequest - row.cpuUsPerRequest);
    out.push(`| ${row.name} | ${f(row.rps)} | ${f(row.p50, 3)} | ${f(row.p99, 3)} | ${f(row.cpuUsPerRequest)} | ${cost} |`);
  }
  return out.join('\n');
}
