import { resolveAppDefaults } from '../src/model/defaults';
import type { ReadApp } from '../src/spec/config-files';

const minimal: ReadApp = { name: 'web', namespace: 'shop', stable: { image: 'web:1' }, canary: { image: 'web:2' } };
const resolved = resolveAppDefaults(minimal);

test.each<[string, unknown]>([
  ['createNamespace', false],
  ['appLabel', 'web'],
  ['port', 80],
  ['service', { name: 'web', type: 'NodePort', port: 80, nodePort: undefined, sessionAffinity: 'None', sessionAffinityTimeoutSeconds: undefined, ports: [{ name: 'http', port: 80, targetPort: 80 }], selector: { app: 'web' }, labels: {}, annotations: {} }],
  ['stable', { name: 'web-stable', image: 'web:1', replicas: 3, env: {}, secretEnvFrom: [], secretMounts: [] }],
  ['canary', { name: 'web-canary', image: 'web:2', replicas: 3, env: {}, secretEnvFrom: [], secretMounts: [] }],
  ['stage', 'baseline'],
  ['securityProfile', 'restricted'],
  ['writablePaths', ['/tmp']],
  ['resources', { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } }],
  ['disruptionBudget', { maxUnavailable: 1 }],
  ['topologySpread', { maxSkew: 1, topologyKey: 'kubernetes.io/hostname' }],
  ['routing', undefined],
])('%s defaults to %j', (key, value) => {
  expect(resolved[key as keyof typeof resolved]).toEqual(value);
});

test('the canary\'s size follows the stable\'s, and the service port the container port', () => {
  const app = resolveAppDefaults({ ...minimal, port: 8080, stable: { image: 'web:1', replicas: 5 } });
  expect(app.canary.replicas).toBe(5);
  expect(app.service.port).toBe(8080);
  expect(app.stages.map((s) => [s.name, s.stableReplicas, s.canaryReplicas])).toEqual([
    ['baseline', 5, 0], ['canary', 5, 1], ['expand', 5, 5], ['promote', 0, 5],
  ]);
});

test('partial resources keep the other defaults', () => {
  const app = resolveAppDefaults({ ...minimal, resources: { requests: { memory: '32Mi' } } });
  expect(app.resources).toEqual({ requests: { cpu: '100m', memory: '32Mi' }, limits: { memory: '128Mi' } });
});

test('Istio routes the shared Service\'s cluster-local name unless hosts are given', () => {
  const istio = (hosts?: string[]) => resolveAppDefaults({ ...minimal, routing: { istio: { hosts } } }).routing?.istio?.hosts;
  expect(istio()).toEqual(['web.shop.svc.cluster.local']);
  expect(istio(['web.example.com'])).toEqual(['web.example.com']);
});
