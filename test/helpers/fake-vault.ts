import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for HashiCorp Vault's HTTP API, written from its API documentation (developer.hashicorp.com/
// vault/api-docs): the KV v2 read (GET /v1/<mount>/data/<path>, answer {data:{data,metadata}}), AppRole
// login (POST /v1/auth/<mount>/login), token lookup-self and renew-self, the X-Vault-Token and
// X-Vault-Namespace headers, 403 {"errors":["permission denied"]}, 404 {"errors":[]}, and 503 while sealed.
// The shapes are those of Vault 1.9 and later (KV metadata carries custom_metadata). Real socket on 127.0.0.1:0.

export interface FakeVaultRequest { method: string; path: string; token?: string; namespace?: string; body: unknown }

interface TokenInfo { policies: string[]; paths: string[]; renewable: boolean; ttl: number; renewals: number }

export interface FakeVault {
  url: string;
  requests: FakeVaultRequest[];
  sealed: boolean;
  /** Namespace the secrets live in; requests without the header see nothing (403). */
  namespace: string | undefined;
  /** KV v2 secrets by API data path, e.g. 'secret/data/proxy'. */
  putSecret(dataPath: string, data: Record<string, unknown>): void;
  /** A token allowed to read the given data paths. */
  addToken(token: string, options: { paths: string[]; renewable?: boolean; ttl?: number }): void;
  /** An AppRole whose login yields a token for the given paths. */
  addAppRole(roleId: string, secretId: string, options: { paths: string[]; ttl?: number }): void;
  renewals(token: string): number;
  /** Emits 'request' (FakeVaultRequest) after each answer. */
  events: EventEmitter;
  close(): Promise<void>;
}

export async function startFakeVault(): Promise<FakeVault> {
  const secrets = new Map<string, { data: Record<string, unknown>; version: number; created: string }>();
  const tokens = new Map<string, TokenInfo>();
  const approles = new Map<string, { secretId: string; paths: string[]; ttl: number }>();
  const events = new EventEmitter();
  const state = { sealed: false, namespace: undefined as string | undefined };
  const requests: FakeVaultRequest[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const token = header(req, 'x-vault-token');
    const namespace = header(req, 'x-vault-namespace');
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(payload));
      const recorded: FakeVaultRequest = { method: req.method ?? '', path, body, ...(token ? { token } : {}), ...(namespace ? { namespace } : {}) };
      requests.push(recorded);
      events.emit('request', recorded);
    };
    if (state.sealed) return send(503, { errors: ['Vault is sealed'] });
    if (!path.startsWith('/v1/')) return send(404, { errors: [] });
    const apiPath = path.slice(4);
    const namespaceOk = state.namespace === undefined || namespace === state.namespace;
    const login = /^auth\/([^/]+)\/login$/.exec(apiPath);
    if (req.method === 'POST' && login && login[1] === 'approle') {
      const { role_id: roleId, secret_id: secretId } = (body ?? {}) as { role_id?: string; secret_id?: string };
      const role = roleId === undefined ? undefined : approles.get(roleId);
      if (!namespaceOk || role === undefined || role.secretId !== secretId) return send(400, { errors: ['invalid role or secret ID'] });
      const issued = `hvs.${randomBytes(18).toString('base64url')}`;
      tokens.set(issued, { policies: ['default', 'proxy'], paths: role.paths, renewable: true, ttl: role.ttl, renewals: 0 });
      return send(200, envelope({ auth: authBlock(issued, tokens.get(issued)!, { role_name: 'proxy' }) }));
    }
    const info = token === undefined || !namespaceOk ? undefined : tokens.get(token);
    if (info === undefined) return send(403, { errors: ['permission denied'] });
    if (req.method === 'GET' && apiPath === 'auth/token/lookup-self') {
      return send(200, envelope({ data: {
        accessor: 'acc', creation_time: 1_700_000_000, creation_ttl: info.ttl, display_name: 'token', entity_id: '',
        expire_time: info.ttl === 0 ? null : new Date(Date.now() + info.ttl * 1000).toISOString(), explicit_max_ttl: 0,
        id: token, meta: null, num_uses: 0, orphan: true, path: 'auth/token/create', policies: info.policies,
        renewable: info.renewable, ttl: info.ttl, type: 'service',
      } }));
    }
    if (req.method === 'POST' && apiPath === 'auth/token/renew-self') {
      if (!info.renewable) return send(400, { errors: ['lease is not renewable'] });
      info.renewals++;
      return send(200, envelope({ auth: authBlock(token!, info, null) }));
    }
    if (req.method === 'GET') {
      if (!info.paths.includes(apiPath)) return send(403, { errors: ['permission denied'] });
      const secret = secrets.get(apiPath);
      if (secret === undefined) return send(404, { errors: [] });
      return send(200, envelope({ data: {
        data: secret.data,
        metadata: { created_time: secret.created, custom_metadata: null, deletion_time: '', destroyed: false, version: secret.version },
      } }));
    }
    return send(405, { errors: ['1 error occurred:\n\t* unsupported operation\n\n'] });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        return res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: ['failed to parse JSON input'] }));
      }
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get sealed() { return state.sealed; },
    set sealed(value: boolean) { state.sealed = value; },
    get namespace() { return state.namespace; },
    set namespace(value: string | undefined) { state.namespace = value; },
    putSecret(dataPath, data) {
      const previous = secrets.get(dataPath);
      secrets.set(dataPath, { data, version: (previous?.version ?? 0) + 1, created: new Date().toISOString() });
    },
    addToken(token, options) {
      tokens.set(token, { policies: ['default'], paths: options.paths, renewable: options.renewable ?? false, ttl: options.ttl ?? 0, renewals: 0 });
    },
    addAppRole(roleId, secretId, options) {
      approles.set(roleId, { secretId, paths: options.paths, ttl: options.ttl ?? 3600 });
    },
    renewals: (token) => tokens.get(token)?.renewals ?? 0,
    events,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Vault wraps every answer in the same envelope. */
function envelope(fields: { data?: unknown; auth?: unknown }): Record<string, unknown> {
  return { request_id: randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data: null, wrap_info: null, warnings: null, auth: null, mount_type: '', ...fields };
}

function authBlock(token: string, info: TokenInfo, metadata: Record<string, string> | null): Record<string, unknown> {
  return {
    client_token: token, accessor: `acc-${token.slice(-6)}`, policies: info.policies, token_policies: info.policies,
    metadata, lease_duration: info.ttl, renewable: info.renewable, entity_id: randomUUID(), token_type: 'service',
    orphan: true, mfa_requirement: null, num_uses: 0,
  };
}
