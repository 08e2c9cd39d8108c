import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Runs the real Codex CLI (`codex exec`) offline against a base URL: a temporary CODEX_HOME with a custom
// model provider (wire_api = "responses"), every network feature off (analytics, feedback, otel, update check,
// plugin sync), no approval prompts, and a minimal environment.

export const CODEX_BIN = process.env.CODEX_BIN ?? resolve(import.meta.dirname, '../../.agents/node_modules/.bin/codex');

export function codexMissingReason(): string | undefined {
  return existsSync(CODEX_BIN) ? undefined : `Codex CLI not found at ${CODEX_BIN}: run \`npm run agents:install\` (or set CODEX_BIN)`;
}

export function codexConfig(model: string, baseUrl: string, extra = ''): string {
  return `${extra}model = "${model}"
model_provider = "proxy"
approval_policy = "never"
sandbox_mode = "danger-full-access"
check_for_update_on_startup = false

[model_providers.proxy]
name = "proxy"
base_url = "${baseUrl}"
env_key = "PROXY_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0

[analytics]
enabled = false

[feedback]
enabled = false

[otel]
exporter = "none"
`;
}

export interface CodexRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `codex exec` in `workDir`, with its home under `homeDir`; resolves when the process exits. */
export function runCodexExec(options: { homeDir: string; workDir: string; model: string; baseUrl: string; apiKey: string; task: string; extraConfig?: string }): Promise<CodexRun> {
  const codexHome = join(options.homeDir, 'codex-home');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), codexConfig(options.model, options.baseUrl, options.extraConfig));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.homeDir, CODEX_HOME: codexHome, PROXY_KEY: options.apiKey };
  const args = ['exec', '--skip-git-repo-check', '--disable', 'plugins', '-C', options.workDir, options.task];
  const child = spawn(CODEX_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
