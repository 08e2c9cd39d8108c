// The fleet bench's baseline: "today's" several-host set-up, a naive round-robin HTTP forwarder in front of the
// hosts (what nginx's default upstream does for POST: the next host in turn, no retry of a non-idempotent
// request). The proxy under the baseline gets OLLAMA_URL=<this forwarder>, so it sees one host. Listings
// (/api/tags, /api/ps) rotate like everything else. A host that refuses the connection answers 502.
import { Agent, createServer, request } from 'node:http';

export async function startRoundRobin(hostUrls) {
  const hosts = hostUrls.map((url) => new URL(url));
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  let turn = 0;
  const server = createServer((req, res) => {
    const target = hosts[turn++ % hosts.length];
    const outgoing = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
      (incoming) => {
        res.writeHead(incoming.statusCode ?? 502, incoming.headers);
        incoming.pipe(res);
      },
    );
    outgoing.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'bad gateway' }));
    });
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
