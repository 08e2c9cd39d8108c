import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createServer as createPlainServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer, type Server as HttpsServer, type ServerOptions } from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import type { Socket } from 'node:net';
import type { TlsConfig } from './config/tls-config.js';
import type { Logger } from './core/logger.js';
import { clientErrorResponse, type ParserError } from './http/client-error-response.js';

// The listening socket: plain HTTP, or HTTPS when TLS_CERT_FILE/TLS_KEY_FILE are set (TLS 1.3 only unless
// TLS_MIN_VERSION=TLSv1.2; client certificates required when TLS_CA_FILE is set). The same Node http server
// underneath, so keep-alive, SSE and graceful shutdown behave alike. Certificates are reloaded on SIGHUP
// (main.ts calls reloadTls) or when a file changes; setSecureContext applies to new handshakes only, so
// open connections and streams carry on. A half-written pair (new cert, old key) is refused and the previous
// context stays until the pair matches again.

export interface ProxyServer {
  server: Server;
  scheme: 'http' | 'https';
  /** Re-reads the certificate files; false (and a log line) when they are unreadable or do not match. */
  reloadTls(): boolean;
  /** Stops watching the certificate files. */
  stopWatching(): void;
}

export interface CreateHttpServerDeps {
  logger: Logger;
  readFile?: (path: string) => Buffer;
}

/**
 * Requests Node's parser refuses before any route runs get a JSON error in their protocol's shape (400, 431
 * for oversized headers, 408 for a request too slow to arrive) and the connection closes. A socket that is
 * gone, or that already carries a response, is only destroyed: nothing is written into the middle of another
 * answer.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: Error & ParserError, socket: Socket) => {
    // Node's own rule: the response in progress on this socket (a request whose body failed to parse) may be
    // replaced only while none of it has been sent.
    const busy = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage?.headersSent === true;
    if (error.code === 'ECONNRESET' || !socket.writable || busy) return void socket.destroy();
    socket.end(clientErrorResponse(error));
  });
}

export function createHttpServer(listener: RequestListener, tls: TlsConfig, deps: CreateHttpServerDeps): ProxyServer {
  if (tls.certFile === undefined || tls.keyFile === undefined) {
    const server = createPlainServer(listener);
    answerClientErrors(server);
    return { server, scheme: 'http', reloadTls: () => false, stopWatching: () => undefined };
  }
  const read = deps.readFile ?? ((path: string) => readFileSync(path));
  const files = { cert: tls.certFile, key: tls.keyFile, ...(tls.caFile ? { ca: tls.caFile } : {}) };
  const material = (): SecureContextOptions => ({
    cert: read(files.cert),
    key: read(files.key),
    ...(files.ca ? { ca: read(files.ca) } : {}),
    minVersion: tls.minVersion,
  });
  const mutual = files.ca !== undefined;
  let initial: ServerOptions;
  try {
    initial = { ...material(), requestCert: mutual, rejectUnauthorized: mutual };
  } catch (error) {
    throw new Error(`cannot read the TLS files (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE): ${(error as Error).message}`);
  }
  let server: HttpsServer;
  try {
    server = createTlsServer(initial, listener);
  } catch (error) {
    throw new Error(`the TLS certificate or key is not usable: ${(error as Error).message}`);
  }
  answerClientErrors(server);
  const reloadTls = (): boolean => {
    try {
      server.setSecureContext(material());
      deps.logger.info('TLS certificate reloaded', { certFile: files.cert });
      return true;
    } catch (error) {
      deps.logger.error('TLS certificate reload failed; keeping the previous one', { certFile: files.cert, error: (error as Error).message });
      return false;
    }
  };
  // stat polling follows symlinks, so a Kubernetes secret volume's atomic `..data` swap is seen too.
  const paths = Object.values(files);
  const onChange = (current: Stats, previous: Stats) => {
    if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino || current.size !== previous.size) reloadTls();
  };
  for (const path of paths) watchFile(path, { interval: tls.watchIntervalMs, persistent: false }, onChange);
  return {
    server,
    scheme: 'https',
    reloadTls,
    stopWatching: () => paths.forEach((path) => unwatchFile(path, onChange)),
  };
}
