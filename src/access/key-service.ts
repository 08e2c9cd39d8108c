import { InvalidRequestError, NotFoundError, ProxyError } from '../core/errors.js';
import type { ApiKeyPatch, ApiKeyRecord, KeyStore, UsageQuery, UsageRow } from '../stores/key-store.js';
import { generateApiKey, hashApiKey, looksLikeApiKey, newKeyId } from './api-key.js';
import { keyStatus, toApiKeyView, type ApiKeyView } from './api-key-view.js';
import { toKeyPatch, type CreateKeyInput, type KeySettingsInput } from './key-input.js';

export type { UsageQuery, UsageRow } from '../stores/key-store.js';

// The key operations shared by the admin API, the CLI and authentication. Returns public views (no
// hashes); a secret leaves this module only once, from createKey or rotateKey.

export interface KeyServiceOptions {
  store: KeyStore;
  now?: () => Date;
  /** How long the old secret keeps working after a rotation (default 72 h). */
  rotationGraceMs?: number;
  /** last-used-at is written at most this often per key (default 60 s), keeping authentication cheap. */
  touchIntervalMs?: number;
  /** Rate-limit tiers a key may name; unset means any name is accepted. */
  tiers?: readonly string[];
}

export interface KeyWithSecret {
  key: ApiKeyView;
  /** Shown once; only its hash is stored. */
  secret: string;
}

export interface KeyService {
  createKey(input: CreateKeyInput): Promise<KeyWithSecret>;
  /** Creates the key only when the store holds none (first-start bootstrap); null when keys exist. */
  createFirstKey(input: CreateKeyInput): Promise<KeyWithSecret | null>;
  listKeys(): Promise<ApiKeyView[]>;
  getKey(id: string): Promise<ApiKeyView>;
  updateKey(id: string, input: KeySettingsInput): Promise<ApiKeyView>;
  revokeKey(id: string): Promise<ApiKeyView>;
  rotateKey(id: string, graceMs?: number): Promise<KeyWithSecret>;
  keyUsage(id: string, query?: UsageQuery): Promise<UsageRow[]>;
  countKeys(): Promise<number>;
  /** The usable (not revoked, not expired) key this secret belongs to, or null. */
  authenticateSecret(secret: string, now?: Date): Promise<ApiKeyRecord | null>;
  /** The key behind a token subject, or null when it no longer exists, is revoked or has expired. */
  findUsableKey(id: string, now?: Date): Promise<ApiKeyRecord | null>;
}

const DEFAULT_GRACE_MS = 72 * 3_600_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function createKeyService(options: KeyServiceOptions): KeyService {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const touchIntervalMs = options.touchIntervalMs ?? 60_000;
  const lastTouched = new Map<string, number>();

  async function requireKey(id: string): Promise<ApiKeyRecord> {
    const record = await store.get(id);
    if (record === null) throw new NotFoundError(`No API key with id '${id}'.`);
    return record;
  }

  async function touch(record: ApiKeyRecord, at: Date): Promise<void> {
    const previous = lastTouched.get(record.id);
    if (previous !== undefined && at.getTime() - previous < touchIntervalMs) return;
    lastTouched.set(record.id, at.getTime());
    await store.touch(record.id, at);
  }

  const usable = (record: ApiKeyRecord | null, at: Date): ApiKeyRecord | null =>
    record !== null && keyStatus(record, at) === 'active' ? record : null;

  const toPatch = (input: KeySettingsInput, at: Date): ApiKeyPatch => {
    const patch = toKeyPatch(input, at);
    if (typeof patch.tier === 'string' && options.tiers !== undefined && !options.tiers.includes(patch.tier)) {
      throw new InvalidRequestError(`Unknown rate-limit tier '${patch.tier}'; configured tiers: ${options.tiers.join(', ')}.`, 'tier');
    }
    return patch;
  };

  const newKey = (input: CreateKeyInput): { record: ApiKeyRecord; secret: string } => {
    const createdAt = now();
    const settings = toPatch(input, createdAt);
    const generated = generateApiKey();
    const record: ApiKeyRecord = {
      id: newKeyId(), name: settings.name ?? input.name, hash: generated.hash, prefix: generated.prefix,
      scopes: settings.scopes ?? [], models: settings.models ?? null, tier: settings.tier ?? null, limits: settings.limits ?? null,
      metadata: settings.metadata ?? {}, createdAt, expiresAt: settings.expiresAt ?? null, revokedAt: null,
      lastUsedAt: null, previousHash: null, previousHashExpiresAt: null,
    };
    return { record, secret: generated.secret };
  };

  return {
    async createKey(input) {
      const { record, secret } = newKey(input);
      await store.create(record);
      return { key: toApiKeyView(record, record.createdAt), secret };
    },
    async createFirstKey(input) {
      const { record, secret } = newKey(input);
      if (!(await store.createIfEmpty(record))) return null;
      return { key: toApiKeyView(record, record.createdAt), secret };
    },
    async listKeys() {
      const at = now();
      return (await store.list()).map((record) => toApiKeyView(record, at));
    },
    async getKey(id) {
      return toApiKeyView(await requireKey(id), now());
    },
    async updateKey(id, input) {
      const at = now();
      const updated = await store.update(id, toPatch(input, at));
      if (updated === null) throw new NotFoundError(`No API key with id '${id}'.`);
      return toApiKeyView(updated, at);
    },
    async revokeKey(id) {
      const at = now();
      const revoked = await store.revoke(id, at);
      if (revoked === null) throw new NotFoundError(`No API key with id '${id}'.`);
      return toApiKeyView(revoked, at);
    },
    async rotateKey(id, graceMs = options.rotationGraceMs ?? DEFAULT_GRACE_MS) {
      const at = now();
      const current = await requireKey(id);
      if (current.revokedAt !== null) throw new ProxyError('conflict', `API key '${id}' is revoked and cannot be rotated.`);
      const generated = generateApiKey();
      const rotated = await store.rotate(id, generated.hash, generated.prefix, new Date(at.getTime() + graceMs));
      if (rotated === null) throw new NotFoundError(`No API key with id '${id}'.`);
      return { key: toApiKeyView(rotated, at), secret: generated.secret };
    },
    async keyUsage(id, query = {}) {
      await requireKey(id);
      for (const [param, day] of Object.entries(query)) {
        if (!DAY.test(day)) throw new InvalidRequestError(`'${param}' must be a day as YYYY-MM-DD.`, param);
      }
      return store.usage(id, query);
    },
    countKeys: () => store.count(),
    async authenticateSecret(secret, at = now()) {
      if (!looksLikeApiKey(secret)) return null;
      const record = usable(await store.findByHash(hashApiKey(secret), at), at);
      if (record !== null) await touch(record, at);
      return record;
    },
    async findUsableKey(id, at = now()) {
      const record = usable(await store.get(id), at);
      if (record !== null) await touch(record, at);
      return record;
    },
  };
}
