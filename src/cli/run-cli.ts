import { ProxyError } from '../core/errors.js';
import { ConfigError } from '../config/load-config.js';
import { CliUsageError, PROGRAM, type CliAccess, type CliCommand, type CliContext, type CliIo } from './cli-command.js';
import { keysCommand } from './keys-command.js';
import { modelsCommand } from './models-command.js';
import { didYouMean } from './did-you-mean.js';
import { openCliAccess } from './open-cli-access.js';
import { packageVersion } from './package-version.js';
import { serveCommand } from './serve-command.js';
import { tokenCommand } from './token-command.js';

/** Every top-level command; add new ones (e.g. `models`) here. */
const COMMANDS: readonly CliCommand[] = [serveCommand, keysCommand, tokenCommand, modelsCommand];

const HELP = `Usage: ${PROGRAM} <command> [options]

Administers an ollama-openai-proxy installation. 'keys' and 'token' work directly on its key store (no server
needed) and read the server's environment: DATA_DIR, DATABASE_URL, JWT_SECRET, CONFIG_FILE, ...
'models' talks to a running proxy: PROXY_URL and an admin key in PROXY_KEY (or MASTER_KEY).

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(8)} ${command.summary}`).join('\n')}

Run '${PROGRAM} <command> --help' for details, '${PROGRAM} --version' for the version.`;

export interface RunCliOptions {
  /** Replaces the store-backed services (tests). */
  openAccess?: (env: Record<string, string | undefined>) => Promise<CliAccess>;
}

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 failed, 2 bad usage. */
export async function runCli(argv: readonly string[], io: CliIo, options: RunCliOptions = {}): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(`${HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(`${PROGRAM} ${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const hint = didYouMean(name, COMMANDS.map((candidate) => candidate.name), (match) => `'${match}'`);
    return reportUsage(io, new CliUsageError(`Unknown command '${name}'.${hint}`, ''));
  }
  let opened: Promise<CliAccess> | undefined;
  const context: CliContext = {
    io,
    access: () => (opened ??= (options.openAccess ?? openCliAccess)(io.env)),
  };
  try {
    return await command.run(args, context);
  } catch (error) {
    return report(io, error);
  } finally {
    if (opened !== undefined) await opened.then((access) => access.close(), () => undefined);
  }
}

function report(io: CliIo, error: unknown): number {
  if (error instanceof CliUsageError) return reportUsage(io, error);
  if (error instanceof ProxyError && error.kind === 'invalid_request') {
    io.stderr(`error: ${error.message}\n`);
    return 2;
  }
  if (error instanceof ProxyError || error instanceof ConfigError) {
    io.stderr(`error: ${error.message}\n`);
    return 1;
  }
  io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}

function reportUsage(io: CliIo, error: CliUsageError): number {
  const help = error.helpCommand === '' ? `${PROGRAM} --help` : `${PROGRAM} ${error.helpCommand} --help`;
  io.stderr(`error: ${error.message}\nRun '${help}' for usage.\n`);
  return 2;
}
