// Markdown output: the main table, the ratios, the targets of issue 8 with pass/fail, curves and feature costs.

const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ms = (value) => fmt(value, value < 10 ? 3 : 1);
const byId = (columns, id) => columns.find((c) => c.id === id && !c.error);
const loadAt = (column, connections) => column?.load.find((p) => p.connections === connections);
const bestRps = (column) => (column ? Math.max(...column.load.map((p) => p.rps)) : NaN);

export function formatTable(columns, plan) {
  const head = ['column'];
  for (const c of plan.concurrencies) head.push(`req/s c=${c}`, `p50 / p99 ms c=${c}`);
  head.push('CPU µs/req c=16', `tok/s ${plan.streams}×${plan.streamTokens}`, `TTFB p50 ms @${plan.streams}`, 'TTFB p50 ms @1', 'peak RSS MiB');
  const rows = columns.map((column) => {
    if (column.error) return [column.label, `failed: ${column.error.split('\n')[0]}`];
    const cells = [column.label];
    for (const c of plan.concurrencies) {
      const p = loadAt(column, c);
      cells.push(`${fmt(p?.rps)}${p?.failed ? ` (${p.failed} failed)` : ''}`, `${ms(p?.p50)} / ${ms(p?.p99)}`);
    }
    const s = column.stream;
    cells.push(fmt(loadAt(column, 16)?.cpuUsPerRequest), `${fmt(s.tokensPerSec)}${s.failed ? ` (${s.failed} failed)` : ''}`, ms(s.ttfbP50), ms(column.singleStream.ttfbP50), fmt(column.rss.peakMiB, 1));
    return cells;
  });
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** (c)'s streamed row per inbound protocol: the same 500-token upstream stream, translated by each encoder. */
export function formatProtocolStreams(columns, plan) {
  const c = byId(columns, 'c');
  if (!c?.protocolStreams) return '';
  const chat = c.stream.tokensPerCpuSecond;
  const lines = [
    `| (c) streams, ${plan.streams}×${plan.streamTokens} tokens | tok/s | tokens per proxy CPU-second | vs chat | TTFB p50 ms |`,
    '|---|---|---|---|---|',
  ];
  const row = (name, s) => lines.push(`| ${name} | ${fmt(s.tokensPerSec)}${s.failed ? ` (${s.failed} failed)` : ''} | ${fmt(s.tokensPerCpuSecond)} | ${fmt((s.tokensPerCpuSecond / chat) * 100)} % | ${ms(s.ttfbP50)} |`);
  row('chat.completion.chunk (`/v1/chat/completions`)', c.stream);
  if (c.protocolStreams.responses) row('Responses events (`/v1/responses`, store: false)', c.protocolStreams.responses);
  if (c.protocolStreams.messages) row('Anthropic Messages events (`/v1/messages`)', c.protocolStreams.messages);
  return lines.join('\n');
}

export function computeRatios(columns, plan) {
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((id) => byId(columns, id));
  const ratio = (x, y, n) => loadAt(x, n)?.rps / loadAt(y, n)?.rps;
  const added = (x, n) => loadAt(x, n)?.p50 - loadAt(a, n)?.p50;
  const perConcurrency = plan.concurrencies.map((n) => ({
    connections: n,
    cOverB: ratio(c, b, n),
    cOverE: ratio(c, e, n),
    dOverB: ratio(d, b, n),
    addedP50: { b: added(b, n), c: added(c, n), d: added(d, n), e: added(e, n) },
  }));
  const ttfbAdded = (x) => x?.singleStream.ttfbP50 - a?.singleStream.ttfbP50;
  return {
    perConcurrency,
    best: { cOverB: bestRps(c) / bestRps(b), cOverE: bestRps(c) / bestRps(e), dOverB: bestRps(d) / bestRps(b) },
    addedTtfbSingle: { b: ttfbAdded(b), c: ttfbAdded(c), d: ttfbAdded(d), e: ttfbAdded(e) },
  };
}

export function formatRatios(ratios) {
  const lines = ['| concurrency | (c)/(b) req/s | (c)/(e) req/s | (d)/(b) req/s | added p50 ms over (a): (b) | (c) | (d) | (e) |', '|---|---|---|---|---|---|---|---|'];
  for (const r of ratios.perConcurrency) {
    const x = r.addedP50;
    lines.push(`| ${r.connections} | ${fmt(r.cOverB, 2)} | ${fmt(r.cOverE, 2)} | ${fmt(r.dOverB, 2)} | ${ms(x.b)} | ${ms(x.c)} | ${ms(x.d)} | ${ms(x.e)} |`);
  }
  const t = ratios.addedTtfbSingle;
  lines.push('', `Best req/s over all concurrencies: (c)/(b) ${fmt(ratios.best.cOverB, 2)}, (c)/(e) ${fmt(ratios.best.cOverE, 2)}, (d)/(b) ${fmt(ratios.best.dOverB, 2)}.`);
  lines.push(`Added TTFB over (a), lone stream: (b) ${ms(t.b)} ms, (c) ${ms(t.c)} ms, (d) ${ms(t.d)} ms, (e) ${ms(t.e)} ms.`);
  return lines.join('\n');
}

export function evaluateTargets(columns, ratios, idle) {
  const c = byId(columns, 'c');
  const idleAt1000 = idle?.proxy?.steps.find((s) => s.streams === 1000 && s.opened === 1000);
  const target = (name, value, goal, pass, unit = '') => ({ name, value, goal, unit, pass: Number.isFinite(value) ? pass(value) : null });
  return [
    target('(c) req/s ≥ 60% of (b) (best concurrency)', ratios.best.cOverB * 100, '≥ 60', (v) => v >= 60, '%'),
    target('(c) req/s ≥ 1.5× (e) (best concurrency)', ratios.best.cOverE, '≥ 1.5', (v) => v >= 1.5, '×'),
    target('added p50 over (a), non-streamed, c=1', ratios.perConcurrency.find((r) => r.connections === 1)?.addedP50.c, '≤ 0.3', (v) => v <= 0.3, ' ms'),
    target('added time to first streamed byte over (a), lone stream', ratios.addedTtfbSingle.c, '≤ 1', (v) => v <= 1, ' ms'),
    target('streamed tokens/s translated per core (tokens per proxy CPU-second)', c?.stream.tokensPerCpuSecond, '≥ 100000', (v) => v >= 100_000),
    target(
      'Responses stream: tokens per proxy CPU-second vs chat (issue 14)',
      (c?.protocolStreams?.responses?.tokensPerCpuSecond / c?.stream.tokensPerCpuSecond) * 100,
      '≥ 85',
      (v) => v >= 85,
      '%',
    ),
    target('(d) req/s ≥ 80% of (b) (best concurrency)', ratios.best.dOverB * 100, '≥ 80', (v) => v >= 80, '%'),
    target('1,000 idle streams: proxy RSS', idleAt1000?.rssMiB * 1.048576, '≤ 200', (v) => v <= 200, ' MB'),
  ];
}

export function formatTargets(targets) {
  const lines = ['| target | measured | goal | result |', '|---|---|---|---|'];
  for (const t of targets) {
    const value = Number.isFinite(t.value) ? `${fmt(t.value, Math.abs(t.value) < 10 ? 2 : 0)}${t.unit}` : 'not measured';
    lines.push(`| ${t.name} | ${value} | ${t.goal}${t.unit} | ${t.pass === null ? '—' : t.pass ? 'PASS' : 'FAIL'} |`);
  }
  return lines.join('\n');
}
