import type { AccessControl } from './create-access-control.js';
import type { SecretName } from './config/secret-sources.js';
import { loadConfig } from './config/load-config.js';
import type { ApplySecrets } from './secrets-lifecycle.js';

// Which re-read secrets (SIGHUP) the running process applies without a restart, and how:
// - MASTER_KEY: the new key is accepted and the old one refused from the next request on.
// - JWT_SECRET: new tokens are signed with the new secret at once; tokens signed with the old one stay valid
//   for JWT_TTL_SECONDS (no more than any of them could live anyway). Removing JWT_SECRET (back to the
//   DATA_DIR file) applies at restart.
// - Every new value is added to the log redactor before anything else happens; old values stay redacted.
// DATABASE_URL, REDIS_URL, ENCRYPTION_KEY and METRICS_TOKEN are held by open connections, stored ciphertext
// and built routes: they are not applied here, and secrets-lifecycle.ts logs that they apply at restart.

export interface LiveSecretsDeps {
  access: Pick<AccessControl, 'rotateSecrets'>;
  /** Teaches the log redactor more values to mask. */
  redact(values: readonly string[]): void;
}

export function liveSecretsApplier(deps: LiveSecretsDeps): ApplySecrets {
  return (env, changed) => {
    deps.redact(changed.map((name) => env[name]).filter((value): value is string => Boolean(value)));
    // The same validation as at start-up (lengths, formats); a ConfigError names the variable, not the value.
    const config = loadConfig(env);
    const applied: SecretName[] = [];
    const rotation: Parameters<AccessControl['rotateSecrets']>[0] = {};
    if (changed.includes('MASTER_KEY')) {
      rotation.masterKey = config.auth.masterKey;
      applied.push('MASTER_KEY');
    }
    if (changed.includes('JWT_SECRET') && config.auth.jwtSecret !== undefined) {
      rotation.jwtSecret = config.auth.jwtSecret;
      applied.push('JWT_SECRET');
    }
    if (applied.length > 0) deps.access.rotateSecrets(rotation);
    return applied;
  };
}
