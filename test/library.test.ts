import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryApp } from '../src/constructs/canary-app';
import type { CanaryAppProps } from '../src/constructs/props';
import { CanaryRelease } from '../src/constructs/canary-release';
import { SecurityProfile, type AppSpec } from '../src/spec/types';
import { SpecError } from '../src/spec/problems';
import { parseManifests, type Manifest } from './cluster-rules';
import { outputOf, PROCESS_TEST_TIMEOUT, root, runCommand, tempDir } from './helpers';
import { renderOne, resolveOne } from './stage-files';

const base: CanaryAppProps = { namespace: 'shop', stable: { image: 'web:1.0' }, canary: { image: 'web:1.1' } };

/** The lines of the SpecError a CanaryApp with these props throws, and the objects its chart then holds. */
function refusal(props: unknown, id = 'web', chartProps = {}): { lines: string[]; objects: Manifest[] } {
  const chart = new Chart(Testing.app(), 'test', chartProps);
  try {
    new CanaryApp(chart, id, props as CanaryAppProps);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return { lines: (error as SpecError).message.split('\n'), objects: Testing.synth(chart) };
  }
  throw new Error('CanaryApp accepted the props');
}

test('bad props get one line each naming the prop, its value and the rule, and no object is made', () => {
  const { lines, objects } = refusal({
    ...base, name: 'Web_App', port: 99999, stable: { image: 'web 1.0', replicas: -2 }, resources: { requests: { cpu: 'lots' } },
  });
  expect(lines).toEqual([
    'CanaryApp "web": "name" is "Web_App": must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit',
    'CanaryApp "web": "port" is 99999: must be a whole number from 1 to 65535',
    'CanaryApp "web": "stable.image" is "web 1.0": must be an image reference name[:tag][@digest] with a tag or a full digest, such as nginx:1.22 or registry.example/team/app@sha256:<64 hex digits>',
    'CanaryApp "web": "stable.replicas" is -2: must be a whole number from 0 to 1000',
    'CanaryApp "web": "resources.requests.cpu" is "lots": must be a CPU quantity such as 100m or 0.5',
  ]);
  expect(objects).toEqual([]);
});

// One case per rule family; the message is the CLI's, without the file position and `apps[N].`.
test.each<[string, unknown, string]>([
  ['a wrong type', { ...base, canary: { image: 42 } }, '"canary.image" is 42: must be of type string'],
  ['a missing field', { ...base, stable: {} }, '"stable.image" is required'],
  ['an unknown key', { ...base, replica: 3 }, '"replica" is not a known key: allowed keys here are name, namespace, createNamespace'],
  ['a value out of range', { ...base, stable: { image: 'web:1', replicas: 1001 } }, '"stable.replicas" is 1001: must be a whole number from 0 to 1000'],
  ['a value not allowed', { ...base, securityProfile: 'privileged' }, '"securityProfile" is "privileged": must be one of restricted, baseline'],
  ['a pattern', { ...base, writablePaths: ['tmp'] }, '"writablePaths[0]" is "tmp": must be an absolute path without spaces'],
  ['a rule across fields', { ...base, resources: { limits: { memory: '32Mi' } } }, '"resources.limits.memory" is "32Mi": must be at least the request, 64Mi'],
  ['a stage rule', { ...base, stages: [{ name: 'a', canaryPercent: 10 }, { name: 'a', canaryPercent: 20 }] }, '"stages[1].name" is "a": already used by stages[0]'],
  ['a capacity rule', { ...base, stages: [{ name: 'thin', stableReplicas: 1, canaryReplicas: 1 }] }, '"stages[0]" runs 1 stable and 1 canary replicas, which carry 66% of the traffic'],
  ['a routing rule', { ...base, routing: { match: [{ header: 'x-canary', value: 'always' }] } }, '"routing" needs gatewayApi or istio (or both)'],
  ['a cluster rule', { ...base, namespace: 'kube-system', createNamespace: true }, '"createNamespace" is true: "kube-system" is a system namespace'],
  ['a stage that is not in the plan', { ...base, stage: 'expnad' }, '"stage" is "expnad": did you mean expand? must be a stage of the plan: baseline, canary, expand, promote, rollback'],
  ['no props at all', undefined, '"props" is undefined: must be an object with the app\'s keys'],
  ['props of the wrong type', 'web:1.0', '"props" is "web:1.0": must be an object with the app\'s keys'],
])('%s', (_case, props, message) => {
  const { lines, objects } = refusal(props);
  expect(lines.some((line) => line.startsWith(`CanaryApp "web": ${message}`))).toBe(true);
  expect(objects).toEqual([]);
});

describe('defaults a cdk8s user expects', () => {
  test('the name is the construct id and the namespace the Chart\'s', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const web = new CanaryApp(chart, 'web', { stable: { image: 'web:1.0' }, canary: { image: 'web:1.1' } });
    expect(web.spec).toMatchObject({ name: 'web', namespace: 'shop', service: { name: 'web' }, stable: { name: 'web-stable' } });
    const docs = Testing.synth(chart);
    expect(docs.map((doc) => `${doc.kind}/${doc.metadata.namespace}/${doc.metadata.name}`)).toEqual([
      'Service/shop/web', 'PodDisruptionBudget/shop/web-stable', 'Deployment/shop/web-stable',
      'ServiceAccount/shop/web-endpoints', 'Role/shop/web-endpoints', 'RoleBinding/shop/web-endpoints', expect.stringMatching(/^ConfigMap\/shop\/web-endpoints-/), 'Job/shop/web-endpoints',
    ]);
    expect(docs[0].metadata.labels['app.kubernetes.io/instance']).toBe('web');
  });

  test('an id that is no valid name is named as the source of the name', () => {
    expect(refusal({ ...base }, 'Web_App').lines).toEqual([
      'CanaryApp "Web_App": "name" is not given, so the construct id "Web_App" is used: must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit',
    ]);
  });

  test('without a namespace in props or Chart, both ways to give one are named', () => {
    expect(refusal({ stable: { image: 'web:1.0' }, canary: { image: 'web:1.1' } }).lines).toEqual([
      'CanaryApp "web": "namespace" is required: give namespace, or give the enclosing Chart a namespace',
    ]);
  });

  test('the props\' own name and namespace win over the id and the Chart\'s', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'elsewhere' });
    expect(new CanaryApp(chart, 'x', { ...base, name: 'web' }).spec).toMatchObject({ name: 'web', namespace: 'shop' });
  });
});

describe('several CanaryApps in one chart follow the rules across apps of one spec', () => {
  test('a namespace two apps create is emitted once, by the first', () => {
    const chart = new Chart(Testing.app(), 'test');
    const a = new CanaryApp(chart, 'a', { ...base, createNamespace: true });
    const b = new CanaryApp(chart, 'b', { ...base, createNamespace: true });
    expect(a.namespace).toBeDefined();
    expect(b.namespace).toBeUndefined();
    expect(Testing.synth(chart).filter((doc) => doc.kind === 'Namespace')).toHaveLength(1);
  });

  test('conflicting Pod Security levels for one namespace are an error', () => {
    const chart = new Chart(Testing.app(), 'test');
    new CanaryApp(chart, 'a', { ...base, createNamespace: true });
    expect(() => new CanaryApp(chart, 'b', { ...base, securityProfile: SecurityProfile.BASELINE })).toThrow(
      'CanaryApp "b": "securityProfile" is "baseline": namespace "shop" is created by "test/a" enforcing "restricted"',
    );
  });

  test('two apps with one Service name are an error', () => {
    const chart = new Chart(Testing.app(), 'test');
    new CanaryApp(chart, 'a', base);
    expect(() => new CanaryApp(chart, 'b', { ...base, service: { name: 'a' } })).toThrow(
      'CanaryApp "b": "service.name" is "a": same Service in the same namespace as "test/a.service.name"',
    );
  });
});

describe('render takes objects by identity', () => {
  test.each<[string, AppSpec]>([
    ['a plan without a canary', { name: 'hold', namespace: 'shop', createNamespace: true, stable: { image: 'web:1' }, canary: { image: 'web:2' }, stages: [{ name: 'hold', stableReplicas: 3, canaryReplicas: 0 }] }],
    ['a plan with a canary in every stage', { name: 'all', namespace: 'shop', createNamespace: true, stable: { image: 'web:1' }, canary: { image: 'web:2' }, stages: [{ name: 'tenth', canaryPercent: 10 }, { name: 'all', canaryPercent: 100 }] }],
    ['config, Secrets and autoscalers on both tracks', {
      name: 'conf', namespace: 'shop',
      stable: { image: 'web:1', env: { A: '1' }, config: { mountPath: '/etc/web', files: { 'a.conf': { content: 'a' } } }, secretMounts: [{ secret: 'tls', mountPath: '/tls' }], autoscaling: { maxReplicas: 6, cpuUtilization: 60 } },
      canary: { image: 'web:1', env: { A: '2' }, secretEnvFrom: ['db'], autoscaling: { maxReplicas: 9, memoryUtilization: 70 } },
      disruptionBudget: { maxUnavailable: 2 }, topologySpread: { enabled: false },
    }],
  ])('%s: every stage equals CanaryApp rendering it alone', (_case, app) => {
    const files = renderOne(app).filter((file) => file.path.includes('/stages/'));
    const { plan } = resolveOne(app);
    expect(files).toHaveLength(plan.stages.length);
    plan.stages.forEach((stage, i) => {
      const chart = new Chart(new App(), 'test');
      new CanaryApp(chart, app.name, { ...app, stage: stage.name });
      expect(parseManifests(files[i].content)).toEqual(Testing.synth(chart));
    });
  });

  test('the hold-only plan writes the Namespace, the Service and the Deployment (no move grows a track: no endpoint check)', () => {
    const app: AppSpec = { name: 'hold', namespace: 'shop', createNamespace: true, stable: { image: 'web:1' }, canary: { image: 'web:2' }, stages: [{ name: 'hold', stableReplicas: 3, canaryReplicas: 0 }] };
    for (const file of renderOne(app)) {
      expect(parseManifests(file.content).map((doc) => `${doc.kind}/${doc.metadata.name}`)).toEqual(['Namespace/shop', 'Service/hold', 'PodDisruptionBudget/hold-stable', 'Deployment/hold-stable']);
    }
  });
});

describe('CanaryRelease: every stage from the user\'s own app', () => {
  const props = { namespace: 'shop', createNamespace: true, port: 8080, stable: { image: 'shop:1.4.0', replicas: 4 }, canary: { image: 'shop:1.5.0' } };

  test('one Chart per stage, each with the CanaryApp of that stage and the user\'s own object', () => {
    const outdir = tempDir('release');
    try {
      const app = new App({ outdir });
      const release = new CanaryRelease(app, 'shop', props);
      for (const stage of release.stages) new kplus.ConfigMap(stage.chart, 'config', { metadata: { name: 'shop-config', namespace: 'shop' }, data: { stage: stage.name } });
      expect(release.stages.map((stage) => [stage.name, stage.fileName, stage.app.stage.name])).toEqual([
        ['baseline', '01-baseline', 'baseline'], ['canary', '02-canary', 'canary'], ['expand', '03-expand', 'expand'],
        ['promote', '04-promote', 'promote'], ['rollback', 'rollback', 'rollback'],
      ]);
      app.synth();
      expect(readdirSync(app.outdir).sort()).toEqual([
        'shop-01-baseline.k8s.yaml', 'shop-02-canary.k8s.yaml', 'shop-03-expand.k8s.yaml', 'shop-04-promote.k8s.yaml', 'shop-rollback.k8s.yaml',
      ]);
      // The same objects as the CLI's files, plus the user's ConfigMap.
      const cli = new Map(renderOne({ name: 'shop', ...props }).map((file) => [file.path, parseManifests(file.content)]));
      for (const stage of release.stages) {
        const written = parseManifests(readFileSync(join(app.outdir, `shop-${stage.fileName}.k8s.yaml`), 'utf8'));
        const users = (doc: Manifest) => doc.metadata.name === 'shop-config';
        expect(written.filter(users).map((doc) => doc.data)).toEqual([{ stage: stage.name }]);
        expect(written.filter((doc) => !users(doc))).toEqual(cli.get(`shop/stages/${stage.fileName}.k8s.yaml`));
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('its props are checked like CanaryApp\'s, and stage is not one of them', () => {
    expect(() => new CanaryRelease(new App(), 'shop', { ...props, stable: { image: 'shop:1', replicas: -1 } })).toThrow('CanaryRelease "shop": "stable.replicas" is -1');
    expect(() => new CanaryRelease(new App(), 'shop', { ...props, stage: 'canary' } as never)).toThrow('CanaryRelease "shop": "stage" is not a CanaryRelease prop');
    expect(() => new CanaryRelease(new App(), 'shop', { stable: { image: 'a:1' }, canary: { image: 'a:2' } })).toThrow('CanaryRelease "shop": "namespace" is required');
  });

  test('works from `cdk8s synth` of a user\'s main.ts', () => {
    const dir = tempDir('user');
    try {
      const repo = root;
      // The user's project: this package and its peers in node_modules, as npm would install them.
      mkdirSync(join(dir, 'node_modules'));
      for (const name of ['cdk8s', 'cdk8s-plus-27', 'constructs', '@types']) symlinkSync(join(repo, 'node_modules', name), join(dir, 'node_modules', name));
      symlinkSync(repo, join(dir, 'node_modules', 'cdk8s-canary'));
      const tsc = join(repo, 'node_modules', '.bin', 'tsc');
      writeFileSync(join(dir, 'cdk8s.yaml'), `language: typescript\napp: ${tsc} --strict --target ES2022 --module commonjs --types node main.ts && node main.js\n`);
      writeFileSync(join(dir, 'main.ts'), [
        "import { App } from 'cdk8s';",
        "import * as kplus from 'cdk8s-plus-27';",
        "import { CanaryRelease } from 'cdk8s-canary';",
        'const app = new App();',
        `const release = new CanaryRelease(app, 'shop', ${JSON.stringify(props)});`,
        "for (const stage of release.stages) new kplus.ConfigMap(stage.chart, 'config', { metadata: { name: 'shop-config' }, data: { stage: stage.name } });",
        'app.synth();',
      ].join('\n'));
      outputOf(runCommand([join(repo, 'node_modules', '.bin', 'cdk8s'), 'synth'], { cwd: dir }), 'cdk8s synth');
      const written = readdirSync(join(dir, 'dist')).sort();
      expect(written).toEqual(['shop-01-baseline.k8s.yaml', 'shop-02-canary.k8s.yaml', 'shop-03-expand.k8s.yaml', 'shop-04-promote.k8s.yaml', 'shop-rollback.k8s.yaml']);
      const cli = new Map(renderOne({ name: 'shop', ...props }).map((file) => [file.path, parseManifests(file.content)]));
      for (const file of written) {
        const docs = parseManifests(readFileSync(join(dir, 'dist', file), 'utf8'));
        const users = (doc: Manifest) => doc.kind === 'ConfigMap' && doc.metadata.name === 'shop-config';
        expect(docs.filter(users)).toHaveLength(1);
        expect(docs.filter((doc) => !users(doc))).toEqual(cli.get(`shop/stages/${file.replace(/^shop-/, '')}`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, PROCESS_TEST_TIMEOUT);
});

test('a library warning reaches standard error once, as cdk8s synth shows it, even from every stage of a CanaryRelease', () => {
  const script = `
    const { App } = require('cdk8s');
    const { CanaryRelease } = require('./lib');
    const app = new App({ outdir: process.argv[1] });
    new CanaryRelease(app, 'web', { namespace: 'shop', port: 8080, stable: { image: 'web:1.0' }, canary: { image: 'web:latest' } });
  `;
  const outdir = tempDir('warn');
  try {
    const result = runCommand([process.execPath, '-e', script, outdir], { cwd: root });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('warning: CanaryApp "web": "canary.image" is "web:latest": untagged or :latest images change under you; pin a tag or digest\n');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}, PROCESS_TEST_TIMEOUT);
