import { readFileSync } from 'node:fs';
import {
  applySecrets, describeVaultError, fromKvV2Read, fromSecretFile, fromTokenLookup, fromVaultAuth, planSecrets,
  type SecretName, type VaultSettings, type VaultToken,
} from './config/secret-sources.js';

// The I/O half of config/secret-sources.ts: reads <NAME>_FILE files and the Vault KV v2 secret, at start-up
// (main.ts, the CLI) and again on SIGHUP. Problems are collected and reported together, naming what is
// missing. Vault tokens that can be renewed are kept alive with /v1/auth/token/renew-self.

type Env = Record<string, string | undefined>;

export class SecretsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot load secrets:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SecretsError';
  }
}

export interface SecretLoaderDeps {
  readFile?: (path: string) => string;
  fetch?: typeof fetch;
  /** A token from an earlier load (SIGHUP) is reused while it still works. */
  vaultToken?: VaultToken;
}

export interface LoadedSecrets {
  env: Env;
  sources: Partial<Record<SecretName, 'file' | 'vault'>>;
  /** The Vault token in use, when Vault was read. */
  vaultToken?: VaultToken;
}

export async function loadSecrets(env: Env, deps: SecretLoaderDeps = {}): Promise<LoadedSecrets> {
  const readFile = deps.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const plan = planSecrets(env);
  const problems = [...plan.problems];
  const fromFiles: Partial<Record<SecretName, string>> = {};
  for (const { name, path } of plan.files) {
    const text = readSecretFile(readFile, `${name}_FILE`, path, problems);
    if (text === '') problems.push(`${name}_FILE: ${path} is empty`);
    else if (text !== undefined) fromFiles[name] = text;
  }
  if (problems.length > 0) throw new SecretsError(problems);
  if (plan.vault === null) return applySecrets(env, fromFiles, {});
  const client = new VaultClient(plan.vault, deps.fetch ?? fetch, readFile);
  try {
    const token = await client.token(deps.vaultToken);
    const fromVault = await client.readSecret(token.token);
    return { ...applySecrets(env, fromFiles, fromVault), vaultToken: token };
  } catch (error) {
    throw new SecretsError([(error as Error).message]);
  }
}

function readSecretFile(readFile: (path: string) => string, variable: string, path: string, problems: string[]): string | undefined {
  try {
    return fromSecretFile(readFile(path));
  } catch (error) {
    problems.push(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return undefined;
  }
}

class VaultClient {
  constructor(
    private readonly settings: VaultSettings,
    private readonly fetchImpl: typeof fetch,
    private readonly readFile: (path: string) => string,
  ) {}

  /** The configured token (with what lookup-self says about it), or a fresh AppRole login. */
  async token(previous?: VaultToken): Promise<VaultToken> {
    const { auth } = this.settings;
    if (auth.kind === 'token') {
      const token = auth.token ?? this.fileValue('VAULT_TOKEN_FILE', auth.tokenFile!);
      const lookup = await this.call('GET', 'auth/token/lookup-self', token, undefined, 'look up its own token').catch(() => null);
      const facts = lookup === null ? { renewable: false, ttlSeconds: 0 } : fromTokenLookup(lookup);
      return { token, renewable: facts.renewable, leaseSeconds: facts.ttlSeconds };
    }
    if (previous !== undefined) {
      const still = await this.call('GET', 'auth/token/lookup-self', previous.token, undefined, 'look up its own token').catch(() => null);
      if (still !== null) return { ...previous, leaseSeconds: fromTokenLookup(still).ttlSeconds };
    }
    const secretId = auth.secretId ?? this.fileValue('VAULT_SECRET_ID_FILE', auth.secretIdFile!);
    const body = await this.call('POST', `auth/${auth.mount}/login`, undefined, { role_id: auth.roleId, secret_id: secretId }, 'log in with the AppRole (VAULT_ROLE_ID, VAULT_SECRET_ID)');
    return fromVaultAuth(body);
  }

  async readSecret(token: string): Promise<Record<string, string>> {
    const body = await this.call('GET', this.settings.dataPath, token, undefined, `read ${this.settings.dataPath}`);
    return fromKvV2Read(body, this.settings.dataPath);
  }

  async renew(token: string): Promise<VaultToken> {
    return fromVaultAuth(await this.call('POST', 'auth/token/renew-self', token, {}, 'renew its token'));
  }

  private fileValue(variable: string, path: string): string {
    const problems: string[] = [];
    const value = readSecretFile(this.readFile, variable, path, problems);
    if (value === undefined || value === '') throw new Error(problems[0] ?? `${variable}: ${path} is empty`);
    return value;
  }

  private async call(method: string, path: string, token: string | undefined, body: unknown, attempt: string): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers['x-vault-token'] = token;
    if (this.settings.namespace) headers['x-vault-namespace'] = this.settings.namespace;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.settings.address}/v1/${path}`, {
        method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new Error(`Vault at ${this.settings.address} is unreachable (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}): cannot ${attempt}`);
    }
    const parsed: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw new Error(describeVaultError(response.status, parsed, attempt));
    return parsed;
  }
}

export interface VaultRenewal {
  stop(): void;
}

/**
 * Renews a renewable token at two thirds of its lease, again and again; a failure is reported and the next
 * SIGHUP (or restart) logs in afresh. Non-renewable or non-expiring tokens need nothing.
 */
export function keepVaultTokenAlive(env: Env, token: VaultToken, report: { renewed(token: VaultToken): void; failed(error: Error): void }, deps: { fetch?: typeof fetch } = {}): VaultRenewal {
  const plan = planSecrets(env);
  let timer: NodeJS.Timeout | undefined;
  if (plan.vault === null) return { stop: () => undefined };
  const client = new VaultClient(plan.vault, deps.fetch ?? fetch, (path) => readFileSync(path, 'utf8'));
  const schedule = (current: VaultToken) => {
    if (!current.renewable || current.leaseSeconds <= 0) return;
    timer = setTimeout(() => {
      client.renew(current.token).then(
        (renewed) => {
          report.renewed(renewed);
          schedule(renewed);
        },
        (error: Error) => report.failed(error),
      );
    }, Math.max(1_000, (current.leaseSeconds * 1_000 * 2) / 3));
    timer.unref();
  };
  schedule(token);
  return { stop: () => clearTimeout(timer) };
}
