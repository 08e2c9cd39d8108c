// The console's only way to the server: the public admin API with the signed-in credential as a bearer token.
// The credential lives in this closure (memory) only: no cookie, no Web Storage, so a reload signs out and no
// other page of the origin can use it (and with no cookie there is nothing for a cross-site request to ride on).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string, query?: Record<string, string | undefined>): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** POST with an NDJSON answer: calls onLine per line, resolves at the end. */
  stream(path: string, body: unknown, onLine: (line: Record<string, unknown>) => void): Promise<void>;
  /** GET that answers undefined on 404 (optional endpoints such as /api/v1/hosts). */
  optional<T>(path: string): Promise<T | undefined>;
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let message = `${response.status} ${response.statusText}`;
  let code: string | undefined;
  try {
    const body = JSON.parse(text) as { error?: { message?: string; code?: string } | string };
    if (typeof body.error === 'string') message = body.error;
    else if (body.error?.message) ({ message, code } = { message: body.error.message, code: body.error.code });
  } catch {
    if (text) message = text.slice(0, 300);
  }
  return new ApiError(response.status, message, code);
}

/** `onUnauthorized`: the credential stopped working (revoked, expired): the app signs out and says why. */
export function createApi(credential: string, onUnauthorized: (error: ApiError) => void): Api {
  const call = async (method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> => {
    const headers: Record<string, string> = { authorization: `Bearer ${credential}`, accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      credentials: 'omit',
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.ok) return response;
    const error = await toApiError(response);
    if (error.status === 401) onUnauthorized(error);
    throw error;
  };
  const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;
  return {
    async get(path, query) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(name, value);
      const search = params.toString();
      return json(await call('GET', search ? `${path}?${search}` : path));
    },
    async send(method, path, body) {
      return json(await call(method, path, body));
    },
    async optional(path) {
      try {
        return await json(await call('GET', path));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      }
    },
    async stream(path, body, onLine) {
      const response = await call('POST', path, body, 'application/x-ndjson');
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (value) buffered += value;
        const lines = buffered.split('\n');
        buffered = done ? '' : lines.pop()!;
        for (const line of lines) if (line.trim()) onLine(JSON.parse(line) as Record<string, unknown>);
        if (done) return;
      }
    },
  };
}

/** Checks a credential the way every page will use it: an admin-only call. */
export async function verifyCredential(credential: string): Promise<{ ok: true } | { ok: false; status: number; message: string }> {
  const response = await fetch('/api/v1/metrics/summary', { headers: { authorization: `Bearer ${credential}` }, credentials: 'omit', cache: 'no-store' });
  if (response.ok) return { ok: true };
  const error = await toApiError(response);
  return { ok: false, status: error.status, message: error.message };
}
