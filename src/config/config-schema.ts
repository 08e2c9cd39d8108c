import { z } from 'zod';
import { tlsSchema } from './tls-config.js';

// The configuration contract. Environment variables (names below) override CONFIG_FILE (YAML or JSON),
// which holds structured settings. load-config.ts maps both onto this schema.

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform(
  (value) => value === true || value === 'true' || value === '1' || value === 'yes',
);
const httpUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));
const keepAlive = z.union([z.string(), z.number()]);

/** What /health/ready can depend on: each check backs one or more of these (see http/routes/health.ts). */
export const READINESS_FEATURES = ['ollama', 'keys', 'sessions', 'finetune', 'cache', 'rate_limits'] as const;

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

export const modelDefaultsSchema = z
  .object({
    /** Ollama `options` sent when the client does not set them (e.g. num_ctx: 32768). */
    options: z.record(z.string(), z.unknown()).default({}),
    keepAlive: keepAlive.optional(),
    /** Plugins enabled for every request to this model. */
    plugins: z.array(z.string()).default([]),
  })
  .strict();

export const rateLimitTierSchema = z
  .object({
    /** Requests per 60 s window (opened by the first request); a window admits requestsPerMinute + burst. */
    requestsPerMinute: positiveInt.default(600),
    burst: nonNegativeInt.default(0),
    /** Prompt + completion tokens per 60 s window (checked against an estimate, settled from real usage). */
    tokensPerMinute: positiveInt.default(1_000_000),
    concurrentStreams: positiveInt.optional(),
    tokensPerDay: positiveInt.optional(),
    tokensPerMonth: positiveInt.optional(),
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.coerce.number().int().min(0).max(65535).default(8000),
        /** Largest accepted JSON body (images make chat bodies large). */
        bodyLimit: z.string().default('20mb'),
        /** Deepest nesting of objects/arrays in a JSON body (and in JSON-encoded tool arguments); deeper → 400. */
        bodyMaxDepth: positiveInt.max(512).default(64),
        trustProxy: z.union([bool, z.coerce.number().int(), z.string()]).default(false),
        /** SSE `: ping` comment interval while waiting for the model. */
        heartbeatMs: positiveInt.default(15_000),
        /** How long SIGTERM waits for in-flight requests and streams. */
        shutdownGraceMs: nonNegativeInt.default(30_000),
        /** Features whose dependency must answer for /health/ready to be 200; the others are reported as degraded. */
        readyRequires: z.array(z.enum(READINESS_FEATURES)).default(['ollama', 'keys']),
      })
      .strict()
      .prefault({}),
    ollama: z
      .object({
        /** One or more Ollama hosts; requests are spread over the healthy ones. */
        urls: z.array(httpUrl).min(1).default(['http://127.0.0.1:11434']),
        connectTimeoutMs: positiveInt.default(10_000),
        /** Time to the response headers: includes loading a cold model. */
        headersTimeoutMs: positiveInt.default(300_000),
        /** Longest silence between two body chunks. */
        bodyTimeoutMs: positiveInt.default(300_000),
        /** Several hosts: how often each host's /api/tags and /api/ps are read (0 = only at start and after a miss). */
        refreshMs: nonNegativeInt.default(10_000),
        /** How long a host that failed is tried last. */
        hostCooldownMs: positiveInt.default(5_000),
        /** Several hosts: generation requests per model that wait while every host with the model is at maxParallel (0 = none). */
        queueSize: nonNegativeInt.default(0),
        /** Longest such wait before a 503 with retry-after. */
        queueWaitMs: positiveInt.default(30_000),
        /** Embeddings micro-batching: concurrent requests per model are sent as one call after this window (0 = off). */
        embedBatchWindowMs: nonNegativeInt.default(0),
        /** Most inputs in one batched call. */
        embedBatchMaxInputs: positiveInt.default(32),
        /** Per-host settings (CONFIG_FILE); when set, these are the hosts and `urls` is ignored. */
        hosts: z
          .array(
            z
              .object({
                url: httpUrl,
                name: z.string().min(1).optional(),
                maxParallel: positiveInt.optional(),
                weight: z.coerce.number().positive().optional(),
                models: z.array(z.string().min(1)).optional(),
              })
              .strict(),
          )
          .min(1)
          .optional(),
      })
      .strict()
      .prefault({}),
    dataDir: z.string().min(1).default('./data'),
    auth: z
      .object({
        masterKey: z.string().min(8, 'must be at least 8 characters').optional(),
        disabled: bool.default(false),
        jwtSecret: z.string().min(32, 'must be at least 32 characters').optional(),
        jwtTtlSeconds: positiveInt.default(3600),
        rotationGraceHours: nonNegativeInt.default(72),
        databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
        auditRetentionDays: positiveInt.default(30),
        /** Longest reuse of a successful key/token check; the store's change watch clears it sooner. 0 = off. */
        keyCacheTtlMs: nonNegativeInt.default(5_000),
      })
      .strict()
      .prefault({}),
    models: z
      .object({
        /** Client-facing name → Ollama model, e.g. deepseek-chat → deepseek-v3.1:671b. */
        aliases: z.record(z.string(), z.string()).default({}),
        /** Per-model defaults, keyed by Ollama model name or family prefix ("deepseek-r1"). */
        defaults: z.record(z.string(), modelDefaultsSchema).default({}),
        /** Model for endpoints where the client may omit it (/api/v1/chat). */
        defaultModel: z.string().optional(),
        /** How long the installed-model list is reused for alias resolution. */
        listCacheMs: nonNegativeInt.default(10_000),
        /** A prompt longer than the model's context: 400 context_length_exceeded, or let Ollama cut it (x-context-truncated). */
        contextOverflow: z.enum(['error', 'truncate']).default('error'),
        /** The Ollama server's default context (its OLLAMA_CONTEXT_LENGTH), so overflow is caught before Ollama cuts. */
        serverContextLength: positiveInt.optional(),
      })
      .strict()
      .prefault({}),
    redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
    /** Prefix of the rate-limit and response-cache keys in Redis; instances that share them use the same one. */
    redisKeyPrefix: z.string().default('oop:'),
    rateLimit: z
      .object({
        enabled: bool.default(true),
        failMode: z.enum(['open', 'closed']).default('open'),
        defaultTier: z.string().default('default'),
        tiers: z.record(z.string(), rateLimitTierSchema).default({}),
        /** Completion tokens assumed before the call when the request sets no max_tokens. */
        estimatedCompletionTokens: nonNegativeInt.default(256),
      })
      .strict()
      .prefault({}),
    cache: z
      .object({
        policy: z.enum(['off', 'deterministic', 'always']).default('deterministic'),
        ttlSeconds: positiveInt.default(3600),
        maxBytes: positiveInt.default(64 * 1024 * 1024),
        /** When true, every key shares one cache scope. */
        shareAcrossKeys: bool.default(false),
      })
      .strict()
      .prefault({}),
    memory: z
      .object({
        store: z.enum(['memory', 'sqlite', 'redis']).optional(),
        strategy: z.enum(['sliding', 'summary', 'hybrid']).default('sliding'),
        memorySize: positiveInt.default(4096),
        windowSize: positiveInt.default(2048),
        /**
         * When a session's window overflows, it drops its oldest turns in one block, down to this share of its
         * size, so prompts keep their start (and Ollama its KV cache) for several turns. 1 = one turn per turn.
         */
        lowWater: z.coerce.number().gt(0).lte(1).default(0.6),
        ttlSeconds: positiveInt.default(86_400),
        maxSessions: positiveInt.default(10_000),
        summarizerModel: z.string().optional(),
        /** 32 bytes as hex or base64: turns on AES-256-GCM for stored history. */
        encryptionKey: z
          .string()
          .refine((text) => decodeEncryptionKey(text) !== undefined, 'must be 32 bytes: 64 hex characters or 44 base64 characters')
          .optional(),
      })
      .strict()
      .refine((memory) => memory.windowSize <= memory.memorySize, { message: 'must not exceed memory.memorySize', path: ['windowSize'] })
      .prefault({}),
    plugins: z
      .object({
        /** Built-in plugin names or module paths, registered in this order. */
        enabled: z.array(z.string()).default([]),
        /** Also registered, but active only when a request, key (perKey) or model asks for them. */
        available: z.array(z.string()).default([]),
        maxToolRounds: positiveInt.default(5),
        perKey: z.record(z.string(), z.array(z.string())).default({}),
        codeInterpreter: z
          .object({
            enabled: bool.default(false),
            timeoutMs: positiveInt.default(5_000),
            memoryMb: positiveInt.default(128),
            maxOutputBytes: positiveInt.default(16_384),
            /** Sandbox processes alive at once (spares included); default the CPU count. */
            maxConcurrent: positiveInt.optional(),
            /** Runs waiting for a process; when full a run answers the model "busy". Default 4 × maxConcurrent. */
            maxQueued: nonNegativeInt.optional(),
            /** How executed code and its output are shown to the client. */
            show: z.enum(['reasoning', 'content', 'none']).default('reasoning'),
          })
          .strict()
          .prefault({}),
        piiRedaction: z
          .object({
            patterns: z.record(z.string(), z.string()).default({}),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(LOG_LEVELS).default('info'),
        format: z.enum(['json', 'pretty']).default('json'),
      })
      .strict()
      .prefault({}),
    finetune: z
      .object({
        /** Shell command of the `adapter` trainer (produces a LoRA adapter); unset: only `modelfile` is offered. */
        adapterCommand: z.string().min(1).optional(),
        adapterTimeoutMs: positiveInt.default(6 * 3_600_000),
        /** When set, local training_data paths must lie inside this directory. */
        dataDir: z.string().min(1).optional(),
        maxTrainingBytes: positiveInt.default(50 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        enabled: bool.default(true),
        /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
        token: z.string().optional(),
      })
      .strict()
      .prefault({}),
    tls: tlsSchema.prefault({}),
  })
  .strict()
  .refine((config) => config.memory.store !== 'redis' || config.redisUrl !== undefined, {
    message: "'redis' needs REDIS_URL",
    path: ['memory', 'store'],
  });

/** ENCRYPTION_KEY → the 32 key bytes (hex or base64, standard or URL-safe); undefined when it is neither. */
export function decodeEncryptionKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

export type Config = z.infer<typeof configSchema>;
export type ModelDefaults = z.infer<typeof modelDefaultsSchema>;
export type RateLimitTier = z.infer<typeof rateLimitTierSchema>;
