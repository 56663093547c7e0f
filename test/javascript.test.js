// The library from plain JavaScript, through the compiled package entry points: no types to stop a
// wrong value, so the resolve step must.
const { Chart, Testing } = require('cdk8s');
const { CanaryApp, CanaryRelease } = require('..');
const { SpecError, synthesize } = require('../engine');

function refusal(props, chartProps = {}) {
  const chart = new Chart(Testing.app(), 'test', chartProps);
  let thrown;
  try {
    new CanaryApp(chart, 'w', props);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SpecError);
  expect(Testing.synth(chart)).toEqual([]);
  return thrown.message.split('\n');
}

test('leaving out name and namespace outside a namespaced Chart is an error, not a Service selecting every pod', () => {
  expect(refusal({ stable: { image: 'web:1' }, canary: { image: 'web:2' } })).toEqual([
    'CanaryApp "w": "namespace" is required: give namespace, or give the enclosing Chart a namespace',
  ]);
});

test('wrong types, unknown keys and values the spec refuses give the CLI\'s messages', () => {
  expect(refusal({ namespace: 'shop', stable: { image: 'web:1' }, canary: { image: 42 }, securityProfile: 'privileged', replica: 2 })).toEqual([
    'CanaryApp "w": "replica" is not a known key: allowed keys here are name, namespace, createNamespace, appLabel, from, podTemplate, container, readinessProbe, livenessProbe, ports, podAnnotations, serviceAccountName, command, args, port, service, stable, canary, stages, stage, strategy, workload, blueGreen, securityProfile, writablePaths, runAsUser, resources, disruptionBudget, topologySpread, verify, routing, endpointCheck, waves',
    'CanaryApp "w": "canary.image" is 42: must be of type string',
    'CanaryApp "w": "securityProfile" is "privileged": must be one of restricted, baseline',
  ]);
  expect(refusal({ namespace: 'shop', stable: 'web:1', canary: { image: 'web:2' } })).toEqual(['CanaryApp "w": "stable" is "web:1": must be of type object']);
  expect(refusal(null)).toEqual(['CanaryApp "w": "props" is null: must be an object with the app\'s keys']);
});

test('config, autoscaling, verification and mirroring props are refused with the CLI\'s messages', () => {
  expect(refusal({
    namespace: 'shop',
    stable: { image: 'web:1', config: { mountPath: '/etc/web', files: { 'a/b': { content: 'x' } } }, secretEnvFrom: ['Web_DB'] },
    canary: { image: 'web:2', autoscaling: { maxReplicas: 9, cpuUtilization: 150 } },
  })).toEqual([
    'CanaryApp "w": "stable.config.files.a/b" is "a/b": must be a ConfigMap key: letters, digits, "-", "_" and ".", not "." or ".."',
    'CanaryApp "w": "stable.secretEnvFrom[0]" is "Web_DB": must be a DNS-1123 subdomain: lowercase letters, digits, "-" and ".", each part starting and ending with a letter or digit',
    'CanaryApp "w": "canary.autoscaling.cpuUtilization" is 150: must be a whole number from 1 to 100',
  ]);
  expect(refusal({ namespace: 'shop', stable: { image: 'web:1' }, canary: { image: 'web:2' }, verify: {}, stages: [{ name: 'a', stableReplicas: 3, canaryReplicas: 1, mirrorPercent: 10 }] })).toEqual([
    'CanaryApp "w": "verify" checks nothing: give smoke, prometheus or both',
    'CanaryApp "w": "stages[0].mirrorPercent" is 10: mirroring needs routing (gatewayApi or istio): only a router copies requests',
  ]);
});

test('good props render as in TypeScript', () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
  new CanaryApp(chart, 'web', { stable: { image: 'web:1.0' }, canary: { image: 'web:1.1' }, stage: 'canary' });
  const docs = Testing.synth(chart);
  expect(docs.map((doc) => `${doc.kind}/${doc.metadata.namespace}/${doc.metadata.name}/${doc.spec?.replicas ?? ''}`)).toEqual([
    'Service/shop/web/', 'PodDisruptionBudget/shop/web-stable/', 'PodDisruptionBudget/shop/web-canary/', 'Deployment/shop/web-stable/3',
    'Deployment/shop/web-canary/1', 'ServiceAccount/shop/web-endpoints/', 'Role/shop/web-endpoints/', 'RoleBinding/shop/web-endpoints/',
    expect.stringMatching(/^ConfigMap\/shop\/web-endpoints-[0-9a-f]{10}\/$/), 'Job/shop/web-endpoints/',
  ]);
});

test('CanaryRelease and synthesize check their input the same way', () => {
  expect(() => new CanaryRelease(Testing.app(), 'shop', { namespace: 'shop', stable: { image: 'a:1', replicas: '3' }, canary: { image: 'a:2' } }))
    .toThrow('CanaryRelease "shop": "stable.replicas" is "3": must be a whole number');
  expect(() => synthesize({ apps: [{ name: 'a', stable: { image: 'a:1' }, canary: { image: 'a:2' } }] })).toThrow('"apps[0].namespace" is required');
});
