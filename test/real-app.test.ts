/**
 * Real apps: a Deployment and Service the user brings (`from`), a pod template in the spec
 * (`podTemplate`), or the spec's shortcuts; every field the user declared reaches both tracks.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { CanaryApp } from '../src/constructs/canary-app';
import { checkOutput } from '../src/io/check';
import { loadSpec } from '../src/engine/load';
import { synthesize } from '../src/render/synth';
import { OUTPUT_LAYOUT } from '../src/render/paths';
import { parseManifests, podSecurityViolations, validateAgainstSchema, type Manifest } from './cluster-rules';
import { PROCESS_TEST_TIMEOUT, root, run as runBin, tempDir } from './helpers';

const example = join(root, 'examples', 'real-app');
const source = parseAllDocuments(readFileSync(join(example, 'catalog.yaml'), 'utf8')).map((doc) => doc.toJS() as Manifest);
const given = source.find((doc) => doc.kind === 'Deployment')!;
const givenService = source.find((doc) => doc.kind === 'Service')!;
const stages = readdirSync(join(example, 'dist', 'catalog', 'stages'))
  .map((file) => [file, parseManifests(readFileSync(join(example, 'dist', 'catalog', 'stages', file), 'utf8'))] as const);

const POD_FIELDS = [
  'serviceAccountName', 'automountServiceAccountToken', 'imagePullSecrets', 'priorityClassName', 'terminationGracePeriodSeconds',
  'nodeSelector', 'tolerations', 'affinity',
];
const CONTAINER_FIELDS = ['name', 'command', 'args', 'ports', 'env', 'readinessProbe', 'livenessProbe', 'startupProbe', 'resources', 'volumeMounts'];
const pick = (object: Manifest, keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, object[key]]));

describe('examples/real-app: a Deployment and Service brought with from', () => {
  test('the committed output is what the spec produces', () => {
    expect(loadSpec(join(example, 'canary.yaml')).apps.map((app) => app.spec.name)).toEqual(['catalog']);
    const files = synthesizeExample();
    expect(checkOutput(join(example, 'dist'), files, { spec: '../canary.yaml', apps: ['catalog'], layout: OUTPUT_LAYOUT })).toEqual([]);
  });

  test.each(stages.map(([file]) => file))('%s: every field the Deployment declares is in both tracks, unchanged but for the image', (file) => {
    const docs = stages.find(([name]) => name === file)![1];
    const deployments = docs.filter((doc) => doc.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const deployment of deployments) {
      const track = deployment.metadata.labels.track;
      const image = track === 'stable' ? 'registry.example.com/catalog:2.4.0' : 'registry.example.com/catalog:2.5.0';
      for (const key of ['minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds', 'strategy']) expect(deployment.spec[key]).toEqual(given.spec[key]);
      expect(deployment.metadata.labels).toMatchObject(given.metadata.labels);
      expect(deployment.metadata.annotations).toMatchObject(given.metadata.annotations);
      const pod = deployment.spec.template;
      expect(pod.metadata.annotations).toEqual(given.spec.template.metadata.annotations);
      expect(pod.metadata.labels).toMatchObject({ ...given.spec.template.metadata.labels, track });
      expect(pick(pod.spec, POD_FIELDS)).toEqual(pick(given.spec.template.spec, POD_FIELDS));
      expect(pod.spec.volumes).toEqual(given.spec.template.spec.volumes);
      // What the pod declares stays; the level's defaults fill only what it leaves unset.
      expect(pod.spec.securityContext).toEqual({ ...given.spec.template.spec.securityContext, runAsNonRoot: true });
      given.spec.template.spec.containers.forEach((container: Manifest, i: number) => {
        expect(pick(pod.spec.containers[i], CONTAINER_FIELDS)).toEqual(pick(container, CONTAINER_FIELDS));
        expect(pod.spec.containers[i].securityContext).toMatchObject(container.securityContext ?? {});
      });
      expect(pod.spec.containers.map((container: Manifest) => container.image)).toEqual([image, 'registry.example.com/log-shipper:1.8.2']);
      // The migration runs the app's image: it follows the track.
      expect(pod.spec.initContainers.map((container: Manifest) => [container.name, container.image, container.command, container.env]))
        .toEqual(given.spec.template.spec.initContainers.map((container: Manifest) => [container.name, image, container.command, container.env]));
      expect(podSecurityViolations(pod.spec, 'restricted')).toEqual([]);
    }
    for (const doc of docs) expect(() => validateAgainstSchema(doc)).not.toThrow();
  });

  test('the Service keeps every port, by name, its type and its name, and selects both tracks', () => {
    for (const [, docs] of stages) {
      const service = docs.find((doc) => doc.kind === 'Service' && doc.metadata.name === 'catalog')!;
      expect(service.spec.ports).toEqual(givenService.spec.ports);
      expect(service.spec.type).toBe('ClusterIP');
      expect(service.spec.selector).toEqual({ app: 'catalog' });
      expect(service.metadata.labels).toMatchObject(givenService.metadata.labels);
    }
  });

  test('empty keys, as helm template writes them, are read as absent, as the API server reads them', () => {
    const dir = tempDir('helm-nulls');
    try {
      writeFileSync(join(dir, 'web.yaml'), [
        '# Source: web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n  labels:\n    app.kubernetes.io/name: web',
        'spec:\n  selector: { matchLabels: { app.kubernetes.io/name: web } }\n  template:\n    metadata:\n      annotations:\n      labels: { app.kubernetes.io/name: web }',
        '    spec:\n      securityContext: { runAsUser: 1001 }\n      nodeSelector:\n      containers:\n        - name: web\n          image: "web:1.0"\n          envFrom:\n          ports: [{ containerPort: 8080 }]\n',
      ].join('\n'));
      const files = synthesize({ apps: [{ name: 'web', namespace: 'web', from: 'web.yaml', stable: { image: 'web:1.0' }, canary: { image: 'web:1.1' } } as any] }, undefined, dir);
      const [stable] = parseManifests(files.find((file) => file.path === 'web/stages/01-baseline.k8s.yaml')!.content).filter((doc) => doc.kind === 'Deployment');
      const pod = stable.spec.template;
      expect([pod.metadata.annotations, pod.spec.nodeSelector, pod.spec.containers[0].envFrom]).toEqual([undefined, undefined, undefined]);
      expect(stable.metadata.labels['app.kubernetes.io/name']).toBe('web');
      expect(() => validateAgainstSchema(stable)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a from file\'s Service keeps its labels and annotations beside the tool\'s labels; the tracks\' own Services do not take them', () => {
    const dir = tempDir('service-meta');
    try {
      writeFileSync(join(dir, 'frontend.yaml'), [
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: frontend }\nspec:\n  selector: { matchLabels: { app: frontend } }',
        '  template:\n    metadata: { labels: { app: frontend } }\n    spec:\n      securityContext: { runAsUser: 1000 }',
        '      containers: [{ name: server, image: "frontend:1.0", ports: [{ containerPort: 8080 }] }]',
        '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: frontend\n  labels: { app: frontend, monitoring: enabled }',
        '  annotations:\n    external-dns.alpha.kubernetes.io/hostname: shop.example.com\n    service.beta.kubernetes.io/aws-load-balancer-type: nlb',
        'spec:\n  type: LoadBalancer\n  selector: { app: frontend }\n  ports: [{ name: http, port: 80, targetPort: 8080 }]\n',
      ].join('\n'));
      const files = synthesize({ apps: [{ name: 'frontend', namespace: 'shop', from: 'frontend.yaml', routing: { gatewayApi: { parentRefs: [{ name: 'gw' }] } }, stable: { image: 'frontend:1.0' }, canary: { image: 'frontend:1.1' } } as any] }, undefined, dir);
      for (const file of files.filter((each) => each.path.startsWith('frontend/stages/'))) {
        const services = parseManifests(file.content).filter((doc) => doc.kind === 'Service');
        const shared = services.find((doc) => doc.metadata.name === 'frontend')!;
        expect(shared.metadata.labels).toEqual({
          app: 'frontend', monitoring: 'enabled',
          'app.kubernetes.io/instance': 'frontend', 'app.kubernetes.io/managed-by': 'cdk8s-canary', 'app.kubernetes.io/name': 'frontend',
        });
        expect(shared.metadata.annotations).toEqual({
          'external-dns.alpha.kubernetes.io/hostname': 'shop.example.com', 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
        });
        const own = services.filter((doc) => doc !== shared);
        expect(own.map((doc) => doc.metadata.name).sort()).toEqual(['frontend-canary', 'frontend-stable']);
        for (const doc of own) expect([doc.metadata.labels.monitoring, doc.metadata.annotations]).toEqual([undefined, undefined]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('plan says what the tool sets over the template, and the file\'s other objects are named as left out', () => {
    const result = runBin(['plan', '-c', join(example, 'canary.yaml'), '-o', join(example, 'dist')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('workload: from: ./catalog.yaml, kept as written in both tracks, but for:');
    expect(result.stdout).toContain('yours selects app=catalog: a running Deployment\'s selector cannot change, so these run beside it');
    expect(result.stderr).toMatch(/catalog\.yaml:4:1: ServiceAccount catalog is left out/);
  }, PROCESS_TEST_TIMEOUT);
});

function synthesizeExample() {
  const spec = parseAllDocuments(readFileSync(join(example, 'canary.yaml'), 'utf8'))[0].toJS();
  return synthesize(spec, '../canary.yaml', example);
}

describe('refused, with nothing written', () => {
  const made: string[] = [];
  const folder = () => {
    const dir = tempDir('real');
    made.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const run = (dir: string, spec: string) => {
    writeFileSync(join(dir, 'canary.yaml'), spec);
    const result = runBin(['synth'], { cwd: dir });
    return { ...result, written: readdirSync(dir).filter((name) => name !== 'canary.yaml' && !name.endsWith('.yaml')) };
  };
  const app = (extra: string) => `apps:\n  - name: web\n    namespace: web\n${extra}    stable: { image: "web:1.0" }\n    canary: { image: "web:1.1" }\n`;

  test('a privileged container under restricted, naming the field and the rule', () => {
    const result = run(folder(), app('    runAsUser: 10001\n    podTemplate:\n      spec:\n        containers:\n          - name: web\n            securityContext: { privileged: true }\n'));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('canary.yaml:9:32: "apps[0].podTemplate.spec.containers[0].securityContext.privileged" is true: not allowed under restricted (privileged containers); nothing was written\n');
    expect(result.written).toEqual([]);
  }, PROCESS_TEST_TIMEOUT);

  test('a privileged container in a from file, naming the file and the field', () => {
    const dir = folder();
    writeFileSync(join(dir, 'web.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{ name: web, image: "web:1.0" }]\n');
    const result = run(dir, app('    from: web.yaml\n'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('"apps[0].from" is "web.yaml": its Deployment\'s spec.template.spec.hostNetwork is true: not allowed under restricted (sharing the host\'s namespaces)');
    expect(result.written).toEqual([]);
  }, PROCESS_TEST_TIMEOUT);

  test('a missing from file, and a file without a Deployment, name the file', () => {
    const dir = folder();
    expect(run(dir, app('    from: nowhere.yaml\n')).stderr).toBe(`canary.yaml:4:5: "apps[0].from" is "nowhere.yaml": ${join(dir, 'nowhere.yaml')} does not exist\n`);
    writeFileSync(join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: 80 }] }\n');
    expect(run(dir, app('    from: svc.yaml\n')).stderr).toContain('"apps[0].from" is "svc.yaml": holds no Deployment or StatefulSet; it must hold the app\'s');
  }, PROCESS_TEST_TIMEOUT);

  test('a file holding an Argo Rollouts Rollout says how to bring its pod template', () => {
    const dir = folder();
    writeFileSync(join(dir, 'rollout.yaml'), 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: rollouts-demo }\nspec:\n  strategy: { canary: { steps: [{ setWeight: 20 }] } }\n  selector: { matchLabels: { app: rollouts-demo } }\n  template:\n    metadata: { labels: { app: rollouts-demo } }\n    spec: { containers: [{ name: rollouts-demo, image: "argoproj/rollouts-demo:blue" }] }\n');
    const result = run(dir, app('    from: rollout.yaml\n'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('"apps[0].from" is "rollout.yaml": holds no Deployment or StatefulSet; it must hold the app\'s; it holds an Argo Rollouts Rollout ("rollouts-demo"), whose spec.template is a pod template: give that as podTemplate, or make the Rollout a Deployment (apiVersion apps/v1, kind Deployment, without the Rollout\'s spec.strategy and spec.workloadRef)');
    expect(result.written).toEqual([]);
  }, PROCESS_TEST_TIMEOUT);

  test('an unknown field in a from file is named with the file, line and column', () => {
    const dir = folder();
    writeFileSync(join(dir, 'web.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    spec:\n      containers:\n        - name: web\n          image: "web:1.0"\n          imagePolicy: Always\n');
    const result = run(dir, app('    from: web.yaml\n'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^web\.yaml:11:11: "spec\.template\.spec\.containers\[0\]\.imagePolicy" is not a known key: /);
  }, PROCESS_TEST_TIMEOUT);

  test('under restricted, a template that gives no user and does not say it runs as non-root is refused, saying what to set', () => {
    const template = (context: string) => app(`    podTemplate:\n      spec:\n${context}        containers: [{ name: web, image: "web:1.0" }]\n`);
    const refused = run(folder(), template(''));
    expect([refused.status, refused.written]).toEqual([1, []]);
    expect(refused.stderr).toBe('canary.yaml:2:5: "apps[0].runAsUser" is not set, nor a user or runAsNonRoot in the pod template: under restricted the pods must run as non-root, and the kubelet refuses to start an image whose USER is root or a name (USER app); set runAsUser to the image\'s numeric user, declare runAsNonRoot: true in the template if its USER is numeric, or set securityProfile: baseline; nothing was written\n');
    // Any of the three it names is enough.
    expect(run(folder(), template('        securityContext: { runAsNonRoot: true }\n')).status).toBe(0);
    expect(run(folder(), template('        securityContext: { runAsUser: 10001 }\n')).status).toBe(0);
    expect(run(folder(), template('').replace('    podTemplate:', '    securityProfile: baseline\n    podTemplate:')).status).toBe(0);
  }, PROCESS_TEST_TIMEOUT);
});

describe('the spec\'s own keys for the common cases', () => {
  const docs = () => {
    const files = synthesize({
      apps: [{
        name: 'api', namespace: 'api', port: 9898, runAsUser: 10001,
        readinessProbe: { http: { path: '/readyz' }, periodSeconds: 5 },
        livenessProbe: { exec: ['/app/api', 'healthcheck'] },
        ports: [{ name: 'metrics', port: 9797 }, { name: 'grpc', port: 9999, servicePort: 50051 }],
        podAnnotations: { 'prometheus.io/scrape': 'true' },
        serviceAccountName: 'api',
        command: ['/app/api'], args: ['--port=9898'],
        stable: { image: 'api:1.0' }, canary: { image: 'api:1.1' },
      }],
    });
    return parseManifests(files.find((file) => file.path === 'api/stages/02-canary.k8s.yaml')!.content);
  };

  test('probes, named ports, annotations, a service account and the command reach both tracks, and the Service has every port', () => {
    const all = docs();
    for (const deployment of all.filter((doc) => doc.kind === 'Deployment')) {
      const pod = deployment.spec.template;
      expect(pod.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
      expect(pod.spec.serviceAccountName).toBe('api');
      expect(pod.spec).not.toHaveProperty('automountServiceAccountToken');
      expect(pod.spec.containers[0]).toMatchObject({
        name: 'main', command: ['/app/api'], args: ['--port=9898'],
        ports: [{ containerPort: 9898 }, { containerPort: 9797, name: 'metrics' }, { containerPort: 9999, name: 'grpc' }],
        readinessProbe: { httpGet: { path: '/readyz', port: 9898 }, periodSeconds: 5 },
        livenessProbe: { exec: { command: ['/app/api', 'healthcheck'] } },
      });
    }
    expect(all.find((doc) => doc.kind === 'Service')!.spec.ports).toEqual([
      { name: 'http', port: 9898, targetPort: 9898 }, { name: 'metrics', port: 9797, targetPort: 'metrics' }, { name: 'grpc', port: 50051, targetPort: 'grpc' },
    ]);
    for (const doc of all) expect(() => validateAgainstSchema(doc)).not.toThrow();
  });
});

describe('what the template declares is kept, and a default fills only what it leaves out', () => {
  // Shaped as a chart's output: the container mounts /tmp from its own emptyDir (by subPath, as
  // bitnami's charts do) and says which capabilities it drops.
  const template = {
    spec: {
      volumes: [{ name: 'empty-dir', emptyDir: {} }],
      containers: [{
        name: 'nginx', image: 'web:1.0', ports: [{ name: 'http', containerPort: 8080 }],
        securityContext: { runAsUser: 1001, capabilities: { drop: ['ALL'] } },
        volumeMounts: [{ name: 'empty-dir', mountPath: '/tmp', subPath: 'tmp-dir' }, { name: 'empty-dir', mountPath: '/opt/app/conf', subPath: 'app-conf-dir' }],
      }],
    },
  };
  const app = (extra: object) => ({
    name: 'web', namespace: 'web', stage: 'canary', podTemplate: template,
    stable: { image: 'web:1.0' }, canary: { image: 'web:1.1' }, ...extra,
  });
  const deployments = (extra: object = {}) => parseManifests(synthesize({ apps: [app(extra) as any] })
    .find((file) => file.path === 'web/stages/02-canary.k8s.yaml')!.content).filter((doc) => doc.kind === 'Deployment');

  test('a path the template mounts gets no second mount from the default writable paths, and the Deployments pass the API\'s schema', () => {
    for (const baseline of [false, true]) {
      for (const deployment of deployments(baseline ? { securityProfile: 'baseline' } : {})) {
        const container = deployment.spec.template.spec.containers[0];
        expect(container.volumeMounts).toEqual(template.spec.containers[0].volumeMounts);
        expect(deployment.spec.template.spec.volumes).toEqual(template.spec.volumes);
        // The capabilities it declares are its own: nothing added, under either level.
        expect(container.securityContext.capabilities).toEqual({ drop: ['ALL'] });
        expect(() => validateAgainstSchema(deployment)).not.toThrow();
      }
    }
  });

  test('a container that declares capabilities without a drop gets restricted\'s drop of all, and nothing added', () => {
    const own = { ...template.spec.containers[0], securityContext: { runAsUser: 1001, capabilities: { add: ['NET_BIND_SERVICE'] } } };
    const [stable] = deployments({ podTemplate: { spec: { ...template.spec, containers: [own] } } });
    expect(stable.spec.template.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    const [baseline] = deployments({ securityProfile: 'baseline', podTemplate: { spec: { ...template.spec, containers: [own] } } });
    expect(baseline.spec.template.spec.containers[0].securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'] });
  });

  test('the app\'s container is the one that runs the app\'s image, not a sidecar listed before it; where none or several do, the spec must name it', () => {
    const proxy = { name: 'proxy', image: 'envoyproxy/envoy:v1.31.0', ports: [{ containerPort: 9901 }] };
    const web = { ...template.spec.containers[0], image: 'web:0.9' };
    const [stable] = deployments({ podTemplate: { spec: { ...template.spec, containers: [proxy, web] } } });
    const [first, second] = stable.spec.template.spec.containers;
    expect([first.name, first.image, first.readinessProbe, first.resources]).toEqual(['proxy', 'envoyproxy/envoy:v1.31.0', undefined, undefined]);
    expect([second.name, second.image, second.readinessProbe]).toEqual(['nginx', 'web:1.0', { tcpSocket: { port: 8080 } }]);
    const unnamed = 'is not set, and the pod template\'s containers (proxy, nginx) do not say which is the app\'s: none or several run "web"; name the app\'s container';
    expect(() => deployments({ podTemplate: { spec: { ...template.spec, containers: [proxy, { ...web, image: 'other:1' }] } } })).toThrow(`"apps[0].container" ${unnamed}`);
    expect(() => deployments({ podTemplate: { spec: { ...template.spec, containers: [{ ...proxy, image: 'web:0.8' }, web] } } })).toThrow(`"apps[0].container" ${unnamed}`);
    // Docker Hub's names are one image however they are spelled.
    const [hub] = deployments({
      stable: { image: 'docker.io/library/web:1.0' }, canary: { image: 'web:1.1' },
      podTemplate: { spec: { ...template.spec, containers: [proxy, { ...web, image: 'index.docker.io/library/web:0.9' }] } },
    });
    expect(hub.spec.template.spec.containers.map((each: Manifest) => each.image)).toEqual(['envoyproxy/envoy:v1.31.0', 'docker.io/library/web:1.0']);
    const [named] = deployments({ container: 'nginx', podTemplate: { spec: { ...template.spec, containers: [proxy, { ...web, image: 'other:1' }] } } });
    expect(named.spec.template.spec.containers.map((each: Manifest) => each.image)).toEqual(['envoyproxy/envoy:v1.31.0', 'web:1.0']);
  });

  test('a writable path, a config or a Secret mounted where the template mounts is refused, naming the template\'s mount', () => {
    const mountedBy = 'already mounted by the template\'s container nginx (volumeMounts[0], podTemplate)';
    expect(() => deployments({ writablePaths: ['/tmp'] })).toThrow(`"apps[0].writablePaths[0]" is "/tmp": ${mountedBy}`);
    expect(() => deployments({ writablePaths: ['/var/cache'], stable: { image: 'web:1.0', config: { mountPath: '/tmp', files: { 'a.conf': { content: 'a' } } } } }))
      .toThrow(`"apps[0].stable.config.mountPath" is "/tmp": ${mountedBy}`);
    expect(() => deployments({ canary: { image: 'web:1.1', secretMounts: [{ secret: 'tls', mountPath: '/opt/app/conf' }] } }))
      .toThrow('"apps[0].canary.secretMounts[0].mountPath" is "/opt/app/conf": already mounted by the template\'s container nginx (volumeMounts[1], podTemplate)');
  });
});

test('the library road: CanaryApp takes a pod template as plain data, and a user\'s field reaches both tracks', () => {
  const outdir = tempDir('lib');
  try {
    const chart = new Chart(new App({ outdir }), 'test');
    new CanaryApp(chart, 'web', {
      namespace: 'web', stage: 'canary',
      podTemplate: { spec: { nodeSelector: { pool: 'apps' }, containers: [{ name: 'web', image: 'web:1', ports: [{ name: 'http', containerPort: 8080 }] }] } },
      runAsUser: 10001,
      stable: { image: 'web:1.0' }, canary: { image: 'web:1.1' },
    });
    const deployments = Testing.synth(chart).filter((doc) => doc.kind === 'Deployment');
    expect(deployments.map((doc) => [doc.spec.template.spec.nodeSelector, doc.spec.template.spec.containers[0].image, doc.spec.template.spec.containers[0].readinessProbe]))
      .toEqual([[{ pool: 'apps' }, 'web:1.0', { tcpSocket: { port: 8080 } }], [{ pool: 'apps' }, 'web:1.1', { tcpSocket: { port: 8080 } }]]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
