import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../src/core/errors.js';
import { ALL_SCOPES } from '../../src/core/principal.js';
import type { Authenticator } from '../../src/http/middleware/authenticate.js';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { codexMissingReason, runCodexExec } from './codex-run.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';
import { codexToolCallReply, codexFinalReply, CODEX_MODEL } from './codex-replies.js';
import { scrubProse } from './scrub-prose.js';

// The real Codex CLI completes a task needing one tool call, through the proxy's Responses API, against the
// fake Ollama scripted to call `exec_command` once and then answer. RECORD_CODEX_FIXTURES=1 saves the requests
// Codex sent as fixtures for test/integration/codex-replay.test.ts.

const missing = codexMissingReason();
if (missing) console.warn(`[skip] ${missing}`);

const KEY = 'sk-codex-test';
const authenticator: Authenticator = (credential) => {
  if (credential !== KEY) throw new AuthenticationError();
  return { id: 'codex', kind: 'api-key', scopes: ALL_SCOPES };
};

describe.skipIf(missing !== undefined)('Codex CLI (codex exec) against the proxy', () => {
  let fake: FakeOllama;
  let app: TestApp;
  let recorder: RecordingProxy;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeOllama();
    app = await startTestApp({ ollamaUrl: fake.url, overrides: { authenticator } });
    recorder = await startRecordingProxy(app.url);
    dir = mkdtempSync(join(tmpdir(), 'codex-agent-'));
  });
  afterAll(async () => {
    await recorder?.close();
    await app?.close();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the command the model asks for and prints the final answer', async () => {
    const workDir = join(dir, 'work');
    mkdirSync(workDir);
    fake.script('/api/chat', codexToolCallReply("printf 'hi from codex' > hello.txt"), codexFinalReply('I created hello.txt.'));
    const run = await runCodexExec({ homeDir: dir, workDir, model: CODEX_MODEL, baseUrl: `${recorder.url}/v1`, apiKey: KEY, task: 'Create hello.txt containing "hi from codex".' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('I created hello.txt.');
    expect(readFileSync(join(workDir, 'hello.txt'), 'utf8')).toBe('hi from codex');

    // Codex called only the Responses endpoint; its second turn carried the command's output back to the model.
    expect(recorder.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /v1/responses', 'POST /v1/responses']);
    const chats = fake.requests.filter((request) => request.path === '/api/chat');
    expect(chats).toHaveLength(2);
    const second = chats[1]!.body as { messages: { role: string; content: string; tool_name?: string; tool_calls?: unknown[] }[] };
    expect(second.messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ function: { name: 'exec_command' } }] });
    expect(second.messages.at(-1)).toMatchObject({ role: 'tool', tool_name: 'exec_command' });

    if (process.env.RECORD_CODEX_FIXTURES === '1') {
      const fixtures = resolve(import.meta.dirname, '../fixtures/codex');
      mkdirSync(fixtures, { recursive: true });
      recorder.requests.forEach((request, i) => {
        const { authorization: _secret, ...headers } = request.headers;
        writeFileSync(join(fixtures, `exec-turn-${i + 1}.request.json`), `${JSON.stringify(scrubProse({ ...request, headers }), null, 1)}\n`);
      });
    }
  }, 180_000);

  it('compacts a conversation that outgrows its auto-compact limit through the proxy and carries on', async () => {
    const workDir = join(dir, 'compact');
    mkdirSync(workDir);
    const homeDir = join(dir, 'compact-home');
    mkdirSync(homeDir);
    const before = recorder.requests.length;
    // The fake reports ~5k prompt tokens per turn: past a 3k limit, Codex compacts before it continues.
    fake.script('/api/chat', codexToolCallReply('echo hi'), codexFinalReply('Ran echo hi; it printed hi.'), codexFinalReply('Done after compaction.'));
    const run = await runCodexExec({
      homeDir,
      workDir,
      model: CODEX_MODEL,
      baseUrl: `${recorder.url}/v1`,
      apiKey: KEY,
      task: 'Run echo hi.',
      extraConfig: 'model_auto_compact_token_limit = 3000\nmodel_context_window = 8000\n',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Done after compaction.');
    const turns = recorder.requests.slice(before);
    expect(turns.map((request) => request.path)).toEqual(['/v1/responses', '/v1/responses', '/v1/responses']);
    // The summary the model wrote through the proxy is what Codex continued from.
    const last = JSON.stringify((turns[2]!.body as { input: unknown[] }).input.at(-1));
    expect(last).toContain('Ran echo hi; it printed hi.');
  }, 180_000);
});
