import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema, type Config } from './config-schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
type Json = Record<string, unknown>;

/** Environment variable → path in the config object. Env wins over CONFIG_FILE. */
const ENV_PATHS: Record<string, string> = {
  HOST: 'server.host',
  PORT: 'server.port',
  BODY_LIMIT: 'server.bodyLimit',
  BODY_MAX_DEPTH: 'server.bodyMaxDepth',
  TRUST_PROXY: 'server.trustProxy',
  SHUTDOWN_GRACE_MS: 'server.shutdownGraceMs',
  READY_REQUIRES: 'server.readyRequires',
  HEARTBEAT_MS: 'server.heartbeatMs',
  OLLAMA_URL: 'ollama.urls',
  OLLAMA_HEADERS_TIMEOUT_MS: 'ollama.headersTimeoutMs',
  OLLAMA_BODY_TIMEOUT_MS: 'ollama.bodyTimeoutMs',
  OLLAMA_CONNECT_TIMEOUT_MS: 'ollama.connectTimeoutMs',
  OLLAMA_REFRESH_MS: 'ollama.refreshMs',
  OLLAMA_HOST_COOLDOWN_MS: 'ollama.hostCooldownMs',
  OLLAMA_QUEUE_SIZE: 'ollama.queueSize',
  OLLAMA_QUEUE_WAIT_MS: 'ollama.queueWaitMs',
  EMBED_BATCH_WINDOW_MS: 'ollama.embedBatchWindowMs',
  EMBED_BATCH_MAX_INPUTS: 'ollama.embedBatchMaxInputs',
  DATA_DIR: 'dataDir',
  MASTER_KEY: 'auth.masterKey',
  AUTH_DISABLED: 'auth.disabled',
  JWT_SECRET: 'auth.jwtSecret',
  JWT_TTL_SECONDS: 'auth.jwtTtlSeconds',
  KEY_ROTATION_GRACE_HOURS: 'auth.rotationGraceHours',
  DATABASE_URL: 'auth.databaseUrl',
  AUDIT_RETENTION_DAYS: 'auth.auditRetentionDays',
  KEY_CACHE_TTL_MS: 'auth.keyCacheTtlMs',
  DEFAULT_MODEL: 'models.defaultModel',
  CONTEXT_OVERFLOW: 'models.contextOverflow',
  OLLAMA_CONTEXT_LENGTH: 'models.serverContextLength',
  REDIS_URL: 'redisUrl',
  REDIS_KEY_PREFIX: 'redisKeyPrefix',
  RATE_LIMIT_ENABLED: 'rateLimit.enabled',
  RATE_LIMIT_FAIL_MODE: 'rateLimit.failMode',
  RATE_LIMIT_DEFAULT_TIER: 'rateLimit.defaultTier',
  CACHE_POLICY: 'cache.policy',
  CACHE_TTL_SECONDS: 'cache.ttlSeconds',
  CACHE_MAX_BYTES: 'cache.maxBytes',
  CACHE_SHARE_ACROSS_KEYS: 'cache.shareAcrossKeys',
  MEMORY_STORE: 'memory.store',
  MEMORY_STRATEGY: 'memory.strategy',
  MEMORY_SIZE: 'memory.memorySize',
  MEMORY_WINDOW_SIZE: 'memory.windowSize',
  MEMORY_WINDOW_LOW_WATER: 'memory.lowWater',
  MEMORY_MAX_SESSIONS: 'memory.maxSessions',
  MEMORY_TTL_SECONDS: 'memory.ttlSeconds',
  SUMMARIZER_MODEL: 'memory.summarizerModel',
  ENCRYPTION_KEY: 'memory.encryptionKey',
  PLUGINS: 'plugins.enabled',
  PLUGINS_AVAILABLE: 'plugins.available',
  PLUGIN_MAX_TOOL_ROUNDS: 'plugins.maxToolRounds',
  CODE_INTERPRETER_ENABLED: 'plugins.codeInterpreter.enabled',
  CODE_INTERPRETER_SHOW: 'plugins.codeInterpreter.show',
  CODE_INTERPRETER_TIMEOUT_MS: 'plugins.codeInterpreter.timeoutMs',
  CODE_INTERPRETER_MEMORY_MB: 'plugins.codeInterpreter.memoryMb',
  CODE_INTERPRETER_MAX_OUTPUT_BYTES: 'plugins.codeInterpreter.maxOutputBytes',
  CODE_INTERPRETER_MAX_CONCURRENT: 'plugins.codeInterpreter.maxConcurrent',
  CODE_INTERPRETER_MAX_QUEUED: 'plugins.codeInterpreter.maxQueued',
  LOG_LEVEL: 'log.level',
  LOG_FORMAT: 'log.format',
  METRICS_ENABLED: 'metrics.enabled',
  METRICS_TOKEN: 'metrics.token',
  FINETUNE_ADAPTER_COMMAND: 'finetune.adapterCommand',
  FINETUNE_ADAPTER_TIMEOUT_MS: 'finetune.adapterTimeoutMs',
  FINETUNE_DATA_DIR: 'finetune.dataDir',
  FINETUNE_MAX_BYTES: 'finetune.maxTrainingBytes',
  TLS_CERT_FILE: 'tls.certFile',
  TLS_KEY_FILE: 'tls.keyFile',
  TLS_CA_FILE: 'tls.caFile',
  TLS_MIN_VERSION: 'tls.minVersion',
  TLS_WATCH_INTERVAL_MS: 'tls.watchIntervalMs',
};

/** Variables whose value is a comma-separated list. */
const LIST_VARIABLES = new Set(['OLLAMA_URL', 'PLUGINS', 'PLUGINS_AVAILABLE', 'READY_REQUIRES']);

export interface LoadConfigOptions {
  readFile?: (path: string) => string;
}

/** Parses env + CONFIG_FILE, reports every problem at once, and returns a deep-frozen Config. */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const problems: string[] = [];
  const raw = readConfigFile(env.CONFIG_FILE, readFile, problems);
  for (const [name, path] of Object.entries(ENV_PATHS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const parsed = LIST_VARIABLES.has(name) ? value.split(',').map((item) => item.trim()).filter(Boolean) : value;
    setPath(raw, path, parsed);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${describePath(issue.path)}: ${issue.message}`);
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return deepFreeze(result.data);
}

function readConfigFile(path: string | undefined, readFile: (path: string) => string, problems: string[]): Json {
  if (!path) return {};
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    problems.push(`CONFIG_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return {};
  }
  try {
    const parsed: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Json;
    problems.push(`CONFIG_FILE: ${path} must hold an object at the top level`);
  } catch (error) {
    problems.push(`CONFIG_FILE: ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  return {};
}

function setPath(target: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1]!] = value;
}

const PATH_TO_ENV = new Map(Object.entries(ENV_PATHS).map(([name, path]) => [path, name]));

function describePath(path: readonly PropertyKey[]): string {
  const dotted = path.map(String).join('.');
  for (let length = path.length; length > 0; length--) {
    const name = PATH_TO_ENV.get(path.slice(0, length).map(String).join('.'));
    if (name) return `${name} (${dotted})`;
  }
  return dotted || '(root)';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
