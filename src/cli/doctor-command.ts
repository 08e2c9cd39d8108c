import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load-config.js';
import type { Config } from '../config/config-schema.js';
import { createFleet } from '../fleet/host-registry.js';
import { fetchHostJson } from '../fleet/open-fleet.js';
import { createOllamaBackend } from '../ollama/ollama-backend.js';
import { describeOllamaHosts, type CheckLine } from '../startup/describe-ollama.js';
import { SQLITE_KEY_STORE_FILE } from '../stores/create-key-store.js';
import { PROGRAM, type CliCommand, type CliContext } from './cli-command.js';
import { describeKeyStore, locateDataDir, locateServer } from './cli-locations.js';

const HELP = `Usage: ${PROGRAM} doctor [--json]

Checks what a working setup needs and says how to fix what is missing: the configuration (the same
environment the server reads), the key store, each Ollama host (reachable, version, models), the DeepSeek
model names, and whether the proxy itself answers (PROXY_URL, else HOST and PORT). Exit code 1 when a check fails.`;

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'check configuration, key store, Ollama and the running proxy, with fixes',
  async run(args, context) {
    if (args.includes('--help') || args.includes('-h')) {
      context.io.stdout(`${HELP}\n`);
      return 0;
    }
    const lines = await runChecks(context);
    if (args.includes('--json')) context.io.stdout(`${JSON.stringify(lines, null, 2)}\n`);
    else context.io.stdout(`${lines.map(formatLine).join('\n')}\n`);
    return lines.some((line) => line.status === 'fail') ? 1 : 0;
  },
};

function formatLine(line: CheckLine): string {
  return `${MARK[line.status]} ${line.message}${line.fix === undefined ? '' : `\n    fix: ${line.fix}`}`;
}

async function runChecks(context: CliContext): Promise<CheckLine[]> {
  const env = context.io.env;
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [{ status: 'fail', message: `Configuration is invalid: ${error.problems.join('; ')}`, fix: 'Correct the variables named (or CONFIG_FILE); the server refuses to start until then.', fields: {} }];
  }
  const lines: CheckLine[] = [{ status: 'ok', message: `Configuration: valid${env.CONFIG_FILE ? ` (CONFIG_FILE ${env.CONFIG_FILE})` : ''}`, fields: {} }];
  lines.push(checkKeyStore(context, config));
  const pool = createFleet({ hosts: config.ollama.urls.map((url) => ({ url })), read: fetchHostJson, refreshMs: 0, cooldownMs: config.ollama.hostCooldownMs });
  const ollama = createOllamaBackend({ pool, connectTimeoutMs: 3_000, headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000 });
  try {
    lines.push(...describeOllamaHosts(await ollama.inspectHosts(AbortSignal.timeout(8_000)), config.models.aliases));
  } finally {
    await ollama.close();
  }
  lines.push(await checkServer(context));
  return lines;
}

function checkKeyStore(context: CliContext, config: Config): CheckLine {
  const env = context.io.env;
  if (config.auth.databaseUrl !== undefined) {
    return { status: 'ok', message: `Key store: ${describeKeyStore(env, '')} (DATABASE_URL; created and migrated by the server at start)`, fields: {} };
  }
  let dir: string;
  try {
    dir = locateDataDir(env, context.io.cwd ?? process.cwd()).dir;
  } catch (error) {
    return { status: 'warn', message: 'Key store: none found from this folder', fix: (error as Error).message, fields: {} };
  }
  const file = join(dir, SQLITE_KEY_STORE_FILE);
  if (!existsSync(file)) {
    return { status: 'warn', message: `Key store: ${file} does not exist yet`, fix: 'Start the server once (`npm start` or `ollama-openai-proxy serve`): it creates the store and prints an admin key.', fields: {} };
  }
  const adminKey = existsSync(join(dir, 'admin.key')) ? `; the first admin key is in ${join(dir, 'admin.key')}` : '';
  return { status: 'ok', message: `Key store: ${describeKeyStore(env, dir)}${adminKey}`, fields: {} };
}

async function checkServer(context: CliContext): Promise<CheckLine> {
  const server = locateServer(context.io.env);
  try {
    const response = await fetch(`${server.url.replace(/\/+$/, '')}/health`, { signal: AbortSignal.timeout(3_000) });
    const body = (await response.json().catch(() => ({}))) as { version?: string };
    return { status: 'ok', message: `Proxy at ${server.url} (from ${server.source}): answering, version ${body.version ?? '?'}`, fields: {} };
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return {
      status: 'warn',
      message: `Proxy at ${server.url} (from ${server.source}): not answering (${reason})`,
      fix: 'Start it with `npm start` (or `ollama-openai-proxy serve`); if it runs elsewhere, set PROXY_URL.',
      fields: {},
    };
  }
}
