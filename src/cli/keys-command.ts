import { parseArgs } from 'node:util';
import { toApiKeyJson, type ApiKeyView } from '../access/api-key-view.js';
import { parseDuration } from '../access/duration.js';
import { didYouMean } from '../shared/did-you-mean.js';
import { CliUsageError, PROGRAM, parseOrUsage, type CliCommand, type CliContext } from './cli-command.js';
import { KEY_SETTING_HELP, KEY_SETTING_OPTIONS, toKeySettings } from './key-flags.js';
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
    help: `Usage: ${PROGRAM} keys create --name NAME (--scopes LIST | --preset app) [options]

Creates an API key and prints its secret. The secret is shown only this once.
--name and --scopes (or --preset) are required; without --models the key may use every model,
without --expires it never expires, without --tier it gets the default tier.
  e.g. keys create --name my-app --preset app

Options:
${KEY_SETTING_HELP}
${COMMON}`,
    run: createKey,
  },
  update: {
    summary: 'change a key\'s scopes, models, tier, expiry or rate limits',
    help: `Usage: ${PROGRAM} keys update ID [options]

Changes the given settings of a key and leaves the others as they are. Limit flags are merged into the
key's own limits. Takes effect at once on the server's next check (within KEY_CACHE_TTL_MS, 5 s).
  e.g. keys update key_… --scopes chat,embeddings --requests-per-minute 100 --expires 30d

Options:
${KEY_SETTING_HELP}
${COMMON}`,
    run: updateKey,
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
It says on stderr which store it opened.

Subcommands:
${Object.entries(SUBCOMMANDS).map(([name, sub]) => `  ${name.padEnd(8)} ${sub.summary}`).join('\n')}

Run '${PROGRAM} keys <subcommand> --help' for its options.`;

export const keysCommand: CliCommand = {
  name: 'keys',
  summary: 'create, update, list, show, revoke and rotate API keys',
  async run(args, context) {
    const [name, ...rest] = args;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      (name === undefined ? context.io.stderr : context.io.stdout)(`${KEYS_HELP}\n`);
      return name === undefined ? 2 : 0;
    }
    const subcommand = SUBCOMMANDS[name];
    if (subcommand === undefined) {
      throw new CliUsageError(`Unknown subcommand 'keys ${name}'.${didYouMean(name, Object.keys(SUBCOMMANDS), (match) => `'keys ${match}'`)}`, 'keys');
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      context.io.stdout(`${subcommand.help}\n`);
      return 0;
    }
    return subcommand.run(rest, context);
  },
};

async function createKey(args: string[], context: CliContext): Promise<number> {
  const { values } = parseKeysArgs('create', args, KEY_SETTING_OPTIONS, 0);
  if (values['clear-limits'] === true) throw new CliUsageError('--clear-limits is for keys update.', 'keys create');
  const settings = toKeySettings(values, 'keys create');
  if (settings.name === undefined) throw new CliUsageError('--name is required.', 'keys create');
  if (settings.scopes === undefined) throw new CliUsageError('--scopes (or --preset app) is required.', 'keys create');
  const { key, secret } = await (await context.access()).keys.createKey({ ...settings, name: settings.name, scopes: settings.scopes });
  print(context, values.json, { ...toApiKeyJson(key), secret }, () => formatNewSecret(key, secret, 'Created'));
  return 0;
}

async function updateKey(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseKeysArgs('update', args, KEY_SETTING_OPTIONS, 1);
  const { keys } = await context.access();
  const id = positionals[0]!;
  const current = await keys.getKey(id);
  const settings = toKeySettings(values, 'keys update', current.limits);
  if (Object.keys(settings).length === 0) throw new CliUsageError('Nothing to change: give at least one option.', 'keys update');
  const key = await keys.updateKey(id, settings);
  print(context, values.json, toApiKeyJson(key), () => `Updated API key ${key.id} (${key.name}).\n\n${formatKeyDetails(key)}`);
  return 0;
}

type Options = Record<string, { type: 'string' } | { type: 'boolean' }>;

function parseKeysArgs<O extends Options>(name: string, args: string[], options: O, positionalCount: number) {
  const parsed = parseOrUsage(`keys ${name}`, () =>
    parseArgs({ args, options: { ...options, json: { type: 'boolean' } }, allowPositionals: true, strict: true }),
    [...Object.keys(options), 'json', 'help'],
  );
  if (parsed.positionals.length !== positionalCount) {
    const expected = positionalCount === 0 ? 'no arguments' : 'exactly one key ID';
    throw new CliUsageError(`'keys ${name}' takes ${expected} (got ${parsed.positionals.length}).`, `keys ${name}`);
  }
  return parsed;
}

function printKey(context: CliContext, json: boolean | undefined, key: ApiKeyView): void {
  print(context, json, toApiKeyJson(key), () => formatKeyDetails(key));
}

function print(context: CliContext, json: boolean | undefined, data: unknown, human: () => string): void {
  context.io.stdout(`${json === true ? JSON.stringify(data, null, 2) : human()}\n`);
}
