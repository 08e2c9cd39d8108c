import type { MemorySettings } from '../../core/session-directory.js';
import type { KvStore } from '../../stores/kv-store.js';
import { createTokenEstimator } from '../memory-strategies/token-estimator.js';
import { createSessionCipher } from './session-cipher.js';
import { createSessionLock } from './session-lock.js';
import { createSessionRegistry, type SessionRegistry } from './session-registry.js';
import { createSessionStore } from './session-store.js';

export interface CreateSessionsOptions {
  kv: KvStore;
  /** 32 bytes: stored history is sealed with AES-256-GCM. */
  encryptionKey?: Uint8Array | undefined;
  /** Idle sessions expire after this long. */
  ttlMs: number;
  defaults: MemorySettings;
}

/** Everything session memory and the context API share, over one KvStore. */
export function createSessions(options: CreateSessionsOptions): SessionRegistry {
  const { kv, encryptionKey } = options;
  const store = createSessionStore({ kv, ttlMs: options.ttlMs, ...(encryptionKey ? { cipher: createSessionCipher(encryptionKey) } : {}) });
  // A store other processes can reach (Redis, an SQLite file) needs a lock they respect too.
  const lock = createSessionLock(kv.kind === 'memory' ? {} : { shared: kv });
  return createSessionRegistry({ store, lock, estimator: createTokenEstimator(), defaults: options.defaults });
}
