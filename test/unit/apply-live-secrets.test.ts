import { describe, expect, it } from 'vitest';
import { liveSecretsApplier } from '../../src/apply-live-secrets.js';
import { ConfigError } from '../../src/config/load-config.js';

function setup() {
  const redacted: string[] = [];
  const rotations: unknown[] = [];
  const apply = liveSecretsApplier({ access: { rotateSecrets: (changed) => void rotations.push(changed) }, redact: (values) => void redacted.push(...values) });
  return { apply, redacted, rotations };
}

describe('liveSecretsApplier', () => {
  it('applies MASTER_KEY and JWT_SECRET, leaves the rest to a restart, and teaches the redactor every new value', () => {
    const { apply, redacted, rotations } = setup();
    const env = { MASTER_KEY: 'sk-new-master', JWT_SECRET: 'j'.repeat(40), REDIS_URL: 'redis://:pw@cache:6379' };
    expect(apply(env, ['MASTER_KEY', 'JWT_SECRET', 'REDIS_URL'])).toEqual(['MASTER_KEY', 'JWT_SECRET']);
    expect(rotations).toEqual([{ masterKey: 'sk-new-master', jwtSecret: 'j'.repeat(40) }]);
    expect(redacted).toEqual(['sk-new-master', 'j'.repeat(40), 'redis://:pw@cache:6379']);
  });

  it('turns the master key off when MASTER_KEY was removed, and leaves a removed JWT_SECRET to a restart', () => {
    const { apply, rotations } = setup();
    expect(apply({}, ['MASTER_KEY', 'JWT_SECRET'])).toEqual(['MASTER_KEY']);
    expect(rotations).toEqual([{ masterKey: undefined }]);
  });

  it('refuses a value the configuration refuses, naming the variable but not the value, and applies nothing', () => {
    const { apply, rotations, redacted } = setup();
    const error = (() => {
      try {
        apply({ MASTER_KEY: 'sk-fine-master', JWT_SECRET: 'too-short-secret' }, ['MASTER_KEY', 'JWT_SECRET']);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/JWT_SECRET/);
    expect((error as Error).message).not.toContain('too-short-secret');
    expect(rotations).toEqual([]);
    // Redacted all the same: a refused value is still a secret.
    expect(redacted).toContain('too-short-secret');
  });
});
