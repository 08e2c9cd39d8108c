import { decodeNdjson } from '../shared/ndjson.js';

// The CLI's HTTP client for a running proxy's operations API (/api/v1/…), authenticated with an admin key.

export interface ProxyClientOptions {
  url: string;
  key: string | undefined;
}

type Json = Record<string, unknown>;

export class ProxyRequestError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'ProxyRequestError';
  }
}

function errorMessage(body: unknown, status: number): string {
  const error = (body as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
}

export function createProxyClient(options: ProxyClientOptions) {
  const base = options.url.replace(/\/+$/, '');
  const send = async (method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> => {
    const headers: Record<string, string> = { accept };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ProxyRequestError(`cannot reach the proxy at ${base} (${reason}); is it running? Set PROXY_URL or --url.`);
    }
    if (!res.ok) throw new ProxyRequestError(errorMessage(await res.json().catch(() => null), res.status), res.status);
    return res;
  };
  return {
    json: async (method: string, path: string, body?: unknown): Promise<Json> => (await (await send(method, path, body)).json()) as Json,
    /** NDJSON lines; a final `{"error"}` line (the stream had already started) is thrown. */
    async *lines(method: string, path: string, body: unknown): AsyncGenerator<Json> {
      const res = await send(method, path, body, 'application/x-ndjson');
      if (!res.body) return;
      for await (const value of decodeNdjson(res.body)) {
        const line = value as Json;
        if (line.error !== undefined) throw new ProxyRequestError(errorMessage(line, 200));
        yield line;
      }
    },
  };
}
