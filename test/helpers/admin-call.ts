/** A request to a test app with a bearer key and a JSON body, as an operator's curl would send it. */
export type AdminCall = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;

export function adminCall(baseUrl: string, key: string): AdminCall {
  return (method, path, body, headers = {}) =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}
