import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../../helpers/fake-ollama.js';

// The built server (`node dist/main.js`, built by test/global-setup.ts) as an operator runs it, stopped with a
// signal while a slow stream is in flight.

const repo = join(import.meta.dirname, '../../..');
let fake: FakeOllama;
let dataDir: string;

beforeAll(async () => {
  fake = await startFakeOllama({ tokenDelayMs: 150 });
  dataDir = mkdtempSync(join(tmpdir(), 'shutdown-'));
});
afterAll(async () => {
  await fake?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const MASTER_KEY = 'sk-graceful-shutdown-test-key';

interface Server {
  child: ChildProcess;
  url: string;
  logs: Record<string, unknown>[];
  waitForLog(message: string): Promise<void>;
}

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, [join(repo, 'dist/main.js')], {
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', OLLAMA_URL: fake.url, DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: '30000', MASTER_KEY: MASTER_KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters: { message: string; resolve: () => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    // Log lines are JSON; anything else on stdout (a first-start notice) is not a log line.
    if (!line.startsWith('{')) return;
    const entry = JSON.parse(line) as Record<string, unknown>;
    logs.push(entry);
    for (const waiter of waiters.filter((candidate) => candidate.message === entry.message)) waiter.resolve();
  });
  const waitForLog = (message: string) =>
    logs.some((entry) => entry.message === message) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ message, resolve }));
  await waitForLog('listening');
  const url = logs.find((entry) => entry.message === 'listening')!.url as string;
  return { child, url, logs, waitForLog };
}

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, text: string, seen = ''): Promise<string> {
  const decoder = new TextDecoder();
  let body = seen;
  while (!body.includes(text)) {
    const { done, value } = await reader.read();
    if (done) break;
    body += decoder.decode(value, { stream: true });
  }
  return body;
}

describe('graceful shutdown of the built server', () => {
  it('on SIGTERM refuses new connections, finishes the stream in flight with [DONE], and exits 0', async () => {
    const server = await startServer();
    const exited = once(server.child, 'close');
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` },
      body: JSON.stringify({ model: 'deepseek-coder-v2:16b', stream: true, messages: [{ role: 'user', content: 'one two three four five six seven eight nine ten' }] }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const start = await readUntil(reader, '"content":"Echo:"');

    server.child.kill('SIGTERM');
    await server.waitForLog('shutting down');
    const refused = await fetch(`${server.url}/health`).then(() => 'connected', (error: Error & { cause?: { code?: string } }) => error.cause?.code);
    expect(refused).toBe('ECONNREFUSED');

    const body = await readUntil(reader, 'data: [DONE]', start);
    expect(body).toContain('"finish_reason":"stop"');
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const [code] = await exited;
    expect(code).toBe(0);
    expect(server.logs.map((entry) => entry.message)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    const access = server.logs.find((entry) => entry.message === 'request' && entry.route === '/v1/chat/completions');
    expect(access).toMatchObject({ status: 200, stream: true });
    expect(access).not.toHaveProperty('aborted');
  });

  it('exits 0 at once on SIGINT when nothing is in flight', async () => {
    const server = await startServer();
    // 'close', not 'exit': it comes after stdout has been read to the end, so every log line is in.
    const exited = once(server.child, 'close');
    server.child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(server.logs.at(-1)).toMatchObject({ message: 'stopped' });
  });
});
