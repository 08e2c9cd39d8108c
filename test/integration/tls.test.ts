import { X509Certificate } from 'node:crypto';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatLines, replyNdjson, startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { listeningUrl, runBuiltServer, type ServerRun } from '../helpers/run-built-server.js';
import { createTestPki, type TestPki } from '../helpers/tls-certificates.js';

// HTTPS in the built server (issue 18.1): certificates made with openssl at run time, real TLS clients.

const MASTER_KEY = 'sk-tls-test-master-key';
const MODEL = 'deepseek-v3.1:671b';
let fake: FakeOllama;
let pki: TestPki;
const runs: ServerRun[] = [];

beforeAll(async () => {
  fake = await startFakeOllama();
  pki = createTestPki();
});
afterAll(async () => {
  for (const run of runs) run.kill();
  await fake.close();
});

async function start(env: Record<string, string>): Promise<{ url: string; port: number; run: ServerRun }> {
  const run = await runBuiltServer({ PORT: '0', OLLAMA_URL: fake.url, MASTER_KEY, ...env }, /"listening"/);
  runs.push(run);
  const url = listeningUrl(run);
  if (url === undefined) throw new Error(`server did not start: ${run.stderr}`);
  return { url, port: Number(new URL(url).port), run };
}

/** Completes a TLS handshake (or fails); resolves with the protocol and the server certificate's serial. */
function handshake(port: number, options: ConnectionOptions = {}): Promise<{ protocol: string | null; serial: string }> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', ...options }, () => {
      const result = { protocol: socket.getProtocol(), serial: socket.getPeerX509Certificate()?.serialNumber ?? '' };
      socket.end();
      resolve(result);
    });
    socket.once('error', reject);
  });
}

/** Polls new handshakes until the server presents `serial`, within the deadline. */
async function presents(port: number, serial: string, deadlineMs = 5_000): Promise<void> {
  const since = performance.now();
  for (;;) {
    if ((await handshake(port)).serial === serial) return;
    if (performance.now() - since > deadlineMs) throw new Error(`the server still presents the old certificate after ${deadlineMs} ms`);
  }
}

const serialOf = (cert: Buffer) => new X509Certificate(cert).serialNumber;

describe('HTTPS with the defaults (TLS 1.3 only)', () => {
  let port: number;
  let url: string;
  let run: ServerRun;
  let serverCert: ReturnType<TestPki['issue']>;
  beforeAll(async () => {
    serverCert = pki.issue('server', 'server');
    // File watching is slowed right down here, so only SIGHUP can reload in this block.
    ({ url, port, run } = await start({ TLS_CERT_FILE: serverCert.certFile, TLS_KEY_FILE: serverCert.keyFile, TLS_WATCH_INTERVAL_MS: '3600000' }));
  }, 90_000);

  it('logs an https:// URL and completes a TLS 1.3 handshake', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await handshake(port)).toEqual({ protocol: 'TLSv1.3', serial: serialOf(serverCert.cert) });
  });

  it('refuses a client that speaks at most TLS 1.2', async () => {
    await expect(handshake(port, { maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version|alert/i);
  });

  it('streams a chat completion to the openai SDK over HTTPS', async () => {
    const dispatcher = new Agent({ connect: { ca: pki.ca } });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: MASTER_KEY, maxRetries: 0, fetch: undiciFetch as unknown as typeof fetch, fetchOptions: { dispatcher } as never });
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello tls' }], stream: true });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('Echo: hello tls');
    expect(finish).toBe('stop');
    await dispatcher.close();
  });

  it('keeps HTTP/1.1 connections alive across requests', async () => {
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: pki.ca });
    const get = () => new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
      const request = httpsRequest(`${url}/health`, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, reused: request.reusedSocket }));
      });
      request.on('error', reject).end();
    });
    expect(await get()).toEqual({ status: 200, reused: false });
    expect(await get()).toEqual({ status: 200, reused: true });
    agent.destroy();
  });

  it('reloads the certificate on SIGHUP without dropping a stream that is open', async () => {
    const content = Array.from({ length: 100 }, (_, index) => `t${index} `);
    fake.script('/api/chat', replyNdjson(chatLines({ model: MODEL, content }), { delayMs: 40 }));
    const dispatcher = new Agent({ connect: { ca: pki.ca } });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: MASTER_KEY, maxRetries: 0, fetch: undiciFetch as unknown as typeof fetch, fetchOptions: { dispatcher } as never });
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'long one' }], stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    let text = '';
    // Read until the first token: the stream is open on a connection made with the old certificate.
    while (text === '') text += (await iterator.next()).value?.choices[0]?.delta.content ?? '';

    const renewed = pki.issue('server', 'server');
    run.signal('SIGHUP');
    await presents(port, serialOf(renewed.cert));
    const streamStillOpen = fake.closedRequests === 0 && !text.includes('t99');
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) text += next.value.choices[0]?.delta.content ?? '';
    expect(streamStillOpen).toBe(true);
    expect(text).toBe(content.join(''));
    expect(run.stdout).toContain('TLS certificate reloaded');
    await dispatcher.close();
  }, 20_000);
});

describe('HTTPS with TLS_MIN_VERSION=TLSv1.2 and client certificates (TLS_CA_FILE)', () => {
  let port: number;
  let url: string;
  let client: ReturnType<TestPki['issue']>;
  let serverCert: ReturnType<TestPki['issue']>;
  beforeAll(async () => {
    serverCert = pki.issue('mtls-server', 'server');
    client = pki.issue('client', 'client');
    ({ url, port } = await start({
      TLS_CERT_FILE: serverCert.certFile, TLS_KEY_FILE: serverCert.keyFile, TLS_CA_FILE: pki.caFile, TLS_MIN_VERSION: 'TLSv1.2',
      TLS_WATCH_INTERVAL_MS: '100',
    }));
  }, 90_000);

  it('accepts a TLS 1.2 client that presents a certificate from the CA', async () => {
    expect((await handshake(port, { maxVersion: 'TLSv1.2', cert: client.cert, key: client.key })).protocol).toBe('TLSv1.2');
    const dispatcher = new Agent({ connect: { ca: pki.ca, cert: client.cert, key: client.key } });
    const response = await undiciFetch(`${url}/v1/models`, { dispatcher, headers: { authorization: `Bearer ${MASTER_KEY}` } });
    expect(response.status).toBe(200);
    await dispatcher.close();
  });

  it('refuses a client without a certificate', async () => {
    const dispatcher = new Agent({ connect: { ca: pki.ca } });
    await expect(undiciFetch(`${url}/health`, { dispatcher })).rejects.toThrow();
    await dispatcher.close();
  });

  it('picks up a certificate replaced on disk without a signal', async () => {
    const renewed = pki.issue('mtls-server', 'server');
    await presents(port, serialOf(renewed.cert));
    expect(serialOf(renewed.cert)).not.toBe(serialOf(serverCert.cert));
  });
});

describe('TLS configuration errors', () => {
  it('refuses to start with only one of TLS_CERT_FILE and TLS_KEY_FILE, naming both', async () => {
    const run = await runBuiltServer({ PORT: '0', OLLAMA_URL: fake.url, TLS_CERT_FILE: '/nonexistent.crt' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/TLS_CERT_FILE and TLS_KEY_FILE go together/);
  });

  it('refuses to start with an unreadable certificate file, saying which variables to check', async () => {
    const run = await runBuiltServer({ PORT: '0', OLLAMA_URL: fake.url, MASTER_KEY, TLS_CERT_FILE: '/nonexistent.crt', TLS_KEY_FILE: '/nonexistent.key' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot read the TLS files.*nonexistent\.crt/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
