// How a sandbox child is started: which isolation this host supports (network namespace,
// unprivileged user, Node's permission model), found once by starting the runner in its
// "check" mode with each candidate, strongest first.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../core/logger.js';

/** nobody/nogroup on Debian-like systems: owns no files the sandbox could read or change. */
const UNPRIVILEGED_ID = 65534;
const PROBE_TIMEOUT_MS = 15_000;
const UNSHARE_PATHS = ['/usr/bin/unshare', '/bin/unshare'];

export interface LaunchPlan {
  command: string;
  /** Arguments before the node flags (the unshare wrapper, when used). */
  prefixArgs: string[];
  nodeFlags: string[];
  runnerPath: string;
  /** Passed to spawn: drop to this user when Node itself must do it (no unshare wrapper). */
  uid?: number;
  gid?: number;
  /** The user the runner ends up as, whoever switched to it (owns the child's work dir). */
  sandboxUid?: number;
  /** Human-readable list of the isolation layers in force, for logs. */
  isolation: string[];
}

// The runner is plain .mjs so that node can start it both from src/ (tests) and from dist/
// (the build copies the runner/ folder next to the compiled sandbox).
function locateRunner(): { runnerPath: string; readRoots: string[] } {
  const runnerPath = fileURLToPath(new URL('./runner/sandbox-runner.mjs', import.meta.url));
  const require = createRequire(import.meta.url);
  const packageRoots = ['pyodide', 'quickjs-emscripten'].map((name) => nodeModulesRoot(require.resolve(name)));
  return { runnerPath, readRoots: [...new Set([dirname(runnerPath), ...packageRoots])] };
}

function nodeModulesRoot(resolved: string): string {
  const marker = `${sep}node_modules${sep}`;
  const at = resolved.lastIndexOf(marker);
  return at === -1 ? dirname(resolved) : resolved.slice(0, at + marker.length - 1);
}

function permissionFlags(readRoots: string[]): string[] | undefined {
  const flags = process.allowedNodeEnvironmentFlags;
  const enable = flags.has('--permission') ? '--permission' : flags.has('--experimental-permission') ? '--experimental-permission' : undefined;
  if (enable === undefined) return undefined;
  // Read access only: no writes, no child processes, no worker threads, no native addons.
  return [enable, ...readRoots.map((root) => `--allow-fs-read=${root}${sep}`)];
}

function baseNodeFlags(memoryMb: number): string[] {
  return [
    // Any JS function reachable from Python's FFI leads to Function(); without code generation
    // from strings it cannot compile an escape. WebAssembly compilation is unaffected.
    '--disallow-code-generation-from-strings',
    `--max-old-space-size=${Math.max(96, memoryMb)}`,
    '--no-addons',
    '--no-warnings',
  ];
}

function candidatePlans(memoryMb: number, useNetworkNamespace: boolean): LaunchPlan[] {
  const { runnerPath, readRoots } = locateRunner();
  const base = baseNodeFlags(memoryMb);
  const permission = permissionFlags(readRoots);
  const withPermission = permission ? [{ flags: [...permission, ...base], label: ['node permission model'] }] : [];
  const nodeVariants = [...withPermission, { flags: base, label: [] as string[] }];
  const isRoot = process.getuid?.() === 0;
  const unshare = UNSHARE_PATHS.find((path) => existsSync(path));
  const plans: LaunchPlan[] = [];
  for (const variant of nodeVariants) {
    const common = { nodeFlags: variant.flags, runnerPath };
    if (isRoot && useNetworkNamespace && unshare !== undefined) {
      const ids = ['--setgid', String(UNPRIVILEGED_ID), '--setuid', String(UNPRIVILEGED_ID)];
      plans.push({ ...common, command: unshare, prefixArgs: ['--net', ...ids, process.execPath], sandboxUid: UNPRIVILEGED_ID, isolation: ['network namespace', 'user nobody', ...variant.label] });
    }
    if (isRoot) {
      plans.push({ ...common, command: process.execPath, prefixArgs: [], uid: UNPRIVILEGED_ID, gid: UNPRIVILEGED_ID, sandboxUid: UNPRIVILEGED_ID, isolation: ['user nobody', ...variant.label] });
    }
    plans.push({ ...common, command: process.execPath, prefixArgs: [], isolation: variant.label });
  }
  return plans;
}

export function launchArgs(plan: LaunchPlan, config: Record<string, unknown>): string[] {
  return [...plan.prefixArgs, ...plan.nodeFlags, plan.runnerPath, JSON.stringify(config)];
}

function probe(plan: LaunchPlan): Promise<boolean> {
  return new Promise((resolve) => {
    const ids = plan.uid === undefined ? {} : { uid: plan.uid, gid: plan.gid ?? plan.uid };
    const child = spawn(plan.command, launchArgs(plan, { language: 'check' }), { cwd: tmpdir(), env: {}, stdio: 'ignore', ...ids });
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    child.on('error', () => resolve(false));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

export async function chooseLaunchPlan(options: { memoryMb: number; useNetworkNamespace: boolean; logger: Logger }): Promise<LaunchPlan> {
  const plans = candidatePlans(options.memoryMb, options.useNetworkNamespace);
  for (const plan of plans) {
    if (!(await probe(plan))) continue;
    const isFull = plan.isolation.includes('network namespace') && plan.isolation.includes('node permission model');
    const meta = { isolation: plan.isolation };
    if (isFull) options.logger.debug('code interpreter sandbox isolation', meta);
    else options.logger.warn('code interpreter sandbox runs with reduced isolation', meta);
    return plan;
  }
  throw new Error('code interpreter sandbox: no way to start the runner process on this host');
}
