// Child processes under test: each server runs alone in its own process so its CPU time and peak RSS
// can be read from /proc/<pid>. Children that pick their own port print `listening <port>` on stdout.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Peak (VmHWM) and current (VmRSS) resident set size in MiB. */
export function readRss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMiB: kib('VmHWM') / 1024, currentMiB: kib('VmRSS') / 1024 };
}

/** User + system CPU seconds the process has used so far. */
export function readCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function waitForLine(child, pattern, timeoutMs, name) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const match = pattern.exec(buffered);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    });
  });
}

async function waitForHttp(url, timeoutMs, name, child) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} ${exited ? `exited (code ${child.exitCode})` : 'did not answer'} at ${url}`);
}

/**
 * Starts `node <args>`; ready when it prints `listening <port>` (port 0 children) or when `readyUrl` answers.
 * `stdout`: a file path for the child's stdout (the proxy's access log), 'ignore', or 'pipe' (default).
 */
export async function startChild({ name, args, env = {}, port, readyPath, stdout = 'pipe', timeoutMs = 30_000 }) {
  // A log file is handed over as the child's own fd, so the child writes it directly (as in production).
  const toFile = stdout !== 'pipe' && stdout !== 'ignore';
  const fd = toFile ? openSync(stdout, 'w') : undefined;
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', fd ?? stdout, 'pipe'],
  });
  if (fd !== undefined) closeSync(fd);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  try {
    if (readyPath === undefined) {
      const match = await waitForLine(child, /listening (\d+)/, timeoutMs, name);
      port = Number(match[1]);
    } else {
      await waitForHttp(`http://127.0.0.1:${port}${readyPath}`, timeoutMs, name, child);
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${stderr}`);
  }
  if (stdout === 'pipe') child.stdout.resume();
  return {
    name,
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    rss: () => readRss(child.pid),
    cpuSeconds: () => readCpuSeconds(child.pid),
    stderr: () => stderr,
    stop: () => stopChild(child),
  };
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
