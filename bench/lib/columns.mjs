// Starting the servers under test. Each column gets a fresh upstream and a fresh server, each in its own
// process: (a) the fake upstream itself, (b) the node:http forwarder, (c)/(d) this proxy, (e) Portkey's gateway.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTarget } from './requests.mjs';
import { freePort, startChild } from './servers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const at = (path) => join(ROOT, path);
const MASTER_KEY = 'bench-master-key-0123456789abcdef';

export const COLUMNS = [
  { id: 'a', label: '(a) upstream direct' },
  { id: 'b', label: '(b) node:http forwarder' },
  { id: 'c', label: '(c) this proxy' },
  { id: 'd', label: '(d) proxy, cache hit' },
  { id: 'e', label: '(e) Portkey 1.15.2' },
];

/** Production defaults with cache off; rate limiting on, with a tier (requests and tokens per minute) so high it never refuses: its cost is measured, not its 429s. */
export const PROXY_DEFAULT_ENV = {
  LOG_LEVEL: 'info',
  RATE_LIMIT_ENABLED: 'true',
  METRICS_ENABLED: 'true',
  CACHE_POLICY: 'off',
};

export function createLauncher({ upstream, tmpDir }) {
  let serial = 0;
  const upstreamArgs = upstream === 'bench' ? [at('bench/fast-upstream.mjs'), '0'] : [at('bench/.build/bench/fake-upstream.js')];

  const startUpstream = (env = {}) => startChild({ name: `upstream (${upstream})`, args: upstreamArgs, env, stdout: 'pipe' });

  const startForwarder = (upstreamUrl) => startChild({ name: 'forwarder', args: [at('bench/forwarder.mjs'), '0', upstreamUrl] });

  /** Tries an issued API key (keys CLI + key store in DATA_DIR); falls back to MASTER_KEY if the CLI or the server cannot use it. */
  function createApiKey(env) {
    try {
      const out = execFileSync(process.execPath, [at('dist/cli/main.js'), 'keys', 'create', '--name', 'bench', '--scopes', 'chat', '--json'], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 20_000,
      });
      const secret = JSON.parse(out.toString('utf8')).secret;
      return typeof secret === 'string' ? secret : undefined;
    } catch {
      return undefined;
    }
  }

  async function isAuthorized(url, headers) {
    const probe = makeTarget({ kind: 'openai', url, headers });
    const response = await fetch(new URL(probe.path, url), { method: 'POST', headers: { 'content-type': 'application/json', ...probe.headers }, body: probe.body });
    await response.arrayBuffer();
    return response.status === 200;
  }

  /** The proxy with production defaults plus `env` overrides. Returns the child, its auth headers and facts about the set-up. */
  async function startProxy(upstreamUrl, { env = {}, nodeArgs = [], label = 'proxy' } = {}) {
    const id = ++serial;
    const dataDir = join(tmpDir, `data-${id}`);
    const configFile = join(tmpDir, `config-${id}.json`);
    writeFileSync(configFile, JSON.stringify({ rateLimit: { tiers: { default: { requestsPerMinute: 1_000_000_000, tokensPerMinute: 1_000_000_000_000 } } } }));
    const port = await freePort();
    const logFile = join(tmpDir, `${label.replace(/\W+/g, '-')}-${id}.log`);
    // Without auth there is no MASTER_KEY either (an empty variable counts as unset), as an operator would run it.
    const masterKey = env.AUTH_DISABLED === 'true' ? '' : MASTER_KEY;
    const fullEnv = { HOST: '127.0.0.1', PORT: String(port), OLLAMA_URL: upstreamUrl, MASTER_KEY: masterKey, DATA_DIR: dataDir, CONFIG_FILE: configFile, SHUTDOWN_GRACE_MS: '500', ...PROXY_DEFAULT_ENV, ...env };
    const apiKey = fullEnv.AUTH_DISABLED === 'true' ? undefined : createApiKey(fullEnv);
    const child = await startChild({ name: label, args: [...nodeArgs, at('dist/main.js')], env: fullEnv, port, readyPath: '/health', stdout: logFile });
    let auth = 'master-key';
    let headers = { authorization: `Bearer ${MASTER_KEY}` };
    if (fullEnv.AUTH_DISABLED === 'true') {
      if (!(await isAuthorized(child.url, {}))) {
        await child.stop();
        throw new Error(`${label}: requests without a key are refused although AUTH_DISABLED=true`);
      }
      [auth, headers] = ['disabled', {}];
    } else if (apiKey && (await isAuthorized(child.url, { authorization: `Bearer ${apiKey}` }))) {
      [auth, headers] = ['api-key', { authorization: `Bearer ${apiKey}` }];
    }
    return { child, headers, setup: { auth, logFile, env: { ...PROXY_DEFAULT_ENV, ...env } } };
  }

  async function startPortkey() {
    const port = await freePort();
    return startChild({ name: 'portkey', args: [at('bench/portkey-server.mjs'), `--port=${port}`, '--headless'], port, readyPath: '/', stdout: 'ignore' });
  }

  return { startUpstream, startForwarder, startProxy, startPortkey };
}

/** Facts about the proxy's features as a client sees them: rate-limit headers present, /metrics served. */
export async function probeProxyFeatures(url, headers) {
  const probe = makeTarget({ kind: 'openai', url, headers });
  const response = await fetch(new URL(probe.path, url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: probe.body });
  await response.arrayBuffer();
  const metrics = await fetch(new URL('/metrics', url), { headers });
  await metrics.arrayBuffer();
  return {
    rateLimitHeaders: response.headers.has('x-ratelimit-limit-requests'),
    xCache: response.headers.get('x-cache'),
    metricsStatus: metrics.status,
  };
}

export const portkeyHeaders = (upstreamUrl) => ({ 'x-portkey-provider': 'ollama', 'x-portkey-custom-host': upstreamUrl });
