// Column (b): the floor cost of one extra hop. A node:http server that pipes each request to the upstream
// and the response back, byte for byte: no parsing, no translation, no features. For streams it forwards the
// upstream's NDJSON as is (the proxy, by contrast, translates NDJSON into OpenAI SSE).
// Run as a child: `node bench/forwarder.mjs <port> <upstream-url>`; prints `listening <port>` when ready.
import { Agent, createServer, request } from 'node:http';

const upstream = new URL(process.argv[3] ?? 'http://127.0.0.1:11434');
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

const server = createServer((req, res) => {
  const headers = { ...req.headers, host: upstream.host };
  const outgoing = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
    (incoming) => {
      res.writeHead(incoming.statusCode ?? 502, incoming.headers);
      incoming.pipe(res);
    },
  );
  outgoing.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  res.on('close', () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  req.pipe(outgoing);
});
server.keepAliveTimeout = 65_000;
server.requestTimeout = 0;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
