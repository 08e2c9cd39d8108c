import type { Logger } from './core/logger.js';
import { SECRET_VARIABLES, type SecretName } from './config/secret-sources.js';
import { keepVaultTokenAlive, loadSecrets, type LoadedSecrets, type VaultRenewal } from './load-secrets.js';

// After start-up: keeps the Vault token renewed and re-reads every secret source on SIGHUP. What can change
// safely while serving is applied at once by `apply` (main.ts: MASTER_KEY, JWT_SECRET, the log redactor);
// every other changed secret is named in a warn line (never its value) saying it takes effect at the next
// restart. A source that became unreadable, or a value the configuration refuses, changes nothing: the
// running values stay and the next SIGHUP compares against them.

type Env = Record<string, string | undefined>;

export interface SecretsLifecycle {
  /** What SIGHUP calls; resolves once the new values are in use (or refused and logged). */
  reload(): Promise<void>;
  stop(): void;
}

/**
 * Applies changed secrets to the running services and returns the names it applied; throws (the message
 * names the problem, never a value) when the new environment is not a valid configuration.
 */
export type ApplySecrets = (env: Env, changed: readonly SecretName[]) => readonly SecretName[];

export function startSecretsLifecycle(env: Env, loaded: LoadedSecrets, logger: Logger, apply: ApplySecrets = () => []): SecretsLifecycle {
  let current = loaded;
  let renewal: VaultRenewal = { stop: () => undefined };
  const keepAlive = () => {
    renewal.stop();
    if (current.vaultToken === undefined) return;
    renewal = keepVaultTokenAlive(env, current.vaultToken, {
      renewed: (token) => {
        current = { ...current, vaultToken: token };
        logger.info('vault token renewed', { leaseSeconds: token.leaseSeconds });
      },
      failed: (error) => logger.error('vault token renewal failed; the next SIGHUP logs in again', { error: error.message }),
    });
  };
  keepAlive();
  if (Object.keys(current.sources).length > 0) logger.info('secrets loaded', { sources: current.sources });
  return {
    async reload() {
      let next: LoadedSecrets;
      try {
        next = await loadSecrets(env, current.vaultToken ? { vaultToken: current.vaultToken } : {});
      } catch (error) {
        logger.error('secrets could not be re-read (SIGHUP); the running values stay', { error: (error as Error).message });
        return;
      }
      const changed = SECRET_VARIABLES.filter((name) => next.env[name] !== current.env[name]);
      let applied: readonly SecretName[];
      try {
        applied = changed.length === 0 ? [] : apply(next.env, changed);
      } catch (error) {
        logger.error('re-read secrets refused (SIGHUP); the running values stay', { changed, error: (error as Error).message });
        return;
      }
      current = next;
      keepAlive();
      logger.info('secrets re-read (SIGHUP)', { sources: next.sources, changed, applied });
      for (const variable of changed.filter((name) => !applied.includes(name))) {
        logger.warn(`${variable} changed; it takes effect at the next restart`, { variable });
      }
    },
    stop: () => renewal.stop(),
  };
}
