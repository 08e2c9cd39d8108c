// Where secret settings may come from besides plain environment variables: `<NAME>_FILE` (Docker and
// Kubernetes secrets mounted as files) and HashiCorp Vault's KV v2 engine. This file is pure: it plans what
// to read, checks Vault's answers and merges the values into an environment for loadConfig. The reading
// (files, HTTP) is src/load-secrets.ts, called by main.ts and the CLI.

type Env = Record<string, string | undefined>;

/** Settings that hold secrets; each may be given directly, as <NAME>_FILE, or as a key of the Vault secret. */
export const SECRET_VARIABLES = ['MASTER_KEY', 'JWT_SECRET', 'ENCRYPTION_KEY', 'DATABASE_URL', 'REDIS_URL', 'METRICS_TOKEN'] as const;
export type SecretName = (typeof SECRET_VARIABLES)[number];

export type VaultAuth =
  | { kind: 'token'; token?: string; tokenFile?: string }
  | { kind: 'approle'; roleId: string; secretId?: string; secretIdFile?: string; mount: string };

export interface VaultSettings {
  /** e.g. https://vault.example:8200, without a trailing slash. */
  address: string;
  namespace?: string;
  /** API path of the KV v2 read, e.g. 'secret/data/proxy' (GET /v1/secret/data/proxy). */
  dataPath: string;
  auth: VaultAuth;
}

export interface SecretPlan {
  files: Array<{ name: SecretName; path: string }>;
  vault: VaultSettings | null;
  problems: string[];
}

export function planSecrets(env: Env): SecretPlan {
  const problems: string[] = [];
  const files: SecretPlan['files'] = [];
  for (const name of SECRET_VARIABLES) {
    const path = env[`${name}_FILE`];
    if (!path) continue;
    if (env[name]) problems.push(`${name} and ${name}_FILE are both set: keep one`);
    else files.push({ name, path });
  }
  return { files, vault: planVault(env, problems), problems };
}

function planVault(env: Env, problems: string[]): VaultSettings | null {
  const address = env.VAULT_ADDR;
  if (!address) {
    const stray = ['VAULT_SECRET_PATH', 'VAULT_TOKEN', 'VAULT_ROLE_ID'].filter((name) => env[name]);
    if (stray.length > 0) problems.push(`${stray.join(', ')} set but VAULT_ADDR is missing`);
    return null;
  }
  if (!/^https?:\/\/[^/]+/.test(address)) problems.push(`VAULT_ADDR must be an http(s):// URL, got '${address}'`);
  const secretPath = env.VAULT_SECRET_PATH;
  if (!secretPath) problems.push('VAULT_ADDR is set but VAULT_SECRET_PATH is missing (e.g. secret/data/proxy)');
  const auth = planVaultAuth(env, problems);
  if (auth === null || !secretPath) return null;
  return {
    address: address.replace(/\/+$/, ''),
    ...(env.VAULT_NAMESPACE ? { namespace: env.VAULT_NAMESPACE } : {}),
    dataPath: kvV2DataPath(secretPath),
    auth,
  };
}

function planVaultAuth(env: Env, problems: string[]): VaultAuth | null {
  if (env.VAULT_TOKEN || env.VAULT_TOKEN_FILE) {
    if (env.VAULT_TOKEN && env.VAULT_TOKEN_FILE) problems.push('VAULT_TOKEN and VAULT_TOKEN_FILE are both set: keep one');
    return { kind: 'token', ...(env.VAULT_TOKEN ? { token: env.VAULT_TOKEN } : { tokenFile: env.VAULT_TOKEN_FILE! }) };
  }
  if (env.VAULT_ROLE_ID) {
    if (!env.VAULT_SECRET_ID && !env.VAULT_SECRET_ID_FILE) {
      problems.push('VAULT_ROLE_ID is set but VAULT_SECRET_ID (or VAULT_SECRET_ID_FILE) is missing');
      return null;
    }
    return {
      kind: 'approle',
      roleId: env.VAULT_ROLE_ID,
      mount: env.VAULT_APPROLE_MOUNT || 'approle',
      ...(env.VAULT_SECRET_ID ? { secretId: env.VAULT_SECRET_ID } : { secretIdFile: env.VAULT_SECRET_ID_FILE! }),
    };
  }
  problems.push('VAULT_ADDR is set but no Vault credentials: set VAULT_TOKEN (or VAULT_TOKEN_FILE), or VAULT_ROLE_ID and VAULT_SECRET_ID (AppRole)');
  return null;
}

/** 'secret/data/proxy' stays; the CLI form 'secret/proxy' becomes 'secret/data/proxy' (mount = first segment). */
export function kvV2DataPath(secretPath: string): string {
  const trimmed = secretPath.replace(/^\/+|\/+$/g, '').replace(/^v1\//, '');
  const [mount, ...rest] = trimmed.split('/');
  if (rest[0] === 'data') return trimmed;
  return [mount, 'data', ...rest].join('/');
}

/** File contents as a setting: one trailing newline (echo, most editors) is not part of the secret. */
export function fromSecretFile(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/**
 * Fills the names not set directly: files first, then Vault. Returns the new environment and where each
 * value came from (names only, for the log).
 */
export function applySecrets(env: Env, fromFiles: Partial<Record<SecretName, string>>, fromVault: Record<string, string>): { env: Env; sources: Partial<Record<SecretName, 'file' | 'vault'>> } {
  const merged: Env = { ...env };
  const sources: Partial<Record<SecretName, 'file' | 'vault'>> = {};
  for (const name of SECRET_VARIABLES) {
    if (env[name]) continue;
    const fileValue = fromFiles[name];
    if (fileValue !== undefined) {
      merged[name] = fileValue;
      sources[name] = 'file';
    } else if (typeof fromVault[name] === 'string' && fromVault[name] !== '') {
      merged[name] = fromVault[name];
      sources[name] = 'vault';
    }
  }
  return { env: merged, sources };
}

// Vault's answers (HTTP API, KV v2 and token auth): checked here, not trusted.

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** GET /v1/<mount>/data/<path> → `data.data` as strings (non-string values are refused by name). */
export function fromKvV2Read(body: unknown, dataPath: string): Record<string, string> {
  const data = isObject(body) && isObject(body.data) ? body.data.data : undefined;
  if (!isObject(data)) {
    throw new Error(`Vault's answer for ${dataPath} is not a KV v2 secret (no data.data): is the mount KV version 2?`);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!(SECRET_VARIABLES as readonly string[]).includes(key)) continue;
    if (typeof value !== 'string') throw new Error(`Vault secret ${dataPath}: ${key} must be a string`);
    values[key] = value;
  }
  return values;
}

export interface VaultToken {
  token: string;
  renewable: boolean;
  /** Seconds; 0 means the token does not expire. */
  leaseSeconds: number;
}

/** The `auth` block of a login or renew-self answer. */
export function fromVaultAuth(body: unknown): VaultToken {
  const auth = isObject(body) ? body.auth : undefined;
  if (!isObject(auth) || typeof auth.client_token !== 'string') throw new Error('Vault answered without auth.client_token');
  return { token: auth.client_token, renewable: auth.renewable === true, leaseSeconds: typeof auth.lease_duration === 'number' ? auth.lease_duration : 0 };
}

/** GET /v1/auth/token/lookup-self → whether the token can be renewed and its remaining TTL. */
export function fromTokenLookup(body: unknown): { renewable: boolean; ttlSeconds: number } {
  const data = isObject(body) ? body.data : undefined;
  if (!isObject(data)) throw new Error('Vault answered lookup-self without data');
  return { renewable: data.renewable === true, ttlSeconds: typeof data.ttl === 'number' ? data.ttl : 0 };
}

/** Vault's `{"errors":[...]}` with the status, as a sentence naming what was attempted. */
export function describeVaultError(status: number, body: unknown, attempt: string): string {
  const errors = isObject(body) && Array.isArray(body.errors) ? body.errors.filter((e): e is string => typeof e === 'string') : [];
  const detail = errors.length > 0 ? `: ${errors.join('; ')}` : '';
  if (status === 403) return `Vault refused to ${attempt} (403 permission denied${detail.replace(/^: permission denied$/, '')}): check the token's policy or the AppRole credentials`;
  if (status === 503) return `Vault cannot ${attempt} (503${detail}): it is sealed or in standby`;
  if (status === 404) return `Vault has nothing to ${attempt} (404): check VAULT_SECRET_PATH and the mount`;
  return `Vault could not ${attempt} (${status}${detail})`;
}
