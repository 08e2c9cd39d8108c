// `--profile`: the proxy under `node --cpu-prof`, loaded with non-streamed requests (c=16) and then 64 streams
// of 500 tokens; prints the top self-time functions overall, in our code (dist/ mapped back to src/ through the
// source maps) and per package. The .cpuprofile is kept in bench/profiles/ for Chrome DevTools.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureLoad } from './load.mjs';
import { makeTarget, streamingTarget } from './requests.mjs';
import { measureStreams } from './stream-client.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NOT_BUSY = new Set(['(idle)', '(program)']);

function sourceMapFor(cache, url) {
  if (!cache.has(url)) {
    const file = fileURLToPath(url);
    cache.set(url, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : null);
  }
  return cache.get(url);
}

/** Where a profiled function lives: our src file and line, a package, or node itself. */
function locate(callFrame, maps) {
  const { url, lineNumber, columnNumber } = callFrame;
  if (url.startsWith(`file://${ROOT}dist/`)) {
    const entry = sourceMapFor(maps, url)?.findEntry(lineNumber, columnNumber);
    const source = entry?.originalSource ? entry.originalSource.replace(/^.*?\/src\//, 'src/') : url.slice(`file://${ROOT}`.length);
    return { owner: 'ours', where: `${source}:${(entry?.originalLine ?? lineNumber) + 1}` };
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return { owner: pkg, where: `${pkg}:${lineNumber + 1}` };
  if (url === '') return { owner: '(native/V8)', where: '' };
  return { owner: 'node', where: `${url.replace(/^node:/, '')}:${lineNumber + 1}` };
}

/**
 * Busy time attributed to the nearest package or our src file on the stack (node internals and V8 builtins
 * count for whoever called them): "undici 35%" includes the web streams and socket writes fetch makes.
 */
function attributeToOwners(profile, keyOf, selfById, busy) {
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map();
  for (const [id, micros] of selfById) {
    const name = byId.get(id).callFrame.functionName;
    if (NOT_BUSY.has(name)) continue;
    let owner = name === '(garbage collector)' ? '(garbage collector)' : undefined;
    for (let at = id; owner === undefined && at !== undefined; at = parent.get(at)) {
      const entry = keyOf(byId.get(at));
      if (entry.owner === 'ours') owner = entry.where.replace(/:\d+$/, '');
      else if (!['node', '(native/V8)'].includes(entry.owner)) owner = entry.owner;
    }
    owner ??= 'node (no package or src frame on the stack)';
    totals.set(owner, (totals.get(owner) ?? 0) + micros / 1000);
  }
  return [...totals].map(([owner, selfMs]) => ({ owner, selfMs, pct: (selfMs / busy) * 100 })).sort((x, y) => y.selfMs - x.selfMs);
}

/**
 * Inclusive time of our functions: each sample counts once for every distinct function of ours on its stack,
 * so a cheap function that calls something expensive (JSON.stringify, a socket write) shows up here.
 */
function inclusiveOurs(profile, keyOf, selfById) {
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map();
  for (const [id, micros] of selfById) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const entry = keyOf(byId.get(at));
      if (entry?.owner === 'ours' && !seen.has(entry.key)) {
        seen.add(entry.key);
        const total = totals.get(entry.key) ?? { name: entry.name, where: entry.where, owner: 'ours', selfMs: 0 };
        total.selfMs += micros / 1000;
        totals.set(entry.key, total);
      }
    }
  }
  return [...totals.values()].sort((x, y) => y.selfMs - x.selfMs);
}

export function summarizeProfile(profile) {
  const selfById = new Map();
  profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const maps = new Map();
  const keyOf = (node) => {
    const name = node.callFrame.functionName || '(anonymous)';
    const { owner, where } = locate(node.callFrame, maps);
    return { key: `${name} ${where}`, name, owner, where };
  };
  const functions = new Map();
  let busy = 0;
  for (const node of profile.nodes) {
    const self = (selfById.get(node.id) ?? 0) / 1000;
    if (self === 0 || NOT_BUSY.has(node.callFrame.functionName)) continue;
    busy += self;
    const { key, name, owner, where } = keyOf(node);
    const entry = functions.get(key) ?? { name, where, owner, selfMs: 0 };
    entry.selfMs += self;
    functions.set(key, entry);
  }
  const withPct = (list) => list.map((e) => ({ ...e, pct: (e.selfMs / busy) * 100 }));
  const sorted = [...functions.values()].sort((x, y) => y.selfMs - x.selfMs);
  return {
    busyMs: busy,
    top: withPct(sorted.slice(0, 25)),
    ours: withPct(sorted.filter((e) => e.owner === 'ours').slice(0, 25)),
    oursInclusive: withPct(inclusiveOurs(profile, keyOf, selfById).slice(0, 25)),
    owners: attributeToOwners(profile, keyOf, selfById, busy).slice(0, 20),
  };
}

async function profilePhase(launcher, dir, phase, seconds, log) {
  const upstream = await launcher.startUpstream();
  const proxy = await launcher.startProxy(upstream.url, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`], label: `proxy-profile-${phase}` });
  const pid = proxy.child.pid;
  let load;
  try {
    const target = makeTarget({ kind: 'openai', url: proxy.child.url, headers: proxy.headers });
    if (phase === 'non-streamed') {
      const m = await measureLoad({ ...target, connections: 16, seconds, warmupSeconds: 1 });
      load = `${m.rps.toFixed(0)} req/s non-streamed at c=16`;
    } else {
      const m = await measureStreams({ target: streamingTarget(target), concurrency: 64, seconds, warmupSeconds: 1, expectedTokens: 500 });
      load = `${m.tokensPerSec.toFixed(0)} tok/s, 64 streams of 500 tokens`;
    }
    log(`  profile ${phase}: ${load}`);
  } finally {
    await proxy.child.stop();
    await upstream.stop();
  }
  const file = readdirSync(dir).filter((name) => name.includes(`.${pid}.`) && name.endsWith('.cpuprofile')).sort().at(-1);
  if (!file) throw new Error(`no .cpuprofile for pid ${pid} in ${dir}`);
  const summary = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  return { phase, load, file: `bench/profiles/${file}`, auth: proxy.setup.auth, ...summary };
}

/** Two profiles, each of its own proxy process: non-streamed requests (c=16), then 64 streams of 500 tokens. */
export async function profileProxy(launcher, { seconds, log }) {
  const dir = join(ROOT, 'bench/profiles');
  mkdirSync(dir, { recursive: true });
  return [await profilePhase(launcher, dir, 'non-streamed', seconds, log), await profilePhase(launcher, dir, 'streamed', seconds, log)];
}

const HEAD = ['| % busy | ms | function | where |', '|---|---|---|---|'];
const row = (e) => `| ${e.pct.toFixed(1)} | ${e.selfMs.toFixed(0)} | ${e.name} | ${e.where} |`;

export function formatProfile(profiles) {
  return profiles.map(formatOneProfile).join('\n\n');
}

function formatOneProfile(profile) {
  return [
    `## CPU profile of the proxy, ${profile.phase} (${profile.load}; ${profile.file}; ${profile.busyMs.toFixed(0)} ms busy, idle excluded)`,
    '', '### Top self time, all code', '', ...HEAD, ...profile.top.map(row),
    '', '### Top self time in our code (src/)', '', ...HEAD, ...profile.ours.map(row),
    '', '### Top inclusive time in our code (the function and everything it calls)', '', ...HEAD, ...profile.oursInclusive.map(row),
    '', '### Busy time by the nearest package or src file on the stack', '', '| % busy | ms | package or file |', '|---|---|---|', ...profile.owners.map((o) => `| ${o.pct.toFixed(1)} | ${o.selfMs.toFixed(0)} | ${o.owner} |`),
  ].join('\n');
}
