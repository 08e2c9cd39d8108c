// The main table: per column, non-streamed req/s and p50/p99 at each concurrency, streamed TTFB/TTFT and
// tokens/s at 64 concurrent streams, TTFB of a lone stream, server CPU per request, and peak RSS.
import { COLUMNS, portkeyHeaders, probeProxyFeatures } from './columns.mjs';
import { measureLoad } from './load.mjs';
import { makeTarget, streamingTarget } from './requests.mjs';
import { measureStreams } from './stream-client.mjs';
import { validateColumn } from './validate.mjs';

async function openColumn(launcher, id, upstream, streamTokens) {
  const make = (kind, url, headers) => makeTarget({ kind, url, headers, streamTokens });
  switch (id) {
    case 'a':
      return { server: upstream, target: make('native', upstream.url) };
    case 'b': {
      const server = await launcher.startForwarder(upstream.url);
      return { server, target: make('native', server.url), owned: server };
    }
    case 'c':
    case 'd': {
      const env = id === 'd' ? { CACHE_POLICY: 'always' } : {};
      const { child, headers, setup } = await launcher.startProxy(upstream.url, { env, label: `proxy-${id}` });
      const target = make('openai', child.url, headers);
      // (c) also streams the same answer as Responses API events and as Anthropic Messages events.
      const protocols = id === 'c' ? { responses: make('responses', child.url, headers), messages: make('anthropic', child.url, headers) } : undefined;
      return { server: child, target, protocols, owned: child, setup: { ...setup, ...(await probeProxyFeatures(child.url, headers)) } };
    }
    case 'e': {
      const server = await launcher.startPortkey();
      return { server, target: make('openai', server.url, portkeyHeaders(upstream.url)), owned: server };
    }
  }
  throw new Error(`unknown column ${id}`);
}

/** Cache column: the first non-streamed and streamed requests fill the cache; later identical ones hit it. */
async function warmCache(target) {
  const send = async (body) => {
    const response = await fetch(new URL(target.path, target.url), { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body });
    await response.arrayBuffer();
  };
  await send(target.body);
  await send(target.streamBody);
  const check = await fetch(new URL(target.path, target.url), { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: target.body });
  await check.arrayBuffer();
  return check.headers.get('x-cache');
}

/**
 * Runs `measure(0)` after `measure`'s own warm-up has run (`measure(warmupSeconds)` with the measured seconds
 * at the warm-up length), and reads the server's CPU over the measured window only: a figure per request or per
 * token must not charge the warm-up's CPU (and its JIT compiling) to the measured requests alone.
 */
async function withCpu(server, warmupSeconds, measure) {
  if (warmupSeconds > 0) await measure({ seconds: warmupSeconds, warmupSeconds: 0 });
  const before = server.cpuSeconds();
  const result = await measure({ warmupSeconds: 0 });
  return { ...result, cpuSeconds: server.cpuSeconds() - before };
}

export async function measureColumn(launcher, id, plan, log) {
  const upstream = await launcher.startUpstream();
  const opened = await openColumn(launcher, id, upstream, plan.streamTokens).catch(async (error) => {
    await upstream.stop();
    throw error;
  });
  const { server, target } = opened;
  try {
    const setup = { ...opened.setup };
    if (id === 'd') setup.xCacheAfterWarm = await warmCache(target);
    const isReplay = id === 'd';
    const problems = await validateColumn(target, { expectedTokens: plan.streamTokens, isReplay });
    if (problems.length > 0) log(`  ${id}: validation problems: ${problems.join('; ')}`);
    const load = [];
    for (const connections of plan.concurrencies) {
      const point = await withCpu(server, plan.warmupSeconds, (timing) => measureLoad({ ...target, connections, seconds: plan.seconds, ...timing }));
      point.cpuUsPerRequest = (point.cpuSeconds / point.requests) * 1e6;
      log(`  ${id} c=${connections}: ${point.rps.toFixed(0)} req/s, p50 ${point.p50.toFixed(3)} ms, p99 ${point.p99.toFixed(3)} ms${point.failed ? `, ${point.failed} failed` : ''}`);
      load.push(point);
    }
    const streamTarget = streamingTarget(target);
    const stream = await withCpu(server, plan.warmupSeconds, (timing) =>
      measureStreams({ target: streamTarget, concurrency: plan.streams, seconds: plan.seconds, expectedTokens: plan.streamTokens, isReplay, ...timing }),
    );
    stream.tokensPerCpuSecond = (stream.tokensPerSec * stream.seconds) / stream.cpuSeconds;
    log(`  ${id} ${plan.streams} streams: ${stream.tokensPerSec.toFixed(0)} tok/s, TTFB p50 ${stream.ttfbP50.toFixed(2)} ms${stream.failed ? `, ${stream.failed} failed (${stream.firstError})` : ''}`);
    const single = await measureStreams({ target: streamTarget, concurrency: 1, seconds: Math.max(1, plan.seconds / 2), warmupSeconds: plan.warmupSeconds, expectedTokens: plan.streamTokens, isReplay });
    log(`  ${id} 1 stream: TTFB p50 ${single.ttfbP50.toFixed(3)} ms, TTFT p50 ${single.ttftP50.toFixed(3)} ms`);
    const protocolStreams = opened.protocols ? await measureProtocolStreams(server, opened.protocols, plan, log) : undefined;
    return { id, label: COLUMNS.find((c) => c.id === id).label, setup, problems, load, stream, singleStream: single, protocolStreams, rss: server.rss(), upstreamRss: upstream.rss() };
  } finally {
    if (opened.owned) await opened.owned.stop();
    await upstream.stop();
  }
}

/** The streamed row again through the Responses and Messages routes: same upstream stream, another encoder. */
async function measureProtocolStreams(server, protocols, plan, log) {
  const measured = {};
  for (const [name, target] of Object.entries(protocols)) {
    const streamTarget = streamingTarget(target);
    const check = await measureStreams({ target: streamTarget, concurrency: 1, seconds: 0.2, warmupSeconds: 0, expectedTokens: plan.streamTokens });
    if (check.failed > 0 || check.streams === 0) log(`  c ${name}: validation problem: ${check.firstError ?? 'no stream completed'}`);
    const stream = await withCpu(server, plan.warmupSeconds, (timing) =>
      measureStreams({ target: streamTarget, concurrency: plan.streams, seconds: plan.seconds, expectedTokens: plan.streamTokens, ...timing }),
    );
    stream.tokensPerCpuSecond = (stream.tokensPerSec * stream.seconds) / stream.cpuSeconds;
    log(`  c ${name} ${plan.streams} streams: ${stream.tokensPerSec.toFixed(0)} tok/s, ${stream.tokensPerCpuSecond.toFixed(0)} tok/CPU-s${stream.failed ? `, ${stream.failed} failed (${stream.firstError})` : ''}`);
    measured[name] = stream;
  }
  return measured;
}

export async function measureTable(launcher, plan, log) {
  const columns = [];
  for (const { id, label } of COLUMNS) {
    if (!plan.columns.includes(id)) continue;
    log(`${label}`);
    try {
      columns.push(await measureColumn(launcher, id, plan, log));
    } catch (error) {
      log(`  ${id}: FAILED ${error.message}`);
      columns.push({ id, label, error: error.message });
    }
  }
  return columns;
}
