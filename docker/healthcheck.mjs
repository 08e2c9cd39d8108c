// The image's HEALTHCHECK (liveness): GET /health on the local port, over HTTPS when TLS_CERT_FILE is set
// (the proxy then serves HTTPS only), else HTTP. The certificate names the public host, not 127.0.0.1, and
// nothing secret is sent, so it is not verified here. With client certificates required (TLS_CA_FILE) a request
// without one is refused, so only the TCP connection is checked. Exit 0 healthy, 1 not.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

const port = Number(process.env.PORT || 8000);
const tls = Boolean(process.env.TLS_CERT_FILE);
const timeoutMs = 4000;
const finish = (healthy) => process.exit(healthy ? 0 : 1);

if (tls && process.env.TLS_CA_FILE) {
  const socket = connect({ host: '127.0.0.1', port }, () => { socket.end(); finish(true); });
  socket.setTimeout(timeoutMs, () => finish(false));
  socket.on('error', () => finish(false));
} else {
  const request = (tls ? httpsRequest : httpRequest)(
    { host: '127.0.0.1', port, path: '/health', method: 'GET', timeout: timeoutMs, ...(tls ? { rejectUnauthorized: false } : {}) },
    (response) => { response.resume(); finish(response.statusCode === 200); },
  );
  request.on('timeout', () => request.destroy(new Error('timeout')));
  request.on('error', () => finish(false));
  request.end();
}
