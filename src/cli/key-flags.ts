import type { KeySettingsInput } from '../access/key-input.js';
import { LIMIT_FIELDS } from '../access/key-limits.js';
import type { RateLimitOverrides } from '../core/principal.js';
import { CliUsageError } from './cli-command.js';

// The flags `keys create` and `keys update` share, and how they become key settings.

/** Scope sets for common kinds of key, so the first key an app gets can call what the README's examples call. */
export const KEY_PRESETS: Record<string, { scopes: string; summary: string }> = {
  app: { scopes: 'chat,completions,embeddings,models:read', summary: 'an application: chat, completions, embeddings, models:read' },
};

const kebab = (camel: string) => camel.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
export const LIMIT_FLAGS = LIMIT_FIELDS.map(([camel]) => [kebab(camel), camel] as const);

export const KEY_SETTING_OPTIONS = {
  name: { type: 'string' },
  scopes: { type: 'string' },
  preset: { type: 'string' },
  models: { type: 'string' },
  expires: { type: 'string' },
  tier: { type: 'string' },
  metadata: { type: 'string' },
  'clear-limits': { type: 'boolean' },
  ...Object.fromEntries(LIMIT_FLAGS.map(([flag]) => [flag, { type: 'string' as const }])),
} as const;

export const KEY_SETTING_HELP = `  --name NAME         label for the key
  --scopes LIST       comma-separated, from: chat, completions, embeddings, models:read, ollama, admin
  --preset NAME       a scope set instead of --scopes: ${Object.entries(KEY_PRESETS).map(([name, preset]) => `'${name}' = ${preset.summary}`).join('; ')}
  --models LIST       allowed models, exact names or globs such as 'deepseek-*' (update: 'all' removes the list)
  --expires DURATION  lifetime from now such as 15m, 72h, 30d (update: 'never' removes the expiry)
  --tier NAME         rate-limit tier from CONFIG_FILE (update: 'default' goes back to the default tier)
  --metadata JSON     free-form JSON object stored with the key
Rate limits of this key alone, each overriding its tier's value (whole numbers):
${LIMIT_FLAGS.map(([flag]) => `  --${flag.padEnd(18)}`).join('\n')}
  --clear-limits      (update) remove the key's own limits: its tier's apply again`;

type Values = Record<string, string | boolean | undefined>;

/** Flags → key settings; for an update, `current` holds the key's own limits, which the given ones are merged into. */
export function toKeySettings(values: Values, command: string, current?: RateLimitOverrides | null): KeySettingsInput {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const input: KeySettingsInput = {};
  const preset = text('preset');
  if (preset !== undefined) {
    const found = KEY_PRESETS[preset];
    if (found === undefined) throw new CliUsageError(`Unknown --preset '${preset}'; presets: ${Object.keys(KEY_PRESETS).join(', ')}.`, command);
    if (text('scopes') !== undefined) throw new CliUsageError('Give either --preset or --scopes, not both.', command);
    input.scopes = found.scopes;
  }
  if (text('name') !== undefined) input.name = text('name')!;
  if (text('scopes') !== undefined) input.scopes = text('scopes')!;
  const models = text('models');
  if (models !== undefined) input.models = current !== undefined && models === 'all' ? null : models;
  const expires = text('expires');
  if (expires !== undefined) input.expiresIn = current !== undefined && expires === 'never' ? null : expires;
  const tier = text('tier');
  if (tier !== undefined) input.tier = current !== undefined && tier === 'default' ? null : tier;
  if (text('metadata') !== undefined) input.metadata = parseMetadata(text('metadata')!, command);
  const limits = parseLimitFlags(values, command);
  if (values['clear-limits'] === true) {
    if (Object.keys(limits).length > 0) throw new CliUsageError('--clear-limits cannot be combined with limit flags.', command);
    input.limits = null;
  } else if (Object.keys(limits).length > 0) {
    input.limits = { ...(current ?? {}), ...limits };
  }
  return input;
}

function parseLimitFlags(values: Values, command: string): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const [flag, field] of LIMIT_FLAGS) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    if (!/^\d+$/.test(value.trim())) throw new CliUsageError(`--${flag} must be a whole number (got '${value}').`, command);
    limits[field] = Number(value);
  }
  return limits;
}

function parseMetadata(text: string, command: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliUsageError('--metadata must be a JSON object, e.g. \'{"team":"search"}\'.', command);
  }
  return { ...value };
}
