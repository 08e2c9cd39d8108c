// Minimal JSON schemas for the Kubernetes objects deploy/kubernetes renders: the fields the proxy's
// deployment relies on, with their types, checked with ajv. They are not the full OpenAPI schemas of the
// API server (no network here to fetch those); the structural cross-checks live in the test itself.

const name = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 };
const labels = { type: 'object', additionalProperties: { type: 'string', maxLength: 63 } };
const metadata = { type: 'object', required: ['name'], properties: { name, namespace: name, labels } };
const quantity = { anyOf: [{ type: 'string', pattern: '^[0-9.]+(m|Ki|Mi|Gi|Ti)?$' }, { type: 'number' }] };
const resources = {
  type: 'object',
  required: ['requests', 'limits'],
  properties: {
    requests: { type: 'object', additionalProperties: quantity },
    limits: { type: 'object', required: ['memory'], additionalProperties: quantity },
  },
};
const port = { anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, name] };
const probe = {
  type: 'object',
  oneOf: [
    { required: ['httpGet'], properties: { httpGet: { type: 'object', required: ['path', 'port'], properties: { path: { type: 'string', pattern: '^/' }, port } } } },
    { required: ['exec'], properties: { exec: { type: 'object', required: ['command'], properties: { command: { type: 'array', items: { type: 'string' }, minItems: 1 } } } } },
    { required: ['tcpSocket'], properties: { tcpSocket: { type: 'object', required: ['port'], properties: { port } } } },
  ],
  properties: { periodSeconds: { type: 'integer', minimum: 1 }, failureThreshold: { type: 'integer', minimum: 1 }, timeoutSeconds: { type: 'integer', minimum: 1 } },
};
const container = {
  type: 'object',
  required: ['name', 'image', 'ports', 'readinessProbe', 'livenessProbe', 'resources'],
  properties: {
    name,
    image: { type: 'string', pattern: '^[^:]+(:[A-Za-z0-9._-]+)$', not: { pattern: ':latest$' } },
    ports: { type: 'array', minItems: 1, items: { type: 'object', required: ['name', 'containerPort'], properties: { name: { type: 'string', maxLength: 15 }, containerPort: { type: 'integer', minimum: 1, maximum: 65535 } } } },
    env: { type: 'array', items: { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' }, value: { type: 'string' } }, additionalProperties: false } },
    volumeMounts: { type: 'array', items: { type: 'object', required: ['name', 'mountPath'], properties: { name, mountPath: { type: 'string', pattern: '^/' } } } },
    readinessProbe: probe,
    livenessProbe: probe,
    resources,
  },
};
const podTemplate = {
  type: 'object',
  required: ['metadata', 'spec'],
  properties: {
    metadata: { type: 'object', required: ['labels'], properties: { labels } },
    spec: { type: 'object', required: ['containers'], properties: { containers: { type: 'array', minItems: 1, items: container } } },
  },
};
const selector = { type: 'object', required: ['matchLabels'], properties: { matchLabels: { ...labels, minProperties: 1 } } };
const object = (apiVersion: string, kind: string, spec: object) => ({
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: { apiVersion: { const: apiVersion }, kind: { const: kind }, metadata, spec },
});

export const KUBERNETES_SCHEMAS: Record<string, object> = {
  Deployment: object('apps/v1', 'Deployment', { type: 'object', required: ['selector', 'template'], properties: { replicas: { type: 'integer', minimum: 1 }, selector, template: podTemplate } }),
  StatefulSet: object('apps/v1', 'StatefulSet', {
    type: 'object',
    required: ['selector', 'template', 'serviceName', 'volumeClaimTemplates'],
    properties: {
      selector, template: podTemplate, serviceName: name,
      volumeClaimTemplates: { type: 'array', minItems: 1, items: { type: 'object', required: ['metadata', 'spec'], properties: { metadata, spec: { type: 'object', required: ['accessModes', 'resources'], properties: { resources: { type: 'object', required: ['requests'], properties: { requests: { type: 'object', required: ['storage'] } } } } } } } },
    },
  }),
  Service: object('v1', 'Service', {
    type: 'object',
    required: ['selector', 'ports'],
    properties: { selector: { ...labels, minProperties: 1 }, ports: { type: 'array', minItems: 1, items: { type: 'object', required: ['name', 'port', 'targetPort'], properties: { name, port: { type: 'integer' }, targetPort: port } } } },
  }),
  HorizontalPodAutoscaler: object('autoscaling/v2', 'HorizontalPodAutoscaler', {
    type: 'object',
    required: ['scaleTargetRef', 'minReplicas', 'maxReplicas', 'metrics'],
    properties: {
      scaleTargetRef: { type: 'object', required: ['apiVersion', 'kind', 'name'] },
      minReplicas: { type: 'integer', minimum: 2 }, maxReplicas: { type: 'integer', minimum: 2 },
      metrics: { type: 'array', minItems: 1, items: { type: 'object', required: ['type'] } },
    },
  }),
  PodDisruptionBudget: object('policy/v1', 'PodDisruptionBudget', {
    type: 'object',
    required: ['selector'],
    oneOf: [{ required: ['minAvailable'] }, { required: ['maxUnavailable'] }],
    properties: { selector },
  }),
  ServiceMonitor: object('monitoring.coreos.com/v1', 'ServiceMonitor', {
    type: 'object',
    required: ['selector', 'endpoints'],
    properties: { selector, endpoints: { type: 'array', minItems: 1, items: { type: 'object', required: ['port', 'path'], properties: { port: name, path: { const: '/metrics' } } } } },
  }),
  PrometheusRule: object('monitoring.coreos.com/v1', 'PrometheusRule', {
    type: 'object',
    required: ['groups'],
    properties: { groups: { type: 'array', minItems: 1, items: { type: 'object', required: ['name', 'rules'], properties: { rules: { type: 'array', minItems: 1, items: { type: 'object', required: ['alert', 'expr', 'for', 'labels'], properties: { alert: { type: 'string' }, expr: { type: 'string' }, for: { type: 'string', pattern: '^[0-9]+[smh]$' } } } } } } } },
  }),
};
