// Scaling curves (issue 8 point 2): overhead over (a) as the prompt grows and as streams get longer, for
// (b) and (c); RSS of (b) and (c) while 250/500/1,000 streams sit idle. Any segment whose cost grows faster than
// linearly (log-log slope > 1.15 where the cost is above noise) is flagged.
import { measureLoad } from './load.mjs';
import { makeTarget, promptOf, streamingTarget } from './requests.mjs';
import { measureStreams, openIdleStreams } from './stream-client.mjs';

const PROMPT_SIZES = [1024, 10 * 1024, 100 * 1024, 1024 * 1024];
const STREAM_LENGTHS = [100, 1000, 5000];
const SUPERLINEAR_RATIO = 1.5;

async function withServer(launcher, id, upstreamEnv, run) {
  const upstream = await launcher.startUpstream(upstreamEnv);
  let owned;
  try {
    if (id === 'a') return await run(upstream, 'native', upstream.url, {});
    if (id === 'b') {
      owned = await launcher.startForwarder(upstream.url);
      return await run(owned, 'native', owned.url, {});
    }
    const proxy = await launcher.startProxy(upstream.url, { label: 'proxy-curve' });
    owned = proxy.child;
    return await run(owned, 'openai', owned.url, proxy.headers);
  } finally {
    await owned?.stop();
    await upstream.stop();
  }
}

/** Per segment of (x, y): how much the cost per unit changed; flagged when it rose > 1.5× and y is above `floor`. */
export function growth(points, floor) {
  const segments = [];
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i - 1];
    const [x2, y2] = points[i];
    const perUnitRatio = y1 > 0 && y2 > 0 ? y2 / x2 / (y1 / x1) : NaN;
    segments.push({ from: x1, to: x2, perUnitRatio, superlinear: Number.isFinite(perUnitRatio) && perUnitRatio > SUPERLINEAR_RATIO && y2 > floor });
  }
  return { segments, superlinear: segments.some((s) => s.superlinear) };
}

async function promptCurve(launcher, timing, log) {
  const p50 = {};
  for (const id of ['a', 'b', 'c']) {
    p50[id] = await withServer(launcher, id, {}, async (_server, kind, url, headers) => {
      const points = [];
      for (const size of PROMPT_SIZES) {
        const target = makeTarget({ kind, url, headers, prompt: promptOf(size) });
        const m = await measureLoad({ ...target, connections: 1, ...timing });
        log(`  prompt ${size / 1024} KiB ${id}: p50 ${m.p50.toFixed(3)} ms${m.failed ? `, ${m.failed} failed` : ''}`);
        points.push(m.p50);
      }
      return points;
    });
  }
  const rows = PROMPT_SIZES.map((bytes, i) => ({ bytes, p50: { a: p50.a[i], b: p50.b[i], c: p50.c[i] }, overhead: { b: p50.b[i] - p50.a[i], c: p50.c[i] - p50.a[i] } }));
  const flags = Object.fromEntries(['b', 'c'].map((id) => [id, growth(rows.map((r) => [r.bytes, r.overhead[id]]), 1)]));
  return { rows, growth: flags };
}

async function tokensCurve(launcher, timing, log) {
  const results = {};
  for (const id of ['a', 'b', 'c']) {
    results[id] = await withServer(launcher, id, {}, async (_server, kind, url, headers) => {
      const points = [];
      for (const tokens of STREAM_LENGTHS) {
        const target = streamingTarget(makeTarget({ kind, url, headers, streamTokens: tokens }));
        const m = await measureStreams({ target, concurrency: 1, ...timing, expectedTokens: tokens });
        log(`  stream ${tokens} tokens ${id}: stream p50 ${m.streamP50.toFixed(2)} ms, ${m.tokensPerSec.toFixed(0)} tok/s${m.failed ? `, ${m.failed} failed (${m.firstError})` : ''}`);
        points.push(m);
      }
      return points;
    });
  }
  const rows = STREAM_LENGTHS.map((tokens, i) => {
    const stream = (id) => results[id][i].streamP50;
    const overhead = { b: stream('b') - stream('a'), c: stream('c') - stream('a') };
    const perTokenUs = { b: (overhead.b / tokens) * 1000, c: (overhead.c / tokens) * 1000 };
    return { tokens, streamP50: { a: stream('a'), b: stream('b'), c: stream('c') }, tokensPerSec: { a: results.a[i].tokensPerSec, b: results.b[i].tokensPerSec, c: results.c[i].tokensPerSec }, overhead, perTokenUs };
  });
  const flags = Object.fromEntries(['b', 'c'].map((id) => [id, growth(rows.map((r) => [r.tokens, r.overhead[id]]), 1)]));
  return { rows, growth: flags };
}

async function idleCurve(launcher, id, steps, log) {
  return withServer(launcher, id, { BENCH_TOKEN_DELAY_MS: '600000' }, async (server, kind, url, headers) => {
    const target = streamingTarget(makeTarget({ kind, url, headers }));
    await measureLoad({ ...makeTarget({ kind, url, headers }), connections: 4, seconds: 1, warmupSeconds: 0 });
    const baselineMiB = server.rss().currentMiB;
    const open = [];
    const points = [];
    let total = 0;
    for (const streams of steps) {
      open.push(await openIdleStreams({ target, count: streams - total, timeoutMs: 15_000 }));
      total = streams;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const opened = open.reduce((sum, o) => sum + o.opened, 0);
      const rss = server.rss();
      points.push({ streams, opened, rssMiB: rss.currentMiB, peakMiB: rss.peakMiB, perStreamKiB: ((rss.currentMiB - baselineMiB) * 1024) / Math.max(1, opened) });
      log(`  idle ${id}: ${opened}/${streams} streams open, RSS ${rss.currentMiB.toFixed(1)} MiB (baseline ${baselineMiB.toFixed(1)})`);
    }
    for (const o of open) o.close();
    return { baselineMiB, steps: points, growth: growth(points.map((p) => [p.streams, p.rssMiB - baselineMiB]), 5) };
  });
}

export async function measureCurves(launcher, { quick, log }) {
  const timing = quick ? { seconds: 1, warmupSeconds: 0.3 } : { seconds: 3, warmupSeconds: 0.5 };
  log('curve: overhead vs prompt size');
  const prompt = await promptCurve(launcher, timing, log);
  log('curve: overhead vs streamed tokens');
  const tokens = await tokensCurve(launcher, timing, log);
  log('curve: RSS with idle streams');
  const steps = [250, 500, 1000];
  const idle = { forwarder: await idleCurve(launcher, 'b', steps, log), proxy: await idleCurve(launcher, 'c', steps, log) };
  return { prompt, tokens, idle };
}

const f = (v, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const ratios = (g) => g.segments.map((s) => f(s.perUnitRatio, 2)).join(', ');
const flag = (g) => `${g.superlinear ? ' **grows worse than linearly**' : ' linear or better'} (cost per unit, step to step: ×${ratios(g)})`;

export function formatCurves({ prompt, tokens, idle }) {
  const out = ['## Scaling curves', '', '### Overhead over (a) vs prompt size (non-streamed, c=1, p50 ms)', '', '| message size | (a) p50 | (b) p50 | (c) p50 | (b) added | (c) added |', '|---|---|---|---|---|---|'];
  for (const r of prompt.rows) out.push(`| ${r.bytes >= 1048576 ? `${r.bytes / 1048576} MiB` : `${r.bytes / 1024} KiB`} | ${f(r.p50.a)} | ${f(r.p50.b)} | ${f(r.p50.c)} | ${f(r.overhead.b)} | ${f(r.overhead.c)} |`);
  out.push('', `(b)${flag(prompt.growth.b)}; (c)${flag(prompt.growth.c)}.`, '');
  out.push('### Overhead over (a) vs streamed tokens (one stream at a time, p50 of whole-stream time)', '', '| tokens | (a) ms | (b) ms | (c) ms | (c) added ms | (c) added µs/token | (a) tok/s | (c) tok/s |', '|---|---|---|---|---|---|---|---|');
  for (const r of tokens.rows) out.push(`| ${r.tokens} | ${f(r.streamP50.a, 2)} | ${f(r.streamP50.b, 2)} | ${f(r.streamP50.c, 2)} | ${f(r.overhead.c, 2)} | ${f(r.perTokenUs.c, 2)} | ${f(r.tokensPerSec.a, 0)} | ${f(r.tokensPerSec.c, 0)} |`);
  out.push('', `(b)${flag(tokens.growth.b)}; (c)${flag(tokens.growth.c)}.`, '');
  out.push('### RSS with idle streams (upstream sends one token, then nothing)', '', '| open streams | (b) RSS MiB | (c) RSS MiB | (c) KiB per stream |', '|---|---|---|---|');
  idle.proxy.steps.forEach((p, i) => out.push(`| ${p.opened}/${p.streams} | ${f(idle.forwarder.steps[i]?.rssMiB, 1)} | ${f(p.rssMiB, 1)} | ${f(p.perStreamKiB, 1)} |`));
  out.push('', `Baselines: (b) ${f(idle.forwarder.baselineMiB, 1)} MiB, (c) ${f(idle.proxy.baselineMiB, 1)} MiB. (b)${flag(idle.forwarder.growth)}; (c)${flag(idle.proxy.growth)}.`);
  return out.join('\n');
}
