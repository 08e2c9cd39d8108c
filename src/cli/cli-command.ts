import type { KeyService } from '../access/key-service.js';
import { didYouMean } from '../shared/did-you-mean.js';
import type { TokenService } from '../access/token-service.js';

// The shape shared by every CLI command. Commands write through `io` (never process.stdout) and return an
// exit code, so tests run them in-process.

export interface CliIo {
  env: Record<string, string | undefined>;
  /** Where relative paths (DATA_DIR) are resolved and the key store is looked for; process.cwd() when absent. */
  cwd?: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Store-backed services, opened only by commands that need them and closed by runCli. */
export interface CliAccess {
  keys: KeyService;
  /** Loads or creates the JWT secret on first call (JWT_SECRET, else DATA_DIR/jwt.secret). */
  tokens(): Promise<TokenService>;
  close(): Promise<void>;
}

export interface CliContext {
  io: CliIo;
  access(): Promise<CliAccess>;
}

export interface CliCommand {
  name: string;
  summary: string;
  run(args: string[], context: CliContext): Promise<number>;
}

/** Bad flags or arguments: reported with a pointer to the command's help, exit code 2. */
export class CliUsageError extends Error {
  constructor(message: string, readonly helpCommand: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export const PROGRAM = 'ollama-openai-proxy';

/**
 * Runs util.parseArgs and turns its errors (unknown option, missing value…) into CliUsageError; an unknown option
 * gets the closest known one as a suggestion (`options` are the names parseArgs was given).
 */
export function parseOrUsage<T>(helpCommand: string, parse: () => T, options: readonly string[] = []): T {
  try {
    return parse();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'(-{1,2}[^'\s]+)'/.exec((error as Error).message)?.[1] ?? '';
      const name = flag.replace(/^-+/, '').split('=')[0] ?? '';
      const hint = didYouMean(name, options, (match) => `--${match}`);
      throw new CliUsageError(`Unknown option '${flag}'.${hint}`, helpCommand);
    }
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw new CliUsageError((error as Error).message, helpCommand);
    }
    throw error;
  }
}
