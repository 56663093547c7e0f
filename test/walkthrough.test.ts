import { App, Chart, Testing } from 'cdk8s';
import { CanaryApp } from '../src/constructs/canary-app';
import type { AppSpec } from '../src/spec/types';
import { loadSpec } from '../src/engine/load';
import { parseManifests, podSecurityViolations, validateAgainstSchema, type Manifest } from './cluster-rules';
import { find, renderOne, selects as matches, stageInvariant, stageManifests } from './stage-files';

const walkthrough = loadSpec(`${__dirname}/../canary.yaml`).spec.apps[0];
const files = renderOne(walkthrough);
const stageFiles = files.filter((file) => file.path.includes('/stages/'));
const byStage = stageManifests(walkthrough);

const stable = (docs: Manifest[]) => find(docs, 'Deployment', 'nginx-deployment-v1');
const canary = (docs: Manifest[]) => find(docs, 'Deployment', 'nginx-deployment-canary');

test('writes the fixed layout: numbered stages, rollback and current', () => {
  expect(files.map((file) => file.path)).toEqual([
    'nginx/stages/01-baseline.k8s.yaml',
    'nginx/current/nginx.k8s.yaml',
    'nginx/stages/02-canary.k8s.yaml',
    'nginx/stages/03-expand.k8s.yaml',
    'nginx/stages/04-promote.k8s.yaml',
    'nginx/stages/rollback.k8s.yaml',
  ]);
  expect(files[1].content).toBe(files[0].content);
});

test.each(stageFiles.map((file) => [file.path, file.content]))('%s matches the reviewed snapshot', (_path, content) => {
  expect(content).toMatchSnapshot();
});

test.each([
  ['baseline', 3, undefined],
  ['canary', 3, 1],
  ['expand', 3, 3],
  ['promote', 0, 3],
  ['rollback', 3, 0],
])('stage %s runs %i stable and %p canary pods', (stage, stableReplicas, canaryReplicas) => {
  const docs = byStage.get(stage)!;
  expect(stable(docs).spec.replicas).toBe(stableReplicas);
  expect(canary(docs)?.spec.replicas).toBe(canaryReplicas);
});

test('reproduces the walkthrough objects', () => {
  const docs = byStage.get('canary')!;
  expect(docs.map((doc) => `${doc.kind}/${doc.metadata.name}`)).toEqual([
    'Namespace/dev', 'Service/canary-demo', 'PodDisruptionBudget/nginx-deployment-v1', 'PodDisruptionBudget/nginx-deployment-canary',
    'Deployment/nginx-deployment-v1', 'Deployment/nginx-deployment-canary',
    // The canary grows into this stage: Argo CD's endpoint check waits for its pod.
    'ServiceAccount/nginx-endpoints', 'Role/nginx-endpoints', 'RoleBinding/nginx-endpoints', expect.stringMatching(/^ConfigMap\/nginx-endpoints-[0-9a-f]{10}$/), 'Job/nginx-endpoints',
  ]);
  const service = find(docs, 'Service');
  expect(service.spec.type).toBe('NodePort');
  expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 80, nodePort: 30008 }]);
  expect(stable(docs).spec.template.spec.containers[0].image).toBe('nginx:1.22');
  expect(canary(docs).spec.template.spec.containers[0].image).toBe('docker/getting-started');
  for (const deployment of [stable(docs), canary(docs)]) {
    expect(deployment.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80 }]);
  }
});

describe.each([...byStage.keys()])('stage %s', (stage) => {
  const docs = byStage.get(stage)!;

  test('every object validates against the Kubernetes schema', () => {
    for (const doc of docs) expect(() => validateAgainstSchema(doc)).not.toThrow();
  });

  test('the Namespace has no namespace; every other object is in it', () => {
    expect(find(docs, 'Namespace').metadata).not.toHaveProperty('namespace');
    for (const doc of docs.filter((d) => d.kind !== 'Namespace')) expect(doc.metadata.namespace).toBe('dev');
  });

  test('the Service selects both tracks through the shared label only', () => {
    const service = find(docs, 'Service');
    expect(service.spec.selector).toEqual({ app: 'nginx' });
    for (const deployment of docs.filter((d) => d.kind === 'Deployment')) {
      expect(matches(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
    }
  });

  test('pods meet the level the Namespace enforces, and root images may run as root', () => {
    expect(find(docs, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    for (const deployment of docs.filter((d) => d.kind === 'Deployment')) {
      const pod = deployment.spec.template.spec;
      expect(podSecurityViolations(pod, 'baseline')).toEqual([]);
      expect(pod.securityContext.runAsNonRoot).not.toBe(true);
      expect(pod.containers[0].securityContext.runAsNonRoot).not.toBe(true);
      // nginx writes its cache and pid file, with the root filesystem read-only
      const mounts = pod.containers[0].volumeMounts.map((m: Manifest) => m.mountPath);
      expect(mounts).toEqual(expect.arrayContaining(['/var/cache/nginx', '/var/run']));
      expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
      expect(pod.volumes.every((v: Manifest) => v.emptyDir)).toBe(true);
    }
  });

  test('pods are sized for a small cluster and become ready only when their port answers', () => {
    for (const deployment of docs.filter((d) => d.kind === 'Deployment')) {
      const container = deployment.spec.template.spec.containers[0];
      expect(container.resources.requests).toEqual({ cpu: '100m', memory: '64Mi' });
      expect(container.readinessProbe.tcpSocket).toEqual({ port: 80 });
    }
  });

  test('nothing derived from a construct path appears', () => {
    expect(JSON.stringify(docs)).not.toContain('cdk8s.io');
  });
});

describe('moving between stages', () => {
  test.each([['stable', stable], ['canary', canary]])('the %s Deployment changes only its replicas and sync wave', (_track, pick) => {
    const deployments = [...byStage.values()].map(pick).filter(Boolean);
    expect(deployments.length).toBeGreaterThanOrEqual(4);
    for (const deployment of deployments) {
      expect(stageInvariant(deployment)).toEqual(stageInvariant(deployments[0]));
      expect(deployment.spec.template).toEqual(deployments[0].spec.template);
    }
  });

  test('the two Deployments never select each other\'s pods', () => {
    const docs = byStage.get('expand')!;
    const [s, c] = [stable(docs), canary(docs)];
    expect(s.spec.selector.matchLabels).toEqual({ app: 'nginx', track: 'stable' });
    expect(c.spec.selector.matchLabels).toEqual({ app: 'nginx', track: 'canary' });
    expect(matches(s.spec.selector.matchLabels, c.spec.template.metadata.labels)).toBe(false);
    expect(matches(c.spec.selector.matchLabels, s.spec.template.metadata.labels)).toBe(false);
    expect(matches(s.spec.selector.matchLabels, s.spec.template.metadata.labels)).toBe(true);
    expect(matches(c.spec.selector.matchLabels, c.spec.template.metadata.labels)).toBe(true);
  });

  test('Service and Namespace are the same in every stage', () => {
    const services = [...byStage.values()].map((docs) => find(docs, 'Service'));
    const namespaces = [...byStage.values()].map((docs) => find(docs, 'Namespace'));
    for (const service of services) expect(service).toEqual(services[0]);
    for (const namespace of namespaces) expect(namespace).toEqual(namespaces[0]);
  });
});

describe('one render serves every stage', () => {
  test.each([...byStage.keys()])('stage %s equals CanaryApp rendering that stage alone', (stage) => {
    const chart = new Chart(new App(), 'test');
    new CanaryApp(chart, 'nginx', { ...walkthrough, stage });
    expect(byStage.get(stage)).toEqual(Testing.synth(chart));
  });

  test('same spec, byte-identical files', () => {
    expect(renderOne(walkthrough)).toEqual(files);
  });
});

describe('the restricted profile', () => {
  const app: AppSpec = { name: 'web', namespace: 'shop', port: 8080, stable: { image: 'web:1.0' }, canary: { image: 'web:1.1' } };
  const docs = parseManifests(renderOne({ ...app, createNamespace: true }).find((file) => file.path.endsWith('rollback.k8s.yaml'))!.content);

  test('pods meet restricted and the Namespace enforces it', () => {
    expect(find(docs, 'Namespace').metadata).toEqual({
      name: 'shop',
      labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
      annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' },
    });
    for (const deployment of docs.filter((d) => d.kind === 'Deployment')) {
      expect(podSecurityViolations(deployment.spec.template.spec, 'restricted')).toEqual([]);
      expect(deployment.spec.template.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
    }
    for (const doc of docs) expect(() => validateAgainstSchema(doc)).not.toThrow();
  });

  test('defaults: no Namespace, names, a NodePort Service, 3 replicas, writable /tmp only', () => {
    expect(parseManifests(renderOne(app).find((file) => file.path.endsWith('rollback.k8s.yaml'))!.content)
      .map((doc) => `${doc.kind}/${doc.metadata.name}`)).toEqual([
        'Service/web', 'PodDisruptionBudget/web-stable', 'PodDisruptionBudget/web-canary', 'Deployment/web-stable', 'Deployment/web-canary',
        'ServiceAccount/web-endpoints', 'Role/web-endpoints', 'RoleBinding/web-endpoints', expect.stringMatching(/^ConfigMap\/web-endpoints-/), 'Job/web-endpoints',
      ]);
    expect(find(docs, 'Service').spec).toMatchObject({ type: 'NodePort', ports: [{ port: 8080, targetPort: 8080 }], selector: { app: 'web' } });
    const pod = find(docs, 'Deployment', 'web-stable').spec.template.spec;
    expect(find(docs, 'Deployment', 'web-stable').spec.replicas).toBe(3);
    expect(pod.containers[0].volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    // Kubernetes' own rule picks the pull policy: IfNotPresent for a pinned tag.
    expect(pod.containers[0]).not.toHaveProperty('imagePullPolicy');
  });
});
