import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { replyNdjson } from '../helpers/fake-ollama/reply.js';

// Defect 10 of issue 12: streams still open when SHUTDOWN_GRACE_MS ended were cut with a TCP reset and no
// final frame. Now each gets its protocol's error frame (`server_shutting_down`) before the connection closes.

const MAIN = resolve(import.meta.dirname, '../../dist/main.js');
const MODEL = 'deepseek-v3.1:671b';
const line = (content: string) => ({ model: MODEL, created_at: '2025-09-12T08:15:01Z', message: { role: 'assistant', content }, done: false });
// The first line at once, the second only after ten minutes: the stream is open when the grace ends.
const slowStream = () => replyNdjson([line('Bonjour'), line(' !')], { delayMs: 600_000 });

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(async () => {
  await fake.close();
});

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

function startServer(): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const env = { PATH: process.env.PATH ?? '', PORT: '0', OLLAMA_URL: fake.url, AUTH_DISABLED: 'true', SHUTDOWN_GRACE_MS: '200', DATA_DIR: mkdtempSync(join(tmpdir(), 'shutdown-')) };
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /"url":"([^"]+)"/.exec(stdout)?.[1];
      if (url) resolvePromise({ child, url, exited });
    });
    void exited.then((code) => reject(new Error(`server exited early (${code})`)));
  });
}

/** Reads until `until` matches the text so far; returns the reader (to read the rest) and the text. */
async function readUntil(response: Response, until: RegExp) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!until.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${until}: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  return {
    text,
    async rest() {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += decoder.decode(value, { stream: true });
      }
    },
  };
}

describe('SIGTERM with streams still open after SHUTDOWN_GRACE_MS', () => {
  it('ends SSE chat streams with an OpenAI error frame and NDJSON streams (native, operations) with an {"error"} line, not a reset', async () => {
    fake.script('/api/chat', slowStream(), slowStream());
    const server = await startServer();
    const sse = await readUntil(
      await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      }),
      /Bonjour/,
    );
    const native = await readUntil(
      await fetch(`${server.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
      }),
      /Bonjour.*\n/,
    );
    // Pull progress from the operations API, as NDJSON: the fake's pull stalls after its first line.
    fake.script('/api/pull', replyNdjson([{ status: 'pulling manifest' }, { status: 'success' }], { delayMs: 600_000 }));
    const pull = await readUntil(
      await fetch(`${server.url}/api/v1/models`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model_name: 'llama3.2:1b', stream: true }),
      }),
      /pulling manifest.*\n/,
    );
    server.child.kill('SIGTERM');

    const sseText = await sse.rest();
    const frames = sseText.split('\n\n').filter(Boolean);
    const last = JSON.parse(frames.at(-1)!.replace(/^data: /, '')) as { error: { code: string; type: string; message: string } };
    expect(last.error).toMatchObject({ code: 'server_shutting_down', type: 'api_error' });
    expect(sseText).not.toContain('[DONE]');

    const nativeLines = (await native.rest()).trim().split('\n').map((text) => JSON.parse(text) as { error?: string });
    expect(nativeLines.at(-1)!.error).toMatch(/shutting down/);
    expect(nativeLines).toHaveLength(2);

    // The operations API speaks OpenAI's error shape, on its NDJSON lines too.
    const pullLines = (await pull.rest()).trim().split('\n').map((text) => JSON.parse(text) as { status?: string; error?: { code: string } });
    expect(pullLines[0]).toEqual({ status: 'pulling manifest' });
    expect(pullLines.at(-1)!.error).toMatchObject({ code: 'server_shutting_down' });

    expect(await server.exited).toBe(0);
  });
});
