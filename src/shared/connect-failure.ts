// Whether a failed upstream request reached the host at all: one answer for the Ollama transport and the native
// passthrough, so both move on to the next host (and rest the failed one) in the same cases.

/** The connection was never made: refused, unresolvable, unroutable, or undici's connect timeout. */
const CONNECT_FAILURE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * The request never reached the host, so another host may safely take it. ETIMEDOUT counts when it is the
 * operating system giving up on the connection (syscall `connect`, or an aggregate of connect attempts with no
 * syscall); a timeout reading from an established connection (syscall `read`) does not.
 */
export function isConnectFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, syscall, cause } = current as { code?: unknown; syscall?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      if (CONNECT_FAILURE_CODES.has(code)) return true;
      if (code === 'ETIMEDOUT' && (syscall === undefined || syscall === 'connect')) return true;
    }
    current = cause;
  }
  return false;
}

/** Codes of the error and its causes (fetch nests the socket error one or two levels down). */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') codes.push(code);
    current = cause;
  }
  return codes;
}
