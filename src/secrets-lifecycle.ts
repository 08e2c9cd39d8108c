import type { Logger } from './core/logger.js';
import { SECRET_VARIABLES } from './config/secret-sources.js';
import { keepVaultTokenAlive, loadSecrets, type LoadedSecrets, type VaultRenewal } from './load-secrets.js';

// After start-up: keeps the Vault token renewed and re-reads every secret source on SIGHUP. The running
// services were built from the values read at start, so a changed value is reported by name (never the
// value) and takes effect at the next restart; a source that became unreadable is reported the same way.

type Env = Record<string, string | undefined>;

export interface SecretsLifecycle {
  reload(): Promise<void>;
  stop(): void;
}

export function startSecretsLifecycle(env: Env, loaded: LoadedSecrets, logger: Logger): SecretsLifecycle {
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
      try {
        const next = await loadSecrets(env, current.vaultToken ? { vaultToken: current.vaultToken } : {});
        const changed = SECRET_VARIABLES.filter((name) => next.env[name] !== current.env[name]);
        current = next;
        keepAlive();
        logger.info('secrets re-read (SIGHUP)', { sources: next.sources, changed });
        if (changed.length > 0) logger.warn('changed secrets take effect at the next restart', { changed });
      } catch (error) {
        logger.error('secrets could not be re-read (SIGHUP); the running values stay', { error: (error as Error).message });
      }
    },
    stop: () => renewal.stop(),
  };
}
