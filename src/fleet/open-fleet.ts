import type { Config } from '../config/config-schema.js';
import type { FleetHost } from './fleet-host.js';
import { createFleet, type Fleet, type ReadHostJson } from './host-registry.js';

// The fleet from configuration: `ollama.hosts` (CONFIG_FILE, per-host settings) or the OLLAMA_URL list, with
// its background refresh started. One host needs no refresh: it gets every request anyway.

/** GET url+path as JSON with the global fetch; a non-2xx answer is an error. */
export const fetchHostJson: ReadHostJson = async (url, path, signal) => {
  const response = await fetch(url + path, { signal, headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${path}`);
  return response.json();
};

export function openFleet(config: Config['ollama'], onRefreshError?: (host: FleetHost, error: unknown) => void, read: ReadHostJson = fetchHostJson): Fleet {
  const hosts = config.hosts ?? config.urls.map((url) => ({ url }));
  const fleet = createFleet({
    hosts,
    read,
    refreshMs: config.refreshMs,
    cooldownMs: config.hostCooldownMs,
    queueSize: config.queueSize,
    queueWaitMs: config.queueWaitMs,
    refreshTimeoutMs: Math.min(config.connectTimeoutMs + 5_000, 30_000),
    ...(onRefreshError ? { onRefreshError } : {}),
  });
  if (fleet.hosts.length > 1) fleet.start();
  return fleet;
}
