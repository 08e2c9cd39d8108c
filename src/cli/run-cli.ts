import { ProxyError } from '../core/errors.js';
import { ConfigError } from '../config/load-config.js';
import { CliUsageError, PROGRAM, type CliAccess, type CliCommand, type CliContext, type CliIo } from './cli-command.js';
import { keysCommand } from './keys-command.js';
import { modelsCommand } from './models-command.js';
import { describeKeyStore, locateDataDir } from './cli-locations.js';
import { inFlagTerms } from './flag-names.js';
import { ProxyRequestError } from './proxy-client.js';
import { didYouMean } from '../shared/did-you-mean.js';
import { openCliAccess } from './open-cli-access.js';
import { packageVersion } from './package-version.js';
import { serveCommand } from './serve-command.js';
import { doctorCommand } from './doctor-command.js';
import { tokenCommand } from './token-command.js';

/** Every top-level command; add new ones (e.g. `models`) here. */
const COMMANDS: readonly CliCommand[] = [serveCommand, doctorCommand, keysCommand, tokenCommand, modelsCommand];

const HELP = `Usage: ${PROGRAM} <command> [options]

Runs and administers an ollama-openai-proxy installation. 'keys' and 'token' work directly on its key store
(no server needed) and read the server's environment: DATA_DIR, DATABASE_URL, JWT_SECRET, CONFIG_FILE, ...
Without DATA_DIR the store is the data/ folder found in the working directory or above it (or --data-dir DIR).
'models' talks to a running proxy: PROXY_URL, else the server's HOST and PORT, and an admin key in PROXY_KEY
(or MASTER_KEY). Each command says on stderr which store or server it used.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(8)} ${command.summary}`).join('\n')}

Run '${PROGRAM} <command> --help' for details, '${PROGRAM} --version' for the version.`;

export interface RunCliOptions {
  /** Replaces the store-backed services (tests). */
  openAccess?: (env: Record<string, string | undefined>) => Promise<CliAccess>;
}

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 failed, 2 bad usage. */
export async function runCli(argvWithGlobals: readonly string[], io: CliIo, options: RunCliOptions = {}): Promise<number> {
  let extracted: { argv: string[]; dataDir: string | undefined };
  try {
    extracted = extractDataDir(argvWithGlobals);
  } catch (error) {
    return report(io, error);
  }
  const [name, ...args] = extracted.argv;
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
  const openStore = async (): Promise<CliAccess> => {
    const location = locateDataDir(io.env, io.cwd ?? process.cwd(), extracted.dataDir);
    io.stderr(`Key store: ${describeKeyStore(io.env, location.dir)} (${DATA_DIR_SOURCES[location.source] ?? location.source})\n`);
    return (options.openAccess ?? openCliAccess)({ ...io.env, DATA_DIR: location.dir });
  };
  const context: CliContext = {
    io,
    access: () => (opened ??= openStore()),
  };
  try {
    return await command.run(args, context);
  } catch (error) {
    return report(io, error);
  } finally {
    if (opened !== undefined) await opened.then((access) => access.close(), () => undefined);
  }
}

const DATA_DIR_SOURCES: Record<string, string> = {
  '--data-dir': 'from --data-dir',
  DATA_DIR: 'from DATA_DIR',
  found: 'the data folder found from the working directory',
  project: "the project folder's data/",
  default: 'data/ in the working directory',
};

/** `--data-dir DIR` (or `--data-dir=DIR`) may stand anywhere: it applies to every store-backed command. */
function extractDataDir(argv: readonly string[]): { argv: string[]; dataDir: string | undefined } {
  const rest: string[] = [];
  let dataDir: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') {
      rest.push(...argv.slice(index));
      break;
    }
    if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else if (arg === '--data-dir') {
      dataDir = argv[++index];
      if (dataDir === undefined || dataDir.startsWith('-')) throw new CliUsageError("Option '--data-dir DIR' needs a folder.", '');
    } else rest.push(arg);
  }
  return { argv: rest, dataDir };
}

function report(io: CliIo, error: unknown): number {
  if (error instanceof CliUsageError) return reportUsage(io, error);
  if (error instanceof ProxyError && error.kind === 'invalid_request') {
    io.stderr(`error: ${inFlagTerms(error.message, error.param)}\n`);
    return 2;
  }
  if (error instanceof ProxyRequestError) {
    io.stderr(`error: ${inFlagTerms(error.message, undefined)}\n`);
    return 1;
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
