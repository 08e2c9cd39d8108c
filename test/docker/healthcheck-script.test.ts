import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { runBuiltServer, type ServerRun } from '../helpers/run-built-server.js';
import { createTestPki, type TestPki } from '../helpers/tls-certificates.js';
import { unusedPort } from '../helpers/unused-port.js';

// The image's HEALTHCHECK script (docker/healthcheck.mjs) run as Docker runs it, with the container's
// environment, against the built server: plain HTTP, HTTPS (TLS_CERT_FILE set), mutual TLS, and nothing listening.

const SCRIPT = resolve(import.meta.dirname, '../../docker/healthcheck.mjs');
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

function healthcheck(env: Record<string, string>): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [SCRIPT], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
    child.once('exit', (code) => done(code));
  });
}

async function serve(env: Record<string, string>): Promise<string> {
  const port = String(await unusedPort());
  const run = await runBuiltServer({ PORT: port, OLLAMA_URL: fake.url, MASTER_KEY: 'sk-healthcheck-master', ...env }, /"listening"/);
  runs.push(run);
  if (run.code !== null) throw new Error(`server did not start: ${run.stderr}`);
  return port;
}

describe('docker/healthcheck.mjs', () => {
  it('passes against plain HTTP', async () => {
    const port = await serve({});
    expect(await healthcheck({ PORT: port })).toBe(0);
  }, 20_000);

  it('speaks HTTPS when TLS_CERT_FILE is set (a plain-HTTP probe would fail there)', async () => {
    const { certFile, keyFile } = pki.issue('health-server', 'server');
    const port = await serve({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile });
    expect(await healthcheck({ PORT: port, TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile })).toBe(0);
    expect(await healthcheck({ PORT: port })).toBe(1);
  }, 20_000);

  it('checks the connection only when client certificates are required', async () => {
    const { certFile, keyFile } = pki.issue('health-mtls', 'server');
    const port = await serve({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, TLS_CA_FILE: pki.caFile });
    expect(await healthcheck({ PORT: port, TLS_CERT_FILE: certFile, TLS_CA_FILE: pki.caFile })).toBe(0);
  }, 20_000);

  it('fails when nothing listens', async () => {
    expect(await healthcheck({ PORT: String(await unusedPort()) })).toBe(1);
    expect(await healthcheck({ PORT: String(await unusedPort()), TLS_CERT_FILE: '/x' })).toBe(1);
  });
});
