import { ProxyError } from '../../core/errors.js';
import type { KvStore } from '../../stores/kv-store.js';
import { SEALED_PREFIX, type SessionCipher } from './session-cipher.js';
import { sessionRecordSchema, type SessionRecord } from './session-record.js';

/** Session records over the string KvStore: JSON, optionally sealed, with the idle TTL refreshed on every write. */
export interface SessionStore {
  readonly kv: KvStore;
  load(id: string): Promise<SessionRecord | undefined>;
  save(id: string, record: SessionRecord): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface SessionStoreOptions {
  kv: KvStore;
  /** When set, values are sealed with AES-256-GCM; plaintext values are refused. */
  cipher?: SessionCipher;
  /** Idle sessions expire this long after their last write. */
  ttlMs: number;
}

export const sessionKey = (id: string): string => `session:${id}`;

export class UnreadableSessionError extends Error {
  constructor(id: string, reason: string) {
    super(`Stored session '${id}' cannot be read: ${reason}`);
    this.name = 'UnreadableSessionError';
  }
}

/** The store being down costs the request a 503 with retry-after, not a hang, a 500 or a silent stateless answer. */
export function sessionStoreUnavailable(cause: unknown): ProxyError {
  return new ProxyError('service_unavailable', 'The session store is unavailable; retry shortly.', { cause, headers: { 'retry-after': '1' } });
}

async function reach<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    throw sessionStoreUnavailable(error);
  }
}

export function createSessionStore({ kv, cipher, ttlMs }: SessionStoreOptions): SessionStore {
  const decode = (id: string, stored: string): SessionRecord => {
    let text = stored;
    if (cipher) {
      try {
        text = cipher.open(stored, sessionKey(id));
      } catch (error) {
        throw new UnreadableSessionError(id, (error as Error).message);
      }
    } else if (stored.startsWith(SEALED_PREFIX)) {
      throw new UnreadableSessionError(id, 'it is encrypted and no ENCRYPTION_KEY is configured');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UnreadableSessionError(id, 'not JSON');
    }
    const parsed = sessionRecordSchema.safeParse(json);
    if (!parsed.success) throw new UnreadableSessionError(id, parsed.error.message);
    return parsed.data;
  };
  return {
    kv,
    async load(id) {
      const stored = await reach(kv.get(sessionKey(id)));
      return stored === undefined ? undefined : decode(id, stored);
    },
    async save(id, record) {
      const text = JSON.stringify(record);
      await reach(kv.set(sessionKey(id), cipher ? cipher.seal(text, sessionKey(id)) : text, ttlMs));
    },
    async delete(id) {
      await reach(kv.delete(sessionKey(id)));
    },
  };
}
