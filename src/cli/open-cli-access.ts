import { createKeyService } from '../access/key-service.js';
import { loadOrCreateJwtSecret } from '../access/jwt.js';
import { createTokenService, type TokenService } from '../access/token-service.js';
import { loadConfig } from '../config/load-config.js';
import { knownTiers } from '../create-access-control.js';
import { createKeyStore } from '../stores/create-key-store.js';
import type { CliAccess } from './cli-command.js';

const HOUR_MS = 3_600_000;

/** Opens the same store the server uses, configured by the same variables (DATA_DIR, DATABASE_URL, …). */
export async function openCliAccess(env: Record<string, string | undefined>): Promise<CliAccess> {
  const config = loadConfig(env);
  const store = await createKeyStore({
    dataDir: config.dataDir,
    ...(config.auth.databaseUrl === undefined ? {} : { databaseUrl: config.auth.databaseUrl }),
  });
  const keys = createKeyService({ store, rotationGraceMs: config.auth.rotationGraceHours * HOUR_MS, ...knownTiers(config) });
  let tokens: TokenService | undefined;
  return {
    keys,
    async tokens() {
      const secret = await loadOrCreateJwtSecret(config.dataDir, config.auth.jwtSecret);
      tokens ??= createTokenService({ keys, secret, ttlSeconds: config.auth.jwtTtlSeconds });
      return tokens;
    },
    close: () => store.close(),
  };
}
