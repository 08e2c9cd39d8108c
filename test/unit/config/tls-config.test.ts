import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load-config.js';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as ConfigError).problems;
  }
  return [];
};

describe('TLS configuration', () => {
  it('is off by default and TLS 1.3 only when on', () => {
    expect(loadConfig({}).tls).toEqual({ minVersion: 'TLSv1.3', watchIntervalMs: 1000 });
    expect(loadConfig({ TLS_CERT_FILE: '/c', TLS_KEY_FILE: '/k', TLS_CA_FILE: '/ca', TLS_MIN_VERSION: 'TLSv1.2' }).tls)
      .toEqual({ certFile: '/c', keyFile: '/k', caFile: '/ca', minVersion: 'TLSv1.2', watchIntervalMs: 1000 });
  });

  it('names the variables of an incomplete or unknown setting', () => {
    expect(problems({ TLS_KEY_FILE: '/k' })).toEqual(['TLS_CERT_FILE (tls.certFile): TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither']);
    expect(problems({ TLS_CA_FILE: '/ca' })).toEqual(['TLS_CA_FILE (tls.caFile): TLS_CA_FILE (client certificates) needs TLS_CERT_FILE and TLS_KEY_FILE']);
    expect(problems({ TLS_CERT_FILE: '/c', TLS_KEY_FILE: '/k', TLS_MIN_VERSION: 'TLSv1.1' })[0]).toMatch(/^TLS_MIN_VERSION \(tls.minVersion\)/);
  });
});
