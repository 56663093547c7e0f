/**
 * Adopting a running app from its real files, as charts and kustomize bases give them: the running
 * pods stay behind the Service while the tracks start beside them; budgets and autoscalers of the app
 * are named with what to do; the app's Deployment and Service are picked from files holding more;
 * what the spec leaves out is read from the Deployment. Fixtures are shaped like `helm template`
 * of a bitnami chart and like microservices-demo's release file, written here.
 */
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { resolveSpec } from '../src/model/resolve';
import { synthesize } from '../src/render/synth';
import { parseManifests, validateAgainstSchema, type Manifest } from './cluster-rules';
import { PROCESS_TEST_TIMEOUT, run, tempDir } from './helpers';
import { CHART_LABELS, CHART_SELECTOR, chartRelease, microservice } from './real-files';

const chart = chartRelease('web');
const release = [...microservice('frontend', 8080), ...microservice('cartservice', 7070), ...microservice('checkoutservice', 5050)];
const yamlOf = (objects: readonly Manifest[]) => objects.map((object) => stringify(object)).join('---\n');

describe('adopting a running app', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('adopt');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, objects: readonly Manifest[]) => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), yamlOf(objects));
  };
  const spec = (app: object) => ({ apps: [{ name: 'web', namespace: 'web', canary: { image: 'docker.io/bitnami/nginx:1.27.4' }, ...app }] });
  const stage = (app: object, name = '01-baseline') => parseManifests(synthesize(spec(app) as any, undefined, dir)
    .find((file) => file.path === `web/stages/${name}.k8s.yaml`)!.content);

  test('a chart\'s Service keeps its selector, which its running pods and both tracks carry: no pod leaves it', () => {
    write('web.yaml', chart);
    const objects = stage({ from: 'web.yaml', stage: 'canary' }, '02-canary');
    const shared = objects.find((doc) => doc.kind === 'Service' && doc.metadata.name === 'web-nginx')!;
    // Without the chart's selector kept, the Service would select app=web, which no running pod carries.
    expect(shared.spec.selector).toEqual(CHART_SELECTOR);
    const deployments = objects.filter((doc) => doc.kind === 'Deployment');
    expect(deployments.map((doc) => doc.metadata.name)).toEqual(['web-stable', 'web-canary']);
    for (const doc of deployments) {
      const labels = doc.spec.template.metadata.labels;
      // The chart's own labels stay (NetworkPolicies and PodMonitors select them), the tracks' selectors are added.
      expect(labels).toEqual({ ...CHART_LABELS, app: 'web', track: doc.metadata.labels.track });
      expect(Object.entries(shared.spec.selector).every(([key, value]) => labels[key] === value)).toBe(true);
      expect(() => validateAgainstSchema(doc)).not.toThrow();
    }
  });

  test('a release file\'s `app` label is the app\'s label, so its Service selects both tracks as it selects the running pods', () => {
    write('release.yaml', release);
    const resolved = resolveSpec(spec({ name: 'shop-frontend', from: { file: 'release.yaml', deployment: 'frontend' }, canary: { image: 'gcr.io/shop/frontend:v0.10.2' } }), dir);
    const [app] = resolved.apps;
    expect([app.spec.appLabel, app.spec.service.name, app.spec.service.selector]).toEqual(['frontend', 'frontend', { app: 'frontend' }]);
    expect(() => resolveSpec(spec({ from: { file: 'release.yaml', deployment: 'frontend' }, appLabel: 'web', canary: { image: 'gcr.io/shop/frontend:v0.10.2' } }), dir))
      .toThrow('"apps[0].appLabel" is "web": the pod template labels its pods app=frontend, which the tracks\' selectors would change; set appLabel to "frontend", or leave it out');
  });

  test('a template labelled with the track label is refused: the tracks are told apart by it', () => {
    expect(() => resolveSpec(spec({
      stable: { image: 'web:1' }, canary: { image: 'web:2' },
      podTemplate: { metadata: { labels: { app: 'web', track: 'stable' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
    }), dir)).toThrow('"apps[0].podTemplate.metadata.labels.track" is "stable": the tracks are told apart by this label; leave it out of the template');
  });

  test('the chart\'s budget and autoscaler are named, with what to delete and what to set instead', () => {
    write('web.yaml', chart);
    const { warnings } = resolveSpec(spec({ from: 'web.yaml' }), dir);
    const lines = warnings.map((each) => `${each.source}:${each.line}: ${each.message}`);
    expect(lines).toContain(`${relative(process.cwd(), join(dir, 'web.yaml'))}:12: PodDisruptionBudget web-nginx is left out: it selects the app's pods, so it would cover both tracks beside the budget the tool gives each (disruptionBudget), and a pod under two budgets cannot be evicted (kubectl drain fails); delete it when you retire your Deployment, or set disruptionBudget: { enabled: false } to keep it`);
    expect(lines.some((line) => line.endsWith('HorizontalPodAutoscaler web-nginx is left out: it scales your Deployment web-nginx, which the migration retires; delete it with that Deployment, and give the app stable: { replicas: 2, autoscaling: { maxReplicas: 11, cpuUtilization: 50 } }'))).toBe(true);
    expect(lines.some((line) => line.endsWith('ServiceAccount web-nginx is left out: only the app\'s Deployment and Service are taken'))).toBe(true);
  });

  test('stable\'s image and replicas come from the Deployment when the spec gives none, and plan says so', () => {
    write('web.yaml', chart);
    writeFileSync(join(dir, 'canary.yaml'), stringify(spec({ from: 'web.yaml' })));
    const [app] = resolveSpec(spec({ from: 'web.yaml' }), dir).apps;
    expect([app.spec.stable.image, app.spec.stable.replicas, app.spec.canary.replicas]).toEqual(['docker.io/bitnami/nginx:1.27.3', 2, 2]);
    const given = resolveSpec(spec({ from: 'web.yaml', stable: { image: 'docker.io/bitnami/nginx:1.27.2', replicas: 4 } }), dir).apps[0];
    expect([given.spec.stable.image, given.spec.stable.replicas, given.spec.workload.taken]).toEqual(['docker.io/bitnami/nginx:1.27.2', 4, []]);
    const plan = run(['plan'], { cwd: dir });
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('stable.image: docker.io/bitnami/nginx:1.27.3, from your Deployment (the spec gives none)');
    expect(plan.stdout).toContain('stable.replicas: 2, from your Deployment (the spec gives none)');
    expect(plan.stdout).toContain('Service web-nginx: selects app.kubernetes.io/name=nginx,app.kubernetes.io/instance=web, both tracks (your Service\'s selector, which reaches your running pods too)');
    expect(() => resolveSpec({ apps: [{ name: 'web', namespace: 'web', stable: {}, canary: { image: 'web:2' } }] }, dir)).toThrow('"apps[0].stable.image" is required');
    expect(() => resolveSpec(spec({ from: 'web.yaml', canary: {} }), dir)).toThrow('"apps[0].canary.image" is required');
  }, PROCESS_TEST_TIMEOUT);

  test('finish writes out the stable image a release changed, where the spec took it from the Deployment', () => {
    write('web.yaml', chart);
    writeFileSync(join(dir, 'canary.yaml'), 'apps:\n  - name: web\n    namespace: web\n    from: web.yaml\n    stage: promote\n    stable: { replicas: 2 }\n    canary: { image: "docker.io/bitnami/nginx:1.27.4" }\n');
    const result = run(['finish', 'web'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(readFileSync(join(dir, 'canary.yaml'), 'utf8'))
      .toBe('apps:\n  - name: web\n    namespace: web\n    from: web.yaml\n    stage: baseline\n    stable: { replicas: 2, image: docker.io/bitnami/nginx:1.27.4 }\n    canary: { image: "docker.io/bitnami/nginx:1.27.4" }\n');
  }, PROCESS_TEST_TIMEOUT);
});

describe('real files as they come', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('files');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  };
  const app = (extra: object) => ({ apps: [{ name: 'cart', namespace: 'shop', canary: { image: 'gcr.io/shop/cartservice:v0.10.2' }, ...extra }] });
  const resolved = (extra: object, base = dir) => resolveSpec(app(extra), base);

  test('a file of many apps: the Deployment is named, its Service found by selector or named', () => {
    write('release.yaml', yamlOf(release));
    expect(() => resolved({ from: 'release.yaml' }))
      .toThrow('"apps[0].from" is "release.yaml": holds 3 Deployments ("frontend", "cartservice", "checkoutservice"): name the app\'s, as from: { file: ..., deployment: <name> }');
    const [picked] = resolved({ from: { file: 'release.yaml', deployment: 'cartservice' } }).apps;
    expect([picked.spec.workload.pod.spec.containers[0].image, picked.spec.service.name, picked.spec.service.ports]).toEqual(['gcr.io/shop/cartservice:v0.10.1', 'cartservice', [{ name: 'grpc', port: 7070, targetPort: 7070 }]]);
    expect(() => resolved({ from: { file: 'release.yaml', deployment: 'carts' } }))
      .toThrow('"apps[0].from" is {"file":"release.yaml","deployment":"carts"}: holds no Deployment or StatefulSet named "carts"; it holds 3 Deployments: "frontend", "cartservice", "checkoutservice"');
    expect(() => resolved({ from: { file: 'release.yaml', deployment: 'cartservice', service: 'carts' } }))
      .toThrow('holds no Service named "carts"; its Services: "frontend", "cartservice", "checkoutservice"');
  });

  test('a kustomize base\'s split files read as one; the Deployment alone gets a Service made, with a warning saying so', () => {
    const [deployment, svc] = microservice('cartservice', 7070);
    write('base/deployment.yaml', yamlOf([deployment]));
    write('base/service.yaml', yamlOf([{ ...svc, metadata: { ...svc.metadata, annotations: { 'cloud.example.com/load-balancer': 'internal' } } }]));
    const both = resolved({ from: ['base/deployment.yaml', 'base/service.yaml'] });
    expect([both.apps[0].spec.service.name, both.apps[0].spec.service.annotations, both.warnings]).toEqual(['cartservice', { 'cloud.example.com/load-balancer': 'internal' }, []]);
    expect(both.apps[0].spec.workload.origin).toBe('from: base/deployment.yaml, base/service.yaml');
    const alone = resolved({ from: 'base/deployment.yaml' });
    expect(alone.warnings.map((each) => each.message)).toEqual([
      'is "base/deployment.yaml": it holds no Service that selects the Deployment\'s pods, so the tool makes Service cart (NodePort, port 7070, selecting app=cartservice); if a Service of the app runs, add its file (from: [deployment.yaml, service.yaml]) so its settings and selector are kept',
    ]);
    expect(() => resolved({ from: ['base/deployment.yaml', 'base/nowhere.yaml'] })).toThrow(`"apps[0].from[1]" is "base/nowhere.yaml": ${join(dir, 'base/nowhere.yaml')} does not exist`);
    expect(() => resolved({ from: [] })).toThrow('"apps[0].from" is []: must name at least one file');
  });

  test('a YAML alias without its anchor is said with the file and the alias\'s line', () => {
    write('app.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: cart, labels: &labels { app: cart } }\nspec:\n  selector: { matchLabels: *lables }\n');
    try {
      resolved({ from: 'app.yaml' });
      throw new Error('accepted');
    } catch (error) {
      expect((error as Error).message).toBe(`${relative(process.cwd(), join(dir, 'app.yaml'))}:5:28: YAML error: Unresolved alias (the anchor must be set before the alias): lables`);
    }
  });

  test('a sibling folder of a monorepo may be named, inside the repository; its .git folder never', () => {
    write('repo/.git/config', '[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n');
    write('repo/deploy/cart/release.yaml', yamlOf(release));
    write('outside.yaml', yamlOf(release));
    const specDir = join(dir, 'repo', 'canary');
    mkdirSync(specDir);
    const [picked] = resolved({ from: { file: '../deploy/cart/release.yaml', deployment: 'cartservice' } }, specDir).apps;
    expect(picked.spec.service.name).toBe('cartservice');
    expect(() => resolved({ from: '../.git/config' }, specDir)).toThrow(/"apps\[0\]\.from" is "\.\.\/\.git\/config": must not name a file in a \.git folder/);
    expect(() => resolved({ stable: { image: 'web:1', config: { mountPath: '/etc/web', files: { c: { path: '../.git/config' } } } } }, specDir))
      .toThrow(/must not name a file in a \.git folder/);
    // Outside the repository, as before.
    expect(() => resolved({ from: { file: '../../outside.yaml', deployment: 'cartservice' } }, specDir))
      .toThrow(`"apps[0].from.file" is "../../outside.yaml": must name a file inside the repository that holds the spec (${realpathSync(join(dir, 'repo'))}), which ${realpathSync(join(dir, 'outside.yaml'))} is not`);
  });
});

describe('defaults on a template of the user\'s: only what its Pod Security level requires, each listed by plan', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('defaults');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const spec = (extra: object) => ({ apps: [{ name: 'web', namespace: 'web', from: 'web.yaml', canary: { image: 'docker.io/bitnami/nginx:1.27.4' }, ...extra }] });
  const stable = (extra: object) => parseManifests(synthesize(spec(extra) as any, undefined, dir)
    .find((file) => file.path === 'web/stages/01-baseline.k8s.yaml')!.content).find((doc) => doc.kind === 'Deployment')!;

  test('nothing that can stop the app is added: no read-only root, memory limit, writable /tmp or token setting; restricted\'s requirements only', () => {
    // The chart's container as podinfo's would be: no capabilities said, no user beyond runAsNonRoot.
    const objects = chartRelease('web').map((object) => (object.kind !== 'Deployment' ? object : {
      ...object,
      spec: { ...object.spec, template: { ...object.spec.template, spec: { ...object.spec.template.spec, containers: [{ name: 'nginx', image: 'docker.io/bitnami/nginx:1.27.3', ports: [{ name: 'http', containerPort: 8080 }], securityContext: { runAsNonRoot: true } }] } } },
    }));
    writeFileSync(join(dir, 'web.yaml'), yamlOf(objects));
    const restricted = stable({}).spec.template.spec;
    expect(restricted.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
    expect(restricted.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' } });
    expect([restricted.volumes, restricted.containers[0].volumeMounts, restricted.automountServiceAccountToken]).toEqual([undefined, undefined, undefined]);
    expect(restricted.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    // Under baseline the level requires nothing: nothing is added to the security contexts.
    const baseline = stable({ securityProfile: 'baseline' }).spec.template.spec;
    expect([baseline.containers[0].securityContext, baseline.securityContext]).toEqual([{ runAsNonRoot: true }, undefined]);
    // Asked for, they are given.
    const asked = stable({ writablePaths: ['/tmp'], resources: { limits: { memory: '256Mi' } } }).spec.template.spec;
    expect([asked.volumes, asked.containers[0].resources.limits]).toEqual([[{ emptyDir: {}, name: 'tmp' }], { memory: '256Mi' }]);
    // Pods made from the spec's own keys stay hardened.
    const made = parseManifests(synthesize({ apps: [{ name: 'web', namespace: 'web', stable: { image: 'web:1' }, canary: { image: 'web:2' } }] })
      .find((file) => file.path === 'web/stages/01-baseline.k8s.yaml')!.content).find((doc) => doc.kind === 'Deployment')!.spec.template.spec;
    expect([made.containers[0].securityContext.readOnlyRootFilesystem, made.containers[0].resources.limits, made.automountServiceAccountToken, made.volumes]).toEqual([true, { memory: '128Mi' }, false, [{ emptyDir: {}, name: 'tmp' }]]);
  });

  test('plan lists each field added, in text and in --json, and nothing the template has', () => {
    writeFileSync(join(dir, 'web.yaml'), yamlOf(chartRelease('web')));
    writeFileSync(join(dir, 'canary.yaml'), stringify(spec({})));
    const text = run(['plan'], { cwd: dir });
    expect(text.status).toBe(0);
    const added = text.stdout.split('\n').filter((line) => line.includes('- added: ')).map((line) => line.trim());
    expect(added).toEqual([
      '- added: spec.containers[nginx].readinessProbe: {"tcpSocket":{"port":8080}}',
      '- added: spec.containers[nginx].resources: {"requests":{"cpu":"100m","memory":"64Mi"}}',
      '- added: spec.securityContext: {"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}}',
      '- added: spec.topologySpreadConstraints: [{"labelSelector":{"matchLabels":{"app":"web","track":"stable"}},"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"ScheduleAnyway"}]',
    ]);
    const json = JSON.parse(run(['plan', '--json'], { cwd: dir }).stdout);
    expect(json.apps[0].workload.added.map((each: { path: string }) => each.path))
      .toEqual(['spec.containers[nginx].readinessProbe', 'spec.containers[nginx].resources', 'spec.securityContext', 'spec.topologySpreadConstraints']);
    // The written Deployment is the given template with exactly those fields added (labels and image aside).
    const written = stable({}).spec.template;
    const given = chartRelease('web').find((doc) => doc.kind === 'Deployment')!.spec.template;
    const rebuilt = structuredClone(given);
    rebuilt.spec.securityContext = written.spec.securityContext;
    Object.assign(rebuilt.spec.containers[0], { readinessProbe: written.spec.containers[0].readinessProbe, resources: written.spec.containers[0].resources });
    rebuilt.spec.topologySpreadConstraints = written.spec.topologySpreadConstraints;
    expect({ ...written, metadata: { ...written.metadata, labels: undefined } }).toEqual({ ...rebuilt, metadata: { ...rebuilt.metadata, labels: undefined } });
  }, PROCESS_TEST_TIMEOUT);
});

describe('a worker: a template without a port', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('worker');
    // Shaped as microservices-demo's load generator: one container, env, no port, no Service.
    writeFileSync(join(dir, 'loadgenerator.yaml'), yamlOf([{
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'loadgenerator' },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'loadgenerator' } },
        template: {
          metadata: { labels: { app: 'loadgenerator' } },
          spec: {
            securityContext: { runAsUser: 1000, runAsNonRoot: true },
            containers: [{ name: 'main', image: 'gcr.io/shop/loadgenerator:v0.10.1', env: [{ name: 'FRONTEND_ADDR', value: 'frontend:80' }, { name: 'USERS', value: '10' }] }],
          },
        },
      },
    }]));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const spec = (extra: object) => ({ apps: [{ name: 'loadgenerator', namespace: 'shop', from: 'loadgenerator.yaml', canary: { image: 'gcr.io/shop/loadgenerator:v0.10.2' }, ...extra }] });
  const stage = (extra: object) => parseManifests(synthesize(spec(extra) as any, undefined, dir).find((file) => file.path === 'loadgenerator/stages/02-canary.k8s.yaml')!.content);

  test('gets Deployments only: no Service, and no port or readiness probe invented; synth and plan say so', () => {
    const objects = stage({});
    expect(objects.map((doc) => `${doc.kind}/${doc.metadata.name}`)).toEqual([
      'PodDisruptionBudget/loadgenerator-stable', 'PodDisruptionBudget/loadgenerator-canary', 'Deployment/loadgenerator-stable', 'Deployment/loadgenerator-canary',
    ]);
    for (const doc of objects.filter((each) => each.kind === 'Deployment')) {
      const [container] = doc.spec.template.spec.containers;
      expect([container.ports, container.readinessProbe]).toEqual([undefined, undefined]);
      expect(() => validateAgainstSchema(doc)).not.toThrow();
    }
    const { warnings } = resolveSpec(spec({}), dir);
    expect(warnings.map((each) => `"${each.path.join('.')}" ${each.message}`)).toEqual([
      '"apps.0.from" is "loadgenerator.yaml": the app\'s container main declares no port, and no Service is given, so the app is a worker: Deployments only, with no Service, no port and no readiness probe added; give port if it serves one',
    ]);
    writeFileSync(join(dir, 'canary.yaml'), stringify(spec({})));
    const plan = run(['plan'], { cwd: dir });
    expect(plan.stdout).toContain('loadgenerator: namespace shop (not created here: it must exist), no Service (a worker: no port), stable');
    expect(plan.stdout).toContain('teardown  kubectl delete deployment,poddisruptionbudget -n shop');
  }, PROCESS_TEST_TIMEOUT);

  test('is gated by its metrics alone: a route or a smoke check, which need a port, is refused', () => {
    const prometheus = { url: 'http://prometheus.monitoring:9090', queries: [{ name: 'errors', query: 'sum(rate(errors_total{track="canary"}[5m]))', max: 0 }] };
    const gated = stage({ verify: { prometheus } });
    expect(gated.filter((doc) => doc.kind === 'Service')).toEqual([]);
    const job = gated.find((doc) => doc.kind === 'Job')!;
    expect(job.spec.template.spec.containers[0].env.map((each: { name: string }) => each.name)).not.toContain('CANARY_URL');
    expect(() => resolveSpec(spec({ routing: { gatewayApi: { parentRefs: [{ name: 'shop' }] } } }), dir))
      .toThrow('"apps[0].routing" is given, but the app is a worker: its container main declares no port, and no Service is given; give port (the container\'s) to route its traffic');
    expect(() => resolveSpec(spec({ verify: { smoke: {} } }), dir)).toThrow('"apps[0].verify.smoke" is given, but the app is a worker');
    // A port given makes it an app that serves: a Service, and the probe on that port.
    const serving = stage({ port: 8089 });
    expect(serving.filter((doc) => doc.kind === 'Service').map((doc) => doc.spec.ports)).toEqual([[{ name: 'http', port: 8089, targetPort: 8089 }]]);
  });
});

describe('from takes only the app\'s Service, and nothing that would stop the plan\'s steps', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('guards');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const [frontend, frontendService] = microservice('frontend', 8080);
  const postgres = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'postgres' }, spec: { selector: { app: 'postgres' }, ports: [{ port: 5432 }] } };
  const resolved = (objects: readonly Manifest[], extra: object = {}) => {
    writeFileSync(join(dir, 'app.yaml'), yamlOf(objects));
    return resolveSpec({ apps: [{ name: 'frontend', namespace: 'shop', from: 'app.yaml', canary: { image: 'gcr.io/shop/frontend:v0.10.2' }, ...extra }] }, dir);
  };

  test('a file\'s only Service, selecting another app, is left out, not re-pointed at this one', () => {
    const { apps: [app], warnings } = resolved([frontend, postgres]);
    expect(app.spec.service.name).toBe('frontend');
    expect(app.spec.service.given).toBeUndefined();
    expect(warnings.map((each) => each.message)).toContain('Service postgres is left out: only the app\'s Deployment and Service are taken');
  });

  test('a Service named that does not serve the pods is refused, saying why', () => {
    expect(() => resolved([frontend, postgres], { from: { file: 'app.yaml', service: 'postgres' } }))
      .toThrow('"apps[0].from" is {"file":"app.yaml","service":"postgres"}: its Service "postgres" selects app=postgres, so it does not serve the Deployment\'s pods: name the app\'s Service');
    const external = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } };
    expect(() => resolved([frontend, external], { from: { file: 'app.yaml', service: 'db' } })).toThrow('its Service "db" is an ExternalName Service');
  });

  test('a Service without a type is ClusterIP, as the API server reads it; a headless one stays ClusterIP', () => {
    const { type: _type, ...untyped } = frontendService.spec;
    expect(resolved([frontend, { ...frontendService, spec: untyped }]).apps[0].spec.service.type).toBe('ClusterIP');
    expect(() => resolved([frontend, { ...frontendService, spec: { ...untyped, clusterIP: 'None' } }], { service: { type: 'NodePort' } }))
      .toThrow('"apps[0].service.type" is "NodePort": the from file\'s Service is headless (clusterIP: None), which only a ClusterIP Service may be');
  });

  test('a Deployment labelled as one of the tool\'s components, or paused, is refused', () => {
    expect(() => resolved([{ ...frontend, metadata: { ...frontend.metadata, labels: { 'app.kubernetes.io/component': 'router' } } }, frontendService]))
      .toThrow('"apps[0].from" holds a Deployment labelled app.kubernetes.io/component=router, the label by which the plan\'s kubectl steps tell the tool\'s router objects apart; change or remove it');
    expect(resolved([{ ...frontend, metadata: { ...frontend.metadata, labels: { 'app.kubernetes.io/component': 'frontend' } } }, frontendService]).apps).toHaveLength(1);
    expect(() => resolved([{ ...frontend, spec: { ...frontend.spec, paused: true } }, frontendService]))
      .toThrow('"apps[0].from" holds a Deployment with paused: true: no rollout of its tracks would ever finish, and the plan waits for each; remove it');
  });
});
