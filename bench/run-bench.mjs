// npm run bench [-- --quick] [--no-curves] [--no-features] [--no-fleet] [--only=fleet] [--profile] [--repeat=N] [--seconds=S] [--upstream=bench] [--columns=abcde]
// Runs every server under test as its own child process on 127.0.0.1 against a fake Ollama in fast mode,
// prints one markdown report and writes it as JSON to bench/results/<timestamp>.json and latest.json.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLauncher } from './lib/columns.mjs';
import { measureCurves, formatCurves } from './lib/curves-suite.mjs';
import { measureFeatures, formatFeatures } from './lib/features-suite.mjs';
import { measureFleet, formatFleet } from './lib/fleet-suite.mjs';
import { describeMachine, formatMachine } from './lib/machine.mjs';
import { profileProxy, formatProfile } from './lib/profile-suite.mjs';
import { computeRatios, evaluateTargets, formatProtocolStreams, formatRatios, formatTable, formatTargets } from './lib/report.mjs';
import { medianOf } from './lib/median.mjs';
import { measureTable } from './lib/table-suite.mjs';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    features: { type: 'boolean', default: false },
    'no-features': { type: 'boolean', default: false },
    'no-curves': { type: 'boolean', default: false },
    'no-fleet': { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    upstream: { type: 'string', default: 'project' },
    columns: { type: 'string', default: 'abcde' },
    seconds: { type: 'string' },
    repeat: { type: 'string', default: '1' },
  },
});

const quick = flags.quick;
const seconds = Number(flags.seconds ?? (quick ? 1 : 5));
const plan = {
  columns: flags.columns.split(''),
  concurrencies: [1, 16, 64],
  seconds,
  warmupSeconds: quick ? 0.3 : 1,
  streams: 64,
  streamTokens: 500,
  curves: !flags['no-curves'],
  // The whole default run (table, curves, feature costs) stays well under 10 minutes; --features is accepted for
  // symmetry with --no-features.
  features: flags.features || !flags['no-features'],
  fleet: !flags['no-fleet'],
  upstream: flags.upstream,
  repeat: Math.max(1, Number(flags.repeat)),
};

const log = (line) => process.stderr.write(`${line}\n`);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

function checkBuilt() {
  const root = new URL('../', import.meta.url);
  const missing = ['dist/main.js', ...(plan.upstream === 'project' ? ['bench/.build/bench/fake-upstream.js'] : [])].filter((p) => !existsSync(new URL(p, root)));
  if (missing.length > 0) {
    log(`missing ${missing.join(', ')}: run \`npm run bench\` (it builds first) or \`npm run build && npx tsc -p tsconfig.bench.json\``);
    process.exit(1);
  }
}

async function main() {
  checkBuilt();
  const machine = describeMachine();
  log(formatMachine(machine));
  const tmpDir = mkdtempSync(join(os.tmpdir(), 'proxy-bench-'));
  const launcher = createLauncher({ upstream: plan.upstream, tmpDir });
  const results = { startedAt: new Date(started).toISOString(), machine, plan };
  try {
    if (flags.only === 'fleet') {
      results.fleet = await measureFleet({ quick, tmpDir, log });
    } else if (flags.profile) {
      results.profile = await profileProxy(launcher, { seconds: Math.max(seconds, 3), tmpDir, log });
    } else {
      const runs = [];
      for (let i = 1; i <= plan.repeat; i++) {
        if (plan.repeat > 1) log(`table run ${i} of ${plan.repeat}`);
        runs.push(await measureTable(launcher, plan, log));
      }
      results.columns = medianOf(runs);
      if (plan.repeat > 1) results.runs = runs;
      log(`table done after ${elapsed()}`);
      if (plan.curves) results.curves = await measureCurves(launcher, { quick, log });
      if (plan.features) results.features = await measureFeatures(launcher, { quick, log });
      if (plan.fleet) results.fleet = await measureFleet({ quick, tmpDir, log });
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  results.machine.loadAverageAtEnd = os.loadavg().map((v) => Math.round(v * 100) / 100);
  results.durationSeconds = (Date.now() - started) / 1000;
  printReport(results);
  writeResults(results);
}

function printReport(results) {
  const out = [`# Benchmark ${results.startedAt}`, '', formatMachine(results.machine) + `; at end ${results.machine.loadAverageAtEnd.join(' / ')}`, '', ...busyWarning(results.machine)];
  const upstreamName = plan.upstream === 'project' ? "the project's fake Ollama (test/helpers/fake-ollama.ts, fast mode)" : 'bench/fast-upstream.mjs';
  const repeated = plan.repeat > 1 ? `; table values are medians of ${plan.repeat} runs` : '';
  out.push(`Upstream: ${upstreamName}; ${plan.seconds} s per point after ${plan.warmupSeconds} s warm-up${repeated}.`, '');
  if (results.profile) {
    out.push(formatProfile(results.profile));
  } else if (!results.columns) {
    // --only=fleet: nothing but the fleet section.
  } else {
    out.push(formatTable(results.columns, plan), '');
    const protocolStreams = formatProtocolStreams(results.columns, plan);
    if (protocolStreams) out.push(protocolStreams, '');
    for (const column of results.columns.filter((c) => c.setup)) out.push(`${column.label}: ${JSON.stringify(column.setup)}`);
    for (const column of results.columns.filter((c) => c.problems?.length)) out.push(`WARNING ${column.label} answers: ${column.problems.join('; ')}`);
    out.push(...setupWarnings(results.columns));
    const ratios = computeRatios(results.columns, plan);
    results.ratios = ratios;
    out.push('', '## Ratios', '', formatRatios(ratios), '');
    if (results.curves) out.push(formatCurves(results.curves), '');
    if (results.features) out.push(formatFeatures(results.features), '');
    results.targets = evaluateTargets(results.columns, ratios, results.curves?.idle);
    out.push('## Targets (issue 8 point 3)', '', formatTargets(results.targets), '');
  }
  if (results.fleet) out.push(formatFleet(results.fleet), '');
  out.push(`Total time ${results.durationSeconds.toFixed(0)} s.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Says plainly when a feature the column is meant to exercise was not active in this build. */
function setupWarnings(columns) {
  const warnings = [];
  for (const column of columns.filter((c) => c.setup?.auth)) {
    if (column.setup.auth !== 'api-key') warnings.push(`NOTE ${column.label}: authenticated with MASTER_KEY (no issued API key could be used)`);
    if (!column.setup.rateLimitHeaders) warnings.push(`NOTE ${column.label}: no x-ratelimit-* headers, rate limiting looks inactive in this build`);
    if (column.setup.metricsStatus !== 200) warnings.push(`NOTE ${column.label}: GET /metrics answered ${column.setup.metricsStatus}`);
    if (column.id === 'd' && column.setup.xCacheAfterWarm !== 'HIT') warnings.push(`WARNING ${column.label}: X-Cache after warm-up is ${column.setup.xCacheAfterWarm}, not HIT: this column did not measure cache hits`);
  }
  return warnings;
}

function busyWarning(machine) {
  const load = machine.loadAverageAtStart[0];
  return load > machine.nproc / 2 ? [`WARNING: load average ${load} at start on ${machine.nproc} cores: other work competes with the servers under test; expect noisy numbers.`, ''] : [];
}

function writeResults(results) {
  const dir = new URL('./results/', import.meta.url);
  const partial = flags.profile ? '-profile' : flags.only ? `-${flags.only}` : '';
  const name = `${results.startedAt.replace(/[:.]/g, '-')}${partial}.json`;
  const text = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(new URL(name, dir), text);
  if (partial === '') writeFileSync(new URL('latest.json', dir), text);
  log(`wrote bench/results/${name}${partial === '' ? ' and bench/results/latest.json' : ''}`);
}

await main();
