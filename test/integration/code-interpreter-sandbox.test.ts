import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRssBytes, watchMemory } from '../../src/plugins/code-interpreter/memory-watchdog.js';
import { createSandbox, type Sandbox, type SandboxLanguage, type SandboxResult } from '../../src/plugins/code-interpreter/sandbox.js';

// Real execution, no mocks: every hostile program runs in a real child process, and the test
// process plays the host whose secrets (an env var) and services (a TCP port) must stay out of reach.
const CANARY = 'secret123-sandbox-canary';
const TIMEOUT_MS = 3_000;
// Limits other than time are tested without a tight clock: on a busy machine filling memory or the file system can
// take longer than TIMEOUT_MS, and the run must end by the limit under test, not by the clock.
const ROOMY_TIMEOUT_MS = 120_000;
const MAX_OUTPUT = 2_000;
// Start-up is not under test: on a loaded machine loading Pyodide took over the 60 s default (the run then failed
// with "did not start in time"); the tests' own 120 s timeout is the bound.
const STARTUP_MS = 110_000;
const SLOW = { timeout: 120_000 };

let sandbox: Sandbox;
/** The sandbox whose wall-clock limit is under test. */
let timed: Sandbox;
let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  process.env['SANDBOX_CANARY'] = CANARY;
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
  sandbox = createSandbox({ timeoutMs: ROOMY_TIMEOUT_MS, memoryMb: 128, maxOutputBytes: MAX_OUTPUT, startupTimeoutMs: STARTUP_MS });
  timed = createSandbox({ timeoutMs: TIMEOUT_MS, memoryMb: 128, maxOutputBytes: MAX_OUTPUT, startupTimeoutMs: STARTUP_MS });
});

afterAll(async () => {
  expect(connections, 'connections the sandboxed code made to the host port').toBe(0);
  await sandbox.close();
  await timed.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  delete process.env['SANDBOX_CANARY'];
});

async function run(language: SandboxLanguage, code: string, on: Sandbox = sandbox): Promise<SandboxResult> {
  const result = await on.run({ language, code });
  expect(JSON.stringify(result)).not.toContain(CANARY);
  expect(JSON.stringify(result)).not.toContain('root:x:0:0');
  return result;
}

/** After a hostile run the sandbox must still run ordinary code. */
async function expectStillWorks(language: SandboxLanguage): Promise<void> {
  const result = await run(language, language === 'python' ? 'print("still alive")' : 'console.log("still alive")');
  expect(result).toMatchObject({ ok: true, stdout: 'still alive\n' });
}

describe('code interpreter sandbox: Python', SLOW, () => {
  it('captures stdout and the repr of the last expression', async () => {
    const result = await run('python', 'print("hello")\nwords = ["a", "b"]\nwords + ["c"]');
    expect(result).toMatchObject({ ok: true, stdout: 'hello\n', result: "['a', 'b', 'c']", truncated: false });
  });

  it('reports an exception with its last traceback line and the traceback on stderr', async () => {
    const result = await run('python', 'def half(x):\n    return x / 0\nhalf(4)');
    expect(result.ok).toBe(false);
    expect(result.error).toBe('ZeroDivisionError: division by zero');
    expect(result.stderr).toContain('line 2, in half');
  });

  it('cannot read the host file /etc/passwd', async () => {
    const result = await run('python', 'open("/etc/passwd").read()');
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/FileNotFoundError|PermissionError/);
    await expectStillWorks('python');
  });

  it('does not see the host environment variables', async () => {
    const result = await run('python', 'import os\nsorted(os.environ)');
    expect(result.ok).toBe(true);
    expect(result.result).not.toContain('SANDBOX_CANARY');
  });

  it('cannot import the JavaScript bridge modules', async () => {
    for (const code of ['import js\njs.process.env', 'import pyodide_js', 'from pyodide.code import run_js\nrun_js("process")']) {
      const result = await run('python', code);
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/^ImportError: import of '(js|pyodide_js|pyodide)' is not allowed/);
    }
    await expectStillWorks('python');
  });

  it('cannot compile JavaScript even after reaching a JS function through the FFI internals', async () => {
    const code = [
      'import sys',
      'sys.meta_path.pop(0)  # remove the import blocker',
      'import _pyodide_core',
      'Function = _pyodide_core.create_proxy(lambda: 1).constructor.constructor',
      'Function("return JSON.stringify(process.env)")()',
    ].join('\n');
    const result = await run('python', code);
    expect(result.ok).toBe(false);
    expect(result.error).toContain('Code generation from strings disallowed');
    await expectStillWorks('python');
  });

  it('cannot open a socket to a port on the host', async () => {
    const blocked = await run('python', `import socket\nsocket.create_connection(("127.0.0.1", ${port}), timeout=2)`);
    expect(blocked.ok).toBe(false);
    expect(blocked.error).toContain("import of 'socket' is not allowed");
    const bypass = `import sys\nsys.meta_path.pop(0)\nimport socket\ns = socket.create_connection(("127.0.0.1", ${port}), timeout=2)\ns.sendall(b"hi")\ns.recv(10)`;
    expect((await run('python', bypass)).ok).toBe(false);
    expect(connections).toBe(0);
    await expectStillWorks('python');
  });

  it('stops an infinite loop at the wall-clock limit', async () => {
    const result = await run('python', 'print("before")\nwhile True:\n    pass', timed);
    expect(result).toMatchObject({ ok: false, error: `Timed out after ${TIMEOUT_MS} ms`, stdout: 'before\n' });
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 5_000);
    await expectStillWorks('python');
  });

  it('reports a memory bomb as a memory error', async () => {
    for (const code of ['b = bytearray(512 * 1024 * 1024)', 'chunks = []\nwhile True:\n    chunks.append(" " * 1_000_000)']) {
      const result = await run('python', code);
      expect(result.ok).toBe(false);
      expect(result.error).toBe('Memory limit exceeded (128 MB)');
    }
    await expectStillWorks('python');
  });

  it('bounds what the in-memory file system can hold', async () => {
    const result = await run('python', 'f = open("/tmp/big", "wb")\nwhile True:\n    f.write(b"x" * 1_000_000)');
    expect(result.ok).toBe(false);
    expect(result.error).toContain('No space left on device');
    await expectStillWorks('python');
  });

  it('truncates huge output to maxOutputBytes with a marker', async () => {
    const result = await run('python', 'print("x" * 100_000)\n"y" * 100_000');
    expect(result.ok).toBe(true);
    expect(result.truncated).toBe(true);
    expect(result.stdout).toBe(`${'x'.repeat(MAX_OUTPUT)}\n[output truncated: more than ${MAX_OUTPUT} bytes]`);
    expect(result.result).toContain('[output truncated');
    await expectStillWorks('python');
  });

  it('starts every run with fresh globals', async () => {
    await run('python', 'leaked = 42\nimport builtins\nbuiltins.print = None');
    const result = await run('python', 'print(globals().get("leaked"))');
    expect(result).toMatchObject({ ok: true, stdout: 'None\n' });
  });
});

describe('code interpreter sandbox: JavaScript', SLOW, () => {
  it('captures console output and the last expression value', async () => {
    const result = await run('javascript', 'console.log("hello", { a: [1, "x"] });\nconst n = 6 * 7;\nn');
    expect(result).toMatchObject({ ok: true, stdout: 'hello {a: [1, "x"]}\n', result: '42' });
  });

  it('awaits a promise result', async () => {
    expect(await run('javascript', 'Promise.resolve(21).then((n) => n * 2)')).toMatchObject({ ok: true, result: '42' });
  });

  it('reports a thrown error', async () => {
    const result = await run('javascript', 'throw new TypeError("boom")');
    expect(result).toMatchObject({ ok: false, error: 'TypeError: boom' });
  });

  it('has no host objects: no process, require, fetch or file system', async () => {
    const probe = '[typeof process, typeof require, typeof fetch, typeof WebSocket, typeof std, typeof os].join(",")';
    const result = await run('javascript', probe);
    expect(result.result).toBe('"undefined,undefined,undefined,undefined,undefined,undefined"');
    const fetchAttempt = await run('javascript', `fetch("http://127.0.0.1:${port}/")`);
    expect(fetchAttempt).toMatchObject({ ok: false, error: expect.stringContaining('ReferenceError') });
    expect(connections).toBe(0);
  });

  it('stops an infinite loop at the wall-clock limit', async () => {
    const result = await run('javascript', 'console.log("before"); for (;;) {}', timed);
    expect(result).toMatchObject({ ok: false, error: `Timed out after ${TIMEOUT_MS} ms`, stdout: 'before\n' });
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 5_000);
    await expectStillWorks('javascript');
  });

  it('reports a memory bomb as a memory error', async () => {
    const result = await run('javascript', 'const all = []; for (;;) all.push("x".repeat(100000) + all.length);');
    expect(result).toMatchObject({ ok: false, error: 'Memory limit exceeded (128 MB)' });
    await expectStillWorks('javascript');
  });

  it('truncates huge output to maxOutputBytes with a marker', async () => {
    const result = await run('javascript', 'for (let i = 0; i < 10000; i++) console.log("line " + i);');
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(MAX_OUTPUT + 60);
    expect(result.stdout.endsWith(`[output truncated: more than ${MAX_OUTPUT} bytes]`)).toBe(true);
  });

  it('does not carry prototype tampering into the next run or the host', async () => {
    await run('javascript', 'Object.prototype.polluted = "yes"; Array.prototype.map = null; 1');
    const result = await run('javascript', '[({}).polluted, typeof [].map].join(",")');
    expect(result.result).toBe('",function"');
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('code interpreter sandbox: lifecycle and layers', SLOW, () => {
  it('returns "Aborted" when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await sandbox.run({ language: 'javascript', code: 'for (;;) {}', signal: controller.signal });
    expect(result).toMatchObject({ ok: false, error: 'Aborted' });
    await expectStillWorks('javascript');
  });

  it('keeps the network closed by the in-process blocks alone (no network namespace)', async () => {
    const open = createSandbox({ timeoutMs: TIMEOUT_MS, memoryMb: 128, maxOutputBytes: MAX_OUTPUT, useNetworkNamespace: false });
    try {
      const raw = `import sys\nsys.meta_path.pop(0)\nimport _socket\ns = _socket.socket()\ns.connect(("127.0.0.1", ${port}))\ns.send(b"x")`;
      await run('python', raw, open);
      await run('python', `import urllib.request\nurllib.request.urlopen("http://127.0.0.1:${port}/", timeout=2)`, open);
      expect(connections).toBe(0);
    } finally {
      await open.close();
    }
  });

  it('ends a run in progress when the sandbox is closed', async () => {
    const short = createSandbox({ timeoutMs: 60_000, memoryMb: 64, maxOutputBytes: MAX_OUTPUT });
    const running = short.run({ language: 'javascript', code: 'console.log("started"); for (;;) {}' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await short.close();
    expect(await running).toMatchObject({ ok: false, error: expect.stringMatching(/Sandbox was closed|Aborted/) });
  });

  it.runIf(process.platform === 'linux')('has a memory watchdog that fires above its limit', async () => {
    expect(await readRssBytes(process.pid)).toBeGreaterThan(0);
    const fired = await new Promise<boolean>((resolve) => {
      const stop = watchMemory(process.pid, 1, () => resolve(true));
      setTimeout(() => {
        stop();
        resolve(false);
      }, 5_000);
    });
    expect(fired).toBe(true);
  });

  it('runs two programs at the same time', async () => {
    const [a, b] = await Promise.all([run('javascript', '1 + 1'), run('javascript', '2 + 2')]);
    expect([a.result, b.result]).toEqual(['2', '4']);
  });
});
