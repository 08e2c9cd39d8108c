import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse, type ScalarTag } from 'yaml';
import { describe, expect, it } from 'vitest';

// No Docker engine here (`docker compose config` and hadolint are unavailable), so the shipped files are linted
// as data. What is checked:
// - compose.yaml against a structural JSON schema (ajv) of the parts of the Compose spec it uses, then rules:
//   published ports bound to 127.0.0.1; images pinned to a version (no `latest`); Ollama reserves NVIDIA GPUs and
//   the CPU override (compose.cpu.yaml) resets that; Redis persists (append-only file on a volume); the proxy's
//   volume is the DATA_DIR the Dockerfile sets; named volumes are declared; services reach each other by name.
// - Dockerfile with hadolint-style rules: pinned base images (DL3006/DL3007), no ADD (DL3020), apt-get with
//   --no-install-recommends and cleaned lists (DL3015/DL3009), exec-form CMD (DL3025), a non-root USER before CMD,
//   COPY into the runtime stage owned by that user (--chown), one compile (`npm run build` once, `npm ci` not
//   followed by a second build through a prepare script), HEALTHCHECK on liveness (/health, not /health/ready).
// - .dockerignore keeps node_modules, data/, .env, .git and dist out of the build context.

const repo = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(repo, path), 'utf8');
// Compose's `!reset` tag (remove an inherited value); the yaml package needs to know it.
const resetTag: ScalarTag = { tag: '!reset', resolve: () => ({ reset: true }) };
const resetMapTag = { tag: '!reset', collection: 'map' as const, resolve: () => ({ reset: true }) };
const loadYaml = (path: string) => parse(read(path), { customTags: [resetTag, resetMapTag] }) as Record<string, any>;

const stringList = { type: 'array', items: { type: 'string' } };
const composeSchema = {
  type: 'object',
  required: ['services'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
    services: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        anyOf: [{ required: ['image'] }, { required: ['build'] }],
        properties: {
          image: { type: 'string' },
          build: { type: 'object', required: ['context'], additionalProperties: false, properties: { context: { type: 'string' }, dockerfile: { type: 'string' } } },
          command: { anyOf: [{ type: 'string' }, stringList] },
          ports: { type: 'array', items: { type: 'string', pattern: '^(\\d{1,3}(\\.\\d{1,3}){3}:)?\\d+(:\\d+)?(/(tcp|udp))?$' } },
          environment: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
          volumes: { type: 'array', items: { type: 'string', pattern: '^[^:]+:/[^:]*(:(ro|rw))?$' } },
          depends_on: {
            type: 'object',
            additionalProperties: { type: 'object', required: ['condition'], properties: { condition: { enum: ['service_started', 'service_healthy', 'service_completed_successfully'] } } },
          },
          deploy: {
            type: 'object',
            additionalProperties: false,
            properties: {
              resources: {
                type: 'object',
                properties: {
                  reservations: {
                    type: 'object',
                    properties: {
                      devices: {
                        type: 'array',
                        items: {
                          type: 'object',
                          required: ['capabilities'],
                          additionalProperties: false,
                          properties: { driver: { type: 'string' }, count: { anyOf: [{ const: 'all' }, { type: 'integer', minimum: 1 }] }, device_ids: stringList, capabilities: stringList },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          healthcheck: {
            type: 'object',
            required: ['test'],
            additionalProperties: false,
            properties: { test: { anyOf: [{ type: 'string' }, stringList] }, interval: { type: 'string' }, timeout: { type: 'string' }, retries: { type: 'integer' }, start_period: { type: 'string' } },
          },
          restart: { enum: ['no', 'always', 'on-failure', 'unless-stopped'] },
        },
      },
    },
    volumes: { type: 'object', additionalProperties: { anyOf: [{ type: 'object' }, { type: 'null' }] } },
  },
};

describe('docker/compose.yaml', () => {
  const compose = loadYaml('docker/compose.yaml');
  const services = compose.services as Record<string, any>;

  it('is a valid Compose file (structural schema)', () => {
    const validate = new Ajv({ allErrors: true }).compile(composeSchema);
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const ports = Object.values(services).flatMap((service) => (service.ports ?? []) as string[]);
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('pins every image to a version', () => {
    for (const service of Object.values(services).filter((service) => service.image)) {
      expect(service.image).toMatch(/:\d+(\.\d+)*(-[a-z0-9.]+)?$/);
    }
  });

  it('reserves NVIDIA GPUs for Ollama, and the CPU override removes the reservation', () => {
    expect(services.ollama.deploy.resources.reservations.devices).toEqual([{ driver: 'nvidia', count: 'all', capabilities: ['gpu'] }]);
    const cpu = loadYaml('docker/compose.cpu.yaml');
    expect(cpu.services.ollama.deploy).toEqual({ reset: true });
    expect(read('docker/compose.cpu.yaml')).toMatch(/deploy: !reset \{\}/);
  });

  it('keeps Redis data: append-only file on a named volume', () => {
    const command = (services.redis.command as string[]).join(' ');
    expect(command).toContain('--appendonly yes');
    expect(services.redis.volumes).toContain('redis:/data');
  });

  it('mounts the proxy\'s volume at the DATA_DIR of its image, declares every named volume, and wires services by name', () => {
    const dataDir = /ENV [^\n]*DATA_DIR=(\S+)/.exec(read('docker/Dockerfile'))?.[1];
    expect(dataDir).toBe('/app/data');
    expect(services.proxy.volumes).toContain(`proxy-data:${dataDir}`);
    const named = Object.values(services).flatMap((service) => ((service.volumes ?? []) as string[]).map((volume) => volume.split(':')[0]!));
    for (const name of named) expect(Object.keys(compose.volumes)).toContain(name);
    expect(services.proxy.environment.OLLAMA_URL).toBe('http://ollama:11434');
    expect(services.proxy.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(Object.keys(services.proxy.depends_on).sort()).toEqual(['ollama', 'redis']);
  });
});

describe('docker/Dockerfile', () => {
  const text = read('docker/Dockerfile');
  // Instructions with their continuation lines joined, comments dropped.
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => ({ op: line.split(/\s+/, 1)[0]!.toUpperCase(), args: line.slice(line.split(/\s+/, 1)[0]!.length).trim() }));
  const stages = instructions.reduce<Array<typeof instructions>>((list, instruction) => {
    if (instruction.op === 'FROM') list.push([]);
    list.at(-1)?.push(instruction);
    return list;
  }, []);
  const runtime = stages.at(-1)!;

  it('pins base images to an exact version, never latest (DL3006, DL3007)', () => {
    const bases = instructions.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]!);
    expect(bases.length).toBe(2);
    for (const base of bases) expect(base).toMatch(/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*$/);
  });

  it('uses COPY, never ADD (DL3020)', () => {
    expect(instructions.filter((i) => i.op === 'ADD')).toEqual([]);
  });

  it('installs apt packages without recommends and cleans the lists (DL3015, DL3009)', () => {
    for (const run of instructions.filter((i) => i.op === 'RUN' && i.args.includes('apt-get install'))) {
      expect(run.args).toContain('--no-install-recommends');
      expect(run.args).toContain('rm -rf /var/lib/apt/lists/*');
    }
  });

  it('compiles once: one `npm run build`, and `npm ci` runs no build of its own (no prepare script)', () => {
    expect(instructions.filter((i) => i.op === 'RUN' && i.args.includes('npm run build'))).toHaveLength(1);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.prepare).toBeUndefined();
    expect(scripts.install).toBeUndefined();
    expect(scripts.postinstall).toBeUndefined();
  });

  it('runs as a non-root user and copies the app owned by it', () => {
    const users = runtime.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.at(-1)).toBe('node');
    const userAt = runtime.findIndex((i) => i.op === 'USER');
    const cmdAt = runtime.findIndex((i) => i.op === 'CMD');
    expect(userAt).toBeLessThan(cmdAt);
    for (const copy of runtime.filter((i) => i.op === 'COPY')) expect(copy.args).toContain('--chown=node:node');
  });

  it('checks liveness (/health, not readiness) and starts in exec form (DL3025)', () => {
    const health = runtime.find((i) => i.op === 'HEALTHCHECK');
    expect(health?.args).toMatch(/CMD \["node", "healthcheck\.mjs"\]$/);
    expect(runtime.some((i) => i.op === 'COPY' && i.args.endsWith('docker/healthcheck.mjs ./healthcheck.mjs'))).toBe(true);
    const script = read('docker/healthcheck.mjs');
    expect(script).toContain("path: '/health'");
    expect(script).not.toContain('/health/ready');
    const cmd = runtime.find((i) => i.op === 'CMD')!;
    expect(JSON.parse(cmd.args)).toEqual(['node', 'dist/main.js']);
    expect(runtime.find((i) => i.op === 'EXPOSE')?.args).toBe('8000');
  });
});

describe('.dockerignore', () => {
  it('keeps local installs, data, secrets, git history and builds out of the build context', () => {
    const patterns = read('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    for (const needed of ['node_modules', 'data', '.env', '.git', 'dist']) expect(patterns).toContain(needed);
  });
});
