import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export type ClientAddress = (req: IncomingMessage) => string | undefined;

/**
 * The client's address under TRUST_PROXY, as Express computes req.ip for the same setting: false → the socket's
 * peer; true → the left-most X-Forwarded-For entry; a number → that many proxy hops; a string → trusted addresses
 * or subnets ('loopback', '10.0.0.0/8, 172.16.0.0/12'). Compiled once; the hot routes run without Express' req.ip.
 */
export function clientAddressReader(trustProxy: boolean | number | string): ClientAddress {
  if (trustProxy === false) return (req) => req.socket.remoteAddress;
  const trust: (address: string, hop: number) => boolean =
    trustProxy === true ? () => true
    : typeof trustProxy === 'number' ? (_address, hop) => hop < trustProxy
    : proxyaddr.compile(trustProxy.split(',').map((entry) => entry.trim()));
  return (req) => proxyaddr(req, trust);
}
