import { App, Chart, JsonPatch, Testing } from 'cdk8s';
import { CanaryApp } from '../src/constructs/canary-app';
import type { AppSpec } from '../src/spec/types';
import { SpecError } from '../src/spec/problems';
import { type Manifest } from './cluster-rules';

const props: AppSpec = {
  name: 'shop',
  namespace: 'shop',
  createNamespace: true,
  port: 8080,
  stable: { image: 'shop:1.0', replicas: 4 },
  canary: { image: 'shop:1.1', replicas: 2 },
  stages: [{ name: 'base', canaryPercent: 0 }, { name: 'tenth', canaryPercent: 10 }, { name: 'half', canaryPercent: 50 }, { name: 'all', canaryPercent: 100 }],
  stage: 'half',
};

function synth(build: (chart: Chart) => void, chartProps = {}): Manifest[] {
  const chart = new Chart(Testing.app(), 'test', chartProps);
  build(chart);
  return Testing.synth(chart);
}

test('renders the named stage and exposes what it made', () => {
  let made!: CanaryApp;
  const docs = synth((chart) => { made = new CanaryApp(chart, 'shop', props); });
  expect(made.stage).toMatchObject({ name: 'half', stableReplicas: 2, canaryReplicas: 2 });
  expect(made.stable.name).toBe('shop-stable');
  expect(made.canary?.name).toBe('shop-canary');
  expect(made.service.name).toBe('shop');
  expect(made.namespace?.name).toBe('shop');
  expect(docs.filter((d) => d.kind === 'Deployment').map((d) => d.spec.replicas)).toEqual([2, 2]);
});

test('leaves the canary out before it starts, and the Namespace out on request', () => {
  let made!: CanaryApp;
  const docs = synth((chart) => {
    made = new CanaryApp(chart, 'shop', { ...props, createNamespace: false, stages: [{ name: 'before', stableReplicas: 4, canaryReplicas: 0 }, ...props.stages!], stage: 'before' });
  });
  expect(made.canary).toBeUndefined();
  expect(made.namespace).toBeUndefined();
  // Stable grows into the first stage at finish: the endpoint check's Job waits for its 4 pods.
  expect(docs.map((d) => d.kind)).toEqual(['Service', 'PodDisruptionBudget', 'Deployment', 'ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'Job']);
  expect(made.endpointCheckJob?.name).toBe('shop-endpoints');
});

test('users customise the exposed Deployments, plain cdk8s ApiObjects, with JSON patches', () => {
  const docs = synth((chart) => {
    const app = new CanaryApp(chart, 'shop', props);
    app.canary!.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/env', [{ name: 'FEATURE_X', value: 'on' }]));
  });
  const canary = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'shop-canary');
  expect(canary.spec.template.spec.containers[0].env).toEqual([{ name: 'FEATURE_X', value: 'on' }]);
});

test('in a chart with a default namespace, the Namespace object still has none and the app keeps its own', () => {
  const docs = synth((chart) => new CanaryApp(chart, 'shop', props), { namespace: 'elsewhere' });
  const namespace = docs.find((d) => d.kind === 'Namespace');
  expect(namespace.metadata).not.toHaveProperty('namespace');
  for (const doc of docs.filter((d) => d.kind !== 'Namespace')) expect(doc.metadata.namespace).toBe('shop');
});

test('two apps in one chart keep their objects apart', () => {
  const docs = synth((chart) => {
    new CanaryApp(chart, 'a', { ...props, name: 'a', namespace: 'team' });
    new CanaryApp(chart, 'b', { ...props, name: 'b', namespace: 'team', createNamespace: false });
  });
  expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
    'Namespace/team', 'Service/a', 'PodDisruptionBudget/a-stable', 'PodDisruptionBudget/a-canary', 'Deployment/a-stable', 'Deployment/a-canary',
    'ServiceAccount/a-endpoints', 'Role/a-endpoints', 'RoleBinding/a-endpoints', expect.stringMatching(/^ConfigMap\/a-endpoints-[0-9a-f]{10}$/), 'Job/a-endpoints',
    'Service/b', 'PodDisruptionBudget/b-stable', 'PodDisruptionBudget/b-canary', 'Deployment/b-stable', 'Deployment/b-canary',
    'ServiceAccount/b-endpoints', 'Role/b-endpoints', 'RoleBinding/b-endpoints', expect.stringMatching(/^ConfigMap\/b-endpoints-[0-9a-f]{10}$/), 'Job/b-endpoints',
  ]);
  expect(docs.find((d) => d.metadata.name === 'b').spec.selector).toEqual({ app: 'b' });
});

test('resources and security follow the props', () => {
  const docs = synth((chart) => new CanaryApp(chart, 'shop', {
    ...props,
    runAsUser: 1000,
    resources: { requests: { cpu: '0.25', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
  }));
  const pod = docs.find((d) => d.kind === 'Deployment').spec.template.spec;
  // Written in canonical form: 0.25 cores as 250m, 1024Mi as 1Gi.
  expect(pod.containers[0].resources).toEqual({ requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } });
  expect(pod.securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(pod.containers[0].securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false });
  expect(pod.containers[0]).not.toHaveProperty('startupProbe');
});

test('bad props throw a SpecError naming the field', () => {
  const chart = new Chart(new App(), 'test');
  expect(() => new CanaryApp(chart, 'shop', { ...props, stage: 'nope' })).toThrow(SpecError);
  expect(() => new CanaryApp(chart, 'shop2', { ...props, canary: { ...props.canary, name: 'shop-stable' } }))
    .toThrow('CanaryApp "shop2": "canary.name" is "shop-stable": must differ from the stable Deployment\'s name');
});
