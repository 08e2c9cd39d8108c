import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../helpers/fake-ollama.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { CLAUDE_CODE_ANSWER, CLAUDE_CODE_MODEL, claudeCodeReplies } from './claude-code-script.js';
import { startRecordingForwarder, type RecordingForwarder } from './recording-forwarder.js';
import { scrubProse } from './scrub-prose.js';

// The real Claude Code CLI (`claude -p`) against the proxy and the fake Ollama: a task that needs one Bash
// tool call. The binary comes from the opt-in install (`npm run agents:install` → .agents/), or from
// CLAUDE_BIN; without either the test is skipped and says why. RECORD_CLAUDE_FIXTURES=1 rewrites the request
// fixtures that test/integration/claude-code-replay.test.ts replays without the binary.

const ROOT = resolve(import.meta.dirname, '../..');
const BINARY = process.env.CLAUDE_BIN ?? join(ROOT, '.agents/node_modules/.bin/claude');
const FIXTURES = join(ROOT, 'test/fixtures/anthropic/claude-code');
const KEY = 'sk-test-master-key-claude-code';
const isInstalled = existsSync(BINARY);
if (!isInstalled) console.log(`claude-code agent test skipped: no Claude Code binary at ${BINARY} (run \`npm run agents:install\` or set CLAUDE_BIN)`);

function runClaude(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(BINARY, args, { env, cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
    // `claude -p` waits for piped input otherwise.
    child.stdin?.end();
  });
}

describe.skipIf(!isInstalled)('Claude Code (claude -p) through the proxy', () => {
  let fake: FakeOllama;
  let app: TestApp;
  let forwarder: RecordingForwarder;
  let home: string;
  let work: string;

  beforeAll(async () => {
    fake = await startFakeOllama();
    app = await startTestApp({ ollamaUrl: fake.url, env: { MASTER_KEY: KEY, CACHE_POLICY: 'off' } });
    forwarder = await startRecordingForwarder(app.url);
    home = mkdtempSync(join(tmpdir(), 'claude-home-'));
    work = mkdtempSync(join(tmpdir(), 'claude-work-'));
  });
  afterAll(async () => {
    await forwarder?.close();
    await app?.close();
    await fake?.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('completes a task that needs one Bash tool call', async () => {
    fake.script('/api/chat', ...claudeCodeReplies(true));
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      ANTHROPIC_BASE_URL: forwarder.url,
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_MODEL: CLAUDE_CODE_MODEL,
      ANTHROPIC_SMALL_FAST_MODEL: CLAUDE_CODE_MODEL,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
    };
    const result = await runClaude(['-p', '--allowedTools', 'Bash', '--', 'Write proxy-ok to result.txt with the shell.'], env, work);
    const messages = forwarder.requests.filter((request) => request.path === '/v1/messages');
    if (process.env.RECORD_CLAUDE_FIXTURES === '1') {
      mkdirSync(FIXTURES, { recursive: true });
      messages.forEach((request, i) => writeFileSync(join(FIXTURES, `turn-${i + 1}.json`), `${JSON.stringify({ url: request.url, headers: request.headers, body: scrubProse(request.body) }, null, 2)}\n`));
    }
    // Claude Code warns on stderr that it does not know the model's context window; API failures would say "API Error".
    expect(result.stderr).not.toMatch(/API Error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(CLAUDE_CODE_ANSWER);
    expect(readFileSync(join(work, 'result.txt'), 'utf8')).toBe('proxy-ok\n');
    expect(messages).toHaveLength(2);
    expect(messages.every((request) => request.status === 200)).toBe(true);
    // The tool's output went back to the model as a tool message.
    const chats = fake.requests.filter((request) => request.path === '/api/chat');
    const last = chats.at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(last.messages).toContainEqual(expect.objectContaining({ role: 'tool', content: expect.stringContaining('proxy-ok') }));
  }, 150_000);
});
