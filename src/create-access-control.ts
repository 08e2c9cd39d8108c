import { createHmac } from 'node:crypto';
import { createAuthenticator } from './access/authenticator.js';
import { bootstrapAdminKey, type BootstrappedAdminKey } from './access/bootstrap-admin-key.js';
import { loadOrCreateJwtSecret } from './access/jwt.js';
import { createKeyService, type KeyService } from './access/key-service.js';
import { createPrincipalCache } from './access/principal-cache.js';
import { createRequestRecorder, type RequestRecorder, type RequestRecorderOptions } from './access/request-recorder.js';
import { createTokenService, type TokenService } from './access/token-service.js';
import type { Config } from './config/config-schema.js';
import { AuthenticationError } from './core/errors.js';
import type { Logger } from './core/logger.js';
import { ANONYMOUS, type Principal } from './core/principal.js';
import { createKeyStore } from './stores/create-key-store.js';
import type { AuditEntry, AuditQuery, KeyStore } from './stores/key-store.js';

// Composition of access control, shared by main.ts and the test app so both run the same wiring:
// key store (SQLite in DATA_DIR, or PostgreSQL with DATABASE_URL), JWT secret, key and token services,
// the cached authenticator, the audit/usage recorder, and the first-start admin key.

export interface AccessControlDeps {
  logger: Logger;
  now?: () => Date;
  /** Tests shorten the recorder's timers. */
  recorder?: Pick<RequestRecorderOptions, 'flushIntervalMs' | 'pruneIntervalMs'>;
}

export interface AccessControl {
  /** The bearer credential (undefined when none was sent) → Principal, or AuthenticationError. */
  authenticate(credential: string | undefined): Promise<Principal>;
  keys: KeyService;
  tokens: TokenService;
  recorder: RequestRecorder;
  /** Newest first; pending records are written before reading. */
  queryAudit(query: AuditQuery): Promise<AuditEntry[]>;
  /** Forgets cached authentications, after keys changed through this instance. */
  invalidate(): void;
  /** The admin key created at this start (no MASTER_KEY, empty store), to announce once; else null. */
  bootstrapped: BootstrappedAdminKey | null;
  /** Values the logger must never print (the JWT secret, the bootstrapped key). */
  secrets: readonly string[];
  /**
   * SIGHUP: a changed MASTER_KEY applies at once (the old one is refused); a changed JWT_SECRET signs new tokens
   * at once and still verifies tokens signed with the old one for JWT_TTL_SECONDS (see token-service.ts).
   */
  rotateSecrets(changed: { masterKey?: string | undefined; jwtSecret?: string }): void;
  /**
   * A key for one purpose (e.g. signing thinking blocks), derived from the JWT secret in use at start-up: the
   * same on every instance that shares JWT_SECRET, and across restarts.
   */
  signingKey(purpose: string): Buffer;
  /** Readiness: the key store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;

export async function createAccessControl(config: Config, deps: AccessControlDeps): Promise<AccessControl> {
  const { logger } = deps;
  const store = await createKeyStore({
    dataDir: config.dataDir,
    ...(config.auth.databaseUrl === undefined ? {} : { databaseUrl: config.auth.databaseUrl }),
    onError: (error) => logger.warn('key store connection error', { error: error.message }),
  });
  try {
    return await compose(config, deps, store);
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function compose(config: Config, deps: AccessControlDeps, store: KeyStore): Promise<AccessControl> {
  const { logger } = deps;
  const now = deps.now ?? (() => new Date());
  const { auth } = config;
  const jwtSecret = await loadOrCreateJwtSecret(config.dataDir, auth.jwtSecret);
  const keys = createKeyService({ store, now, rotationGraceMs: auth.rotationGraceHours * HOUR_MS, ...knownTiers(config) });
  const tokens = createTokenService({ keys, secret: jwtSecret, ttlSeconds: auth.jwtTtlSeconds, now });
  const cache = createPrincipalCache({ ttlMs: auth.keyCacheTtlMs, now: () => now().getTime() });
  // Revocations, rotations and scope changes made by other instances or the CLI reach this cache in < 1 s.
  const changes = store.watchChanges({ changed: () => cache.clear(), live: (isLive) => cache.setEnabled(isLive) });
  const authenticateBearer = createAuthenticator({ keys, tokens, cache, ...(auth.masterKey ? { masterKey: auth.masterKey } : {}) });
  const recorder = createRequestRecorder({ store, logger, retentionDays: auth.auditRetentionDays, now, ...deps.recorder });
  // Prune once at start (then hourly): an instance that was down for a while catches up before serving.
  await recorder.prune().catch((error: unknown) => logger.error('could not prune the audit log', { error: String(error) }));

  const bootstrapped = auth.disabled ? null : await bootstrapAdminKey({ keys, dataDir: config.dataDir, ...(auth.masterKey ? { masterKey: auth.masterKey } : {}) });
  announceMode(logger, auth.disabled, bootstrapped);
  return {
    async authenticate(credential) {
      if (auth.disabled) return ANONYMOUS;
      if (credential === undefined) {
        throw new AuthenticationError('You didn\'t provide an API key. Send it as "Authorization: Bearer <key>".');
      }
      return authenticateBearer(credential);
    },
    keys,
    tokens,
    recorder,
    async queryAudit(query) {
      await recorder.flush();
      return store.queryAudit(query);
    },
    ping: () => store.ping(),
    invalidate: () => cache.clear(),
    signingKey: (purpose) => createHmac('sha256', jwtSecret).update(`ollama-openai-proxy:${purpose}`).digest(),
    rotateSecrets(changed) {
      if ('masterKey' in changed) authenticateBearer.setMasterKey(changed.masterKey);
      if (changed.jwtSecret !== undefined) tokens.rotateSecret(changed.jwtSecret);
      cache.clear();
    },
    bootstrapped,
    secrets: [jwtSecret, ...(bootstrapped === null ? [] : [bootstrapped.secret])],
    async close() {
      await changes.close();
      await recorder.close();
      await store.close();
    },
  };
}

/** Log lines (never the secret) for the two start-up situations an operator must know about. */
function announceMode(logger: Logger, disabled: boolean, bootstrapped: BootstrappedAdminKey | null): void {
  if (disabled) {
    logger.warn('AUTH_DISABLED=true: authentication is off. Anyone who can reach this port may use every route, including the admin API and Ollama model management.');
  } else if (bootstrapped !== null) {
    logger.warn('created the first admin key; its secret is printed once on stdout and saved to a file', { keyId: bootstrapped.keyId, path: bootstrapped.path });
  }
}

/** When CONFIG_FILE defines rate-limit tiers, keys may only name those (or the default tier). The CLI uses it too. */
export function knownTiers(config: Config): { tiers?: string[] } {
  const names = Object.keys(config.rateLimit.tiers);
  return names.length === 0 ? {} : { tiers: [...new Set([config.rateLimit.defaultTier, ...names])] };
}
