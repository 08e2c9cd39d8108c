import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { KUBERNETES_SCHEMAS } from './kubernetes-schemas.js';

// deploy/kubernetes rendered offline with `kubectl kustomize` (kustomize v5 built into kubectl), each object
// validated against a minimal JSON schema of its kind (ajv), then checked across objects: selectors match,
// probes and ports exist, secrets arrive as files, the GPU and model volume are there, the alert reads
// metrics the proxy really exports. Nothing here talks to a cluster.

const ROOT = resolve(import.meta.dirname, '../../deploy/kubernetes');
const OVERLAYS = ['external-stores', 'bundled-stores', 'tls'] as const;
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec: any };

function render(overlay: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', resolve(ROOT, 'overlays', overlay)], { encoding: 'utf8' });
  return parseAllDocuments(text).map((document) => document.toJSON() as K8sObject);
}

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

describe.runIf(hasKubectl || process.env.CI).each(OVERLAYS)('the Kubernetes overlay %s', (overlay) => {
  let objects: K8sObject[];
  const find = (kind: string, name: string) => {
    const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
    expect(found, `${kind}/${name}`).toBeDefined();
    return found!;
  };
  const proxyContainer = () => find('Deployment', 'ollama-openai-proxy').spec.template.spec.containers[0];

  beforeAll(() => {
    objects = render(overlay);
  });

  it('renders, and every object matches the schema of its kind', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const kinds = new Set(objects.map((object) => object.kind));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'PrometheusRule', 'Service', 'ServiceMonitor', 'StatefulSet']));
    for (const object of objects) {
      const schema = KUBERNETES_SCHEMAS[object.kind];
      expect(schema, `no schema for ${object.kind}`).toBeDefined();
      const validate = ajv.compile(schema!);
      expect(validate(object) ? [] : validate.errors, `${object.kind}/${object.metadata.name}`).toEqual([]);
      expect(object.metadata.namespace).toBe('ollama-openai-proxy');
    }
  });

  it('gives every Service, the PDB and the ServiceMonitor selectors that match pods or services that exist', () => {
    const workloads = objects.filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet');
    for (const service of objects.filter((object) => object.kind === 'Service')) {
      const targets = workloads.filter((workload) => matches(service.spec.selector, workload.spec.template.metadata.labels));
      expect(targets.length, `Service/${service.metadata.name} selects nothing`).toBe(1);
      const portNames = targets[0]!.spec.template.spec.containers.flatMap((container: any) => container.ports.map((p: any) => p.name));
      for (const port of service.spec.ports) expect(portNames).toContain(port.targetPort);
    }
    for (const workload of workloads) expect(matches(workload.spec.selector.matchLabels, workload.spec.template.metadata.labels)).toBe(true);
    const proxyLabels = find('Deployment', 'ollama-openai-proxy').spec.template.metadata.labels;
    expect(matches(find('PodDisruptionBudget', 'ollama-openai-proxy').spec.selector.matchLabels, proxyLabels)).toBe(true);
    const monitor = find('ServiceMonitor', 'ollama-openai-proxy');
    const service = find('Service', 'ollama-openai-proxy');
    expect(matches(monitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(service.spec.ports.map((p: any) => p.name)).toContain(monitor.spec.endpoints[0].port);
  });

  it('probes readiness on /health/ready and liveness on /health of a declared port, over HTTPS when the proxy serves TLS', () => {
    const container = proxyContainer();
    const tls = container.env.some((entry: { name: string }) => entry.name === 'TLS_CERT_FILE');
    const scheme = tls ? { scheme: 'HTTPS' } : {};
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http', ...scheme });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http', ...scheme });
    expect(container.ports).toContainEqual({ name: 'http', containerPort: 8000 });
    expect(container.env).toContainEqual({ name: 'PORT', value: '8000' });
    expect(container.env).toContainEqual({ name: 'HOST', value: '0.0.0.0' });
  });

  it('delivers every secret as a file from the mounted Secret, never as an environment value', () => {
    const deployment = find('Deployment', 'ollama-openai-proxy');
    const container = proxyContainer();
    const secretVolume = deployment.spec.template.spec.volumes.find((volume: any) => volume.secret?.secretName === 'ollama-openai-proxy');
    const mount = container.volumeMounts.find((m: any) => m.name === secretVolume.name);
    expect(mount).toMatchObject({ readOnly: true });
    const env = Object.fromEntries(container.env.map((entry: { name: string; value: string }) => [entry.name, entry.value]));
    for (const name of ['MASTER_KEY', 'JWT_SECRET', 'DATABASE_URL', 'REDIS_URL', 'METRICS_TOKEN']) {
      expect(env[name], `${name} must not be set directly`).toBeUndefined();
      expect(env[`${name}_FILE`]).toMatch(new RegExp(`^${mount.mountPath}/[a-z-]+$`));
    }
    // The ServiceMonitor scrapes with the token the pods read from the same Secret key.
    const tokenKey = env.METRICS_TOKEN_FILE.split('/').at(-1);
    expect(find('ServiceMonitor', 'ollama-openai-proxy').spec.endpoints[0].bearerTokenSecret).toEqual({ name: 'ollama-openai-proxy', key: tokenKey });
  });

  it('scales the proxy with an HPA and keeps all but one pod through voluntary disruptions', () => {
    const hpa = find('HorizontalPodAutoscaler', 'ollama-openai-proxy');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ollama-openai-proxy' });
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(find('PodDisruptionBudget', 'ollama-openai-proxy').spec.maxUnavailable).toBe(1);
    const deployment = find('Deployment', 'ollama-openai-proxy');
    // Streams get the whole shutdown grace before Kubernetes kills the pod.
    const grace = Number(proxyContainer().env.find((entry: any) => entry.name === 'SHUTDOWN_GRACE_MS').value) / 1000;
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(grace + 5);
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
  });

  it('runs Ollama as a StatefulSet with a GPU, a model volume and a headless Service the proxy points at', () => {
    const ollama = find('StatefulSet', 'ollama');
    const container = ollama.spec.template.spec.containers[0];
    expect(container.resources.limits['nvidia.com/gpu']).toBe(1);
    const claim = ollama.spec.volumeClaimTemplates[0];
    expect(container.volumeMounts).toContainEqual({ name: claim.metadata.name, mountPath: '/root/.ollama' });
    const headless = find('Service', ollama.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
    const ollamaUrl = proxyContainer().env.find((entry: any) => entry.name === 'OLLAMA_URL').value as string;
    for (const url of ollamaUrl.split(',')) {
      const host = new URL(url);
      expect(host.hostname).toMatch(new RegExp(`^${ollama.metadata.name}-\\d+\\.${headless.metadata.name}$`));
      expect(Number(host.port)).toBe(headless.spec.ports[0].port);
    }
  });

  it('declares the HighAPIErrorRate alert at 5 % over 5 minutes', () => {
    const rules = find('PrometheusRule', 'ollama-openai-proxy').spec.groups.flatMap((group: any) => group.rules);
    const alert = rules.find((rule: any) => rule.alert === 'HighAPIErrorRate');
    expect(alert).toMatchObject({ for: '5m', expr: expect.stringMatching(/> 0\.05$/) });
  });

  if (overlay === 'bundled-stores') {
    it('adds Redis and PostgreSQL with probes, and PostgreSQL reads its password from a file', () => {
      expect(find('Deployment', 'redis').spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--maxmemory', '--maxmemory-policy']));
      const postgres = find('StatefulSet', 'postgres').spec.template.spec.containers[0];
      expect(postgres.env).toContainEqual({ name: 'POSTGRES_PASSWORD_FILE', value: '/run/secrets/postgres/password' });
    });
  }
});

describe.runIf(hasKubectl || process.env.CI)('the Kubernetes TLS component', () => {
  it('serves HTTPS from the mounted kubernetes.io/tls Secret and scrapes /metrics over HTTPS', () => {
    const objects = render('tls');
    const deployment = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'ollama-openai-proxy')!;
    const container = deployment.spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((entry: { name: string; value: string }) => [entry.name, entry.value]));
    const volume = deployment.spec.template.spec.volumes.find((entry: any) => entry.secret?.secretName === 'ollama-openai-proxy-tls');
    const mount = container.volumeMounts.find((entry: any) => entry.name === volume.name);
    expect(mount).toMatchObject({ readOnly: true });
    expect(env.TLS_CERT_FILE).toBe(`${mount.mountPath}/tls.crt`);
    expect(env.TLS_KEY_FILE).toBe(`${mount.mountPath}/tls.key`);
    const monitor = objects.find((object) => object.kind === 'ServiceMonitor')!;
    expect(monitor.spec.endpoints[0]).toMatchObject({ scheme: 'https', tlsConfig: { ca: { secret: { name: 'ollama-openai-proxy-tls', key: 'ca.crt' } } } });
  });
});

describe.runIf(hasKubectl || process.env.CI)('the alert expression', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ ollamaUrl: 'http://127.0.0.1:9' });
  });
  afterAll(() => app.close());

  it('names only metrics the proxy exports on /metrics', async () => {
    const rules = render('external-stores').find((object) => object.kind === 'PrometheusRule')!.spec.groups.flatMap((group: any) => group.rules);
    const expr = rules.find((rule: any) => rule.alert === 'HighAPIErrorRate').expr as string;
    const names = [...expr.matchAll(/rate\((\w+)\[/g)].map((match) => match[1]!);
    expect(names).toEqual(['api_errors_total', 'api_requests_total']);
    const exported = await (await fetch(`${app.url}/metrics`)).text();
    for (const name of names) expect(exported).toContain(`# TYPE ${name} counter`);
  });
});
