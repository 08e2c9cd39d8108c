// Ollama bound to loopback answers 403 with an empty body when the Host header names anything but
// a local address (allowedHostsMiddleware), and when a browser Origin is not in OLLAMA_ORIGINS.
// This is why a proxy must rewrite Host and strip Origin.
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon >= 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

function isLocalIp(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  const lower = ip.toLowerCase();
  return lower === '::1' || lower === '::' || lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('fe80');
}

function isOwnAddress(ip: string): boolean {
  return Object.values(networkInterfaces()).some((list) => (list ?? []).some((entry) => entry.address === ip));
}

export function isAllowedHost(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined || hostHeader === '') return true;
  const host = hostWithoutPort(hostHeader.toLowerCase());
  if (host === 'localhost' || host === hostname().toLowerCase()) return true;
  if (['.localhost', '.local', '.internal'].some((suffix) => host.endsWith(suffix))) return true;
  return isIP(host) !== 0 && (isLocalIp(host) || isOwnAddress(host));
}

const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|0\.0\.0\.0)(:\d+)?$/i;
const APP_SCHEMES = ['app://', 'file://', 'tauri://', 'vscode-webview://', 'vscode-file://'];

export function isAllowedOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  return LOCAL_ORIGIN.test(origin) || APP_SCHEMES.some((scheme) => origin.startsWith(scheme));
}
