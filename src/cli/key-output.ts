import type { ApiKeyView } from '../access/api-key-view.js';
import { formatTable } from './format-table.js';

// Human-readable renderings of keys. None of them can show a secret: ApiKeyView holds none.

export function formatKeyTable(keys: readonly ApiKeyView[]): string {
  if (keys.length === 0) return 'No API keys yet. Create one with: keys create --name app --scopes chat';
  return formatTable(
    ['ID', 'NAME', 'PREFIX', 'SCOPES', 'MODELS', 'STATUS', 'EXPIRES', 'LAST USED'],
    keys.map((key) => [
      key.id, key.name, key.prefix, key.scopes.join(','), key.models?.join(',') ?? '*', key.status,
      formatTime(key.expiresAt, 'never'), formatTime(key.lastUsedAt, 'never'),
    ]),
  );
}

export function formatKeyDetails(key: ApiKeyView): string {
  const rows: Array<[string, string]> = [
    ['ID', key.id],
    ['Name', key.name],
    ['Prefix', key.prefix],
    ['Status', key.status],
    ['Scopes', key.scopes.join(', ')],
    ['Models', key.models === null ? 'all' : key.models.join(', ')],
    ['Tier', key.tier ?? 'default'],
    ['Own limits', key.limits === null ? 'none (the tier\'s)' : Object.entries(key.limits).map(([name, value]) => `${name} ${value}`).join(', ')],
    ['Created', formatTime(key.createdAt, '-')],
    ['Expires', formatTime(key.expiresAt, 'never')],
    ['Last used', formatTime(key.lastUsedAt, 'never')],
  ];
  if (key.revokedAt !== null) rows.push(['Revoked', formatTime(key.revokedAt, '-')]);
  if (key.previousSecretValidUntil !== null) rows.push(['Old secret valid until', formatTime(key.previousSecretValidUntil, '-')]);
  if (Object.keys(key.metadata).length > 0) rows.push(['Metadata', JSON.stringify(key.metadata)]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`).join('\n');
}

/** Printed after create/rotate: the only time the secret is ever shown. */
export function formatNewSecret(key: ApiKeyView, secret: string, action: 'Created' | 'Rotated'): string {
  const lines = [
    `${action} API key ${key.id} (${key.name}).`,
    '',
    `  ${secret}`,
    '',
    'This secret is shown only now; store it safely. Use it as "Authorization: Bearer <secret>".',
  ];
  if (key.previousSecretValidUntil !== null) {
    lines.push(`The previous secret keeps working until ${formatTime(key.previousSecretValidUntil, '-')}.`);
  }
  return `${lines.join('\n')}\n\n${formatKeyDetails(key)}`;
}

export function formatTime(date: Date | null, fallback: string): string {
  return date === null ? fallback : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
