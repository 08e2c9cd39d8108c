import { parseArgs } from 'node:util';
import { toApiKeyJson, type ApiKeyView } from '../access/api-key-view.js';
import { parseDuration } from '../access/duration.js';
import { ALL_SCOPES } from '../core/principal.js';
import { CliUsageError, PROGRAM, parseOrUsage, type CliCommand, type CliContext } from './cli-command.js';
import { formatKeyDetails, formatKeyTable, formatNewSecret } from './key-output.js';

interface Subcommand {
  summary: string;
  help: string;
  run(args: string[], context: CliContext): Promise<number>;
}

const COMMON = `  --json              print JSON for scripts\n  -h, --help          show this help`;

const SUBCOMMANDS: Record<string, Subcommand> = {
  create: {
    summary: 'create a key and print its secret once',
    help: `Usage: ${PROGRAM} keys create --name NAME --scopes LIST [options]

Creates an API key and prints its secret. The secret is shown only this once.

Options:
  --name NAME         label for the key (required)
  --scopes LIST       comma-separated, from: ${ALL_SCOPES.join(', ')} (required)
  --models LIST       allowed models, exact names or globs such as 'deepseek-*' (default: all)
  --expires DURATION  lifetime such as 15m, 72h, 30d (default: never expires)
  --tier NAME         rate-limit tier
  --metadata JSON     free-form JSON object stored with the key
${COMMON}`,
    run: createKey,
  },
  list: {
    summary: 'list keys (never their secrets)',
    help: `Usage: ${PROGRAM} keys list [--json]\n\nLists every key, revoked and expired ones included.\n\nOptions:\n${COMMON}`,
    run: async (args, context) => {
      const { values } = parseKeysArgs('list', args, {}, 0);
      const keys = await (await context.access()).keys.listKeys();
      print(context, values.json, keys.map(toApiKeyJson), () => formatKeyTable(keys));
      return 0;
    },
  },
  show: {
    summary: 'show one key',
    help: `Usage: ${PROGRAM} keys show ID [--json]\n\nShows the settings and status of one key.\n\nOptions:\n${COMMON}`,
    run: async (args, context) => {
      const { values, positionals } = parseKeysArgs('show', args, {}, 1);
      const key = await (await context.access()).keys.getKey(positionals[0]!);
      printKey(context, values.json, key);
      return 0;
    },
  },
  revoke: {
    summary: 'revoke a key at once (its tokens stop working too)',
    help: `Usage: ${PROGRAM} keys revoke ID [--json]\n\nRevokes a key immediately; JWTs issued for it stop working too.\n\nOptions:\n${COMMON}`,
    run: async (args, context) => {
      const { values, positionals } = parseKeysArgs('revoke', args, {}, 1);
      const key = await (await context.access()).keys.revokeKey(positionals[0]!);
      print(context, values.json, toApiKeyJson(key), () => `Revoked API key ${key.id} (${key.name}).`);
      return 0;
    },
  },
  rotate: {
    summary: 'replace a key\'s secret; the old one works for a grace period',
    help: `Usage: ${PROGRAM} keys rotate ID [--grace DURATION] [--json]

Gives the key a new secret (printed once). The old secret keeps working for the grace period.

Options:
  --grace DURATION    how long the old secret stays valid, e.g. 1h, 72h; 0 ends it now
                      (default: KEY_ROTATION_GRACE_HOURS, 72h)
${COMMON}`,
    run: async (args, context) => {
      const { values, positionals } = parseKeysArgs('rotate', args, { grace: { type: 'string' } }, 1);
      const graceMs = values.grace === undefined ? undefined : values.grace.trim() === '0' ? 0 : parseDuration(values.grace, 'grace');
      const { key, secret } = await (await context.access()).keys.rotateKey(positionals[0]!, graceMs);
      print(context, values.json, { ...toApiKeyJson(key), secret }, () => formatNewSecret(key, secret, 'Rotated'));
      return 0;
    },
  },
};

const KEYS_HELP = `Usage: ${PROGRAM} keys <subcommand> [options]

Manages API keys directly in the proxy's store (DATA_DIR or DATABASE_URL); no server needed.

Subcommands:
${Object.entries(SUBCOMMANDS).map(([name, sub]) => `  ${name.padEnd(8)} ${sub.summary}`).join('\n')}

Run '${PROGRAM} keys <subcommand> --help' for its options.`;

export const keysCommand: CliCommand = {
  name: 'keys',
  summary: 'create, list, show, revoke and rotate API keys',
  async run(args, context) {
    const [name, ...rest] = args;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      (name === undefined ? context.io.stderr : context.io.stdout)(`${KEYS_HELP}\n`);
      return name === undefined ? 2 : 0;
    }
    const subcommand = SUBCOMMANDS[name];
    if (subcommand === undefined) throw new CliUsageError(`Unknown subcommand 'keys ${name}'.`, 'keys');
    if (rest.includes('--help') || rest.includes('-h')) {
      context.io.stdout(`${subcommand.help}\n`);
      return 0;
    }
    return subcommand.run(rest, context);
  },
};

async function createKey(args: string[], context: CliContext): Promise<number> {
  const { values } = parseKeysArgs('create', args, {
    name: { type: 'string' }, scopes: { type: 'string' }, models: { type: 'string' },
    expires: { type: 'string' }, tier: { type: 'string' }, metadata: { type: 'string' },
  }, 0);
  if (values.name === undefined) throw new CliUsageError('--name is required.', 'keys create');
  if (values.scopes === undefined) throw new CliUsageError('--scopes is required.', 'keys create');
  const { key, secret } = await (await context.access()).keys.createKey({
    name: values.name,
    scopes: values.scopes,
    ...(values.models === undefined ? {} : { models: values.models }),
    ...(values.expires === undefined ? {} : { expiresIn: values.expires }),
    ...(values.tier === undefined ? {} : { tier: values.tier }),
    ...(values.metadata === undefined ? {} : { metadata: parseMetadata(values.metadata) }),
  });
  print(context, values.json, { ...toApiKeyJson(key), secret }, () => formatNewSecret(key, secret, 'Created'));
  return 0;
}

type StringOptions = Record<string, { type: 'string' }>;

function parseKeysArgs<O extends StringOptions>(name: string, args: string[], options: O, positionalCount: number) {
  const parsed = parseOrUsage(`keys ${name}`, () =>
    parseArgs({ args, options: { ...options, json: { type: 'boolean' } }, allowPositionals: true, strict: true }),
  );
  if (parsed.positionals.length !== positionalCount) {
    const expected = positionalCount === 0 ? 'no arguments' : 'exactly one key ID';
    throw new CliUsageError(`'keys ${name}' takes ${expected} (got ${parsed.positionals.length}).`, `keys ${name}`);
  }
  return parsed;
}

function parseMetadata(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliUsageError('--metadata must be a JSON object, e.g. \'{"team":"search"}\'.', 'keys create');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliUsageError('--metadata must be a JSON object, e.g. \'{"team":"search"}\'.', 'keys create');
  }
  return { ...value };
}

function printKey(context: CliContext, json: boolean | undefined, key: ApiKeyView): void {
  print(context, json, toApiKeyJson(key), () => formatKeyDetails(key));
}

function print(context: CliContext, json: boolean | undefined, data: unknown, human: () => string): void {
  context.io.stdout(`${json === true ? JSON.stringify(data, null, 2) : human()}\n`);
}
