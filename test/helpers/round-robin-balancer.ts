import { connect, createServer, type Socket } from 'node:net';

// A tiny TCP load balancer on loopback, as a gateway in front of several proxy instances would be: each
// client connection goes to the next backend in turn; a backend that refuses the connection (a killed
// instance) is skipped, the way a balancer retries a failed connect. It records which backend served each
// client connection (by the client's port), so a test can tell which instance answered.

export interface Balancer {
  port: number;
  /** Backend index per client source port. */
  servedBy(clientPort: number): number | undefined;
  /** Connections each backend received. */
  counts: number[];
  close(): Promise<void>;
}

export async function startRoundRobinBalancer(backendPorts: readonly number[]): Promise<Balancer> {
  let turn = 0;
  const served = new Map<number, number>();
  const counts = backendPorts.map(() => 0);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    client.pause();
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const attempt = (tries: number) => {
      if (tries >= backendPorts.length || client.destroyed) return void client.destroy();
      const index = turn++ % backendPorts.length;
      const upstream = connect(backendPorts[index]!, '127.0.0.1');
      sockets.add(upstream);
      upstream.once('error', () => attempt(tries + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => { sockets.delete(upstream); client.destroy(); });
        client.on('close', () => upstream.destroy());
        if (client.remotePort !== undefined) served.set(client.remotePort, index);
        counts[index]!++;
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    servedBy: (clientPort) => served.get(clientPort),
    counts,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
