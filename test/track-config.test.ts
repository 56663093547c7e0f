/**
 * Config per track, disruption budgets, topology spread and autoscaling: what each stage file holds,
 * what stays the same from stage to stage, and the errors for bad input.
 */
import { mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finishRelease } from '../src/engine/finish';
import { checkOutput } from '../src/io/check';
import { OUTPUT_LAYOUT } from '../src/render/paths';
import { formatPlan } from '../src/engine/plan-report';
import type { AppSpec } from '../src/spec/types';
import { loadSpec, parseSpec } from '../src/engine/load';
import { synthesize } from '../src/render/synth';
import { parseManifests, podSecurityViolations, validateAgainstSchema, type Manifest } from './cluster-rules';
import { tempDir } from './helpers';
import { find, problemsOf as problems, resolveOne, selects, stageManifests } from './stage-files';

const base: AppSpec = {
  name: 'shop',
  namespace: 'shop',
  createNamespace: true,
  port: 8080,
  stable: {
    image: 'registry.example/shop:1.0',
    env: { LOG_LEVEL: 'info', WORKERS: 4 },
    config: { mountPath: '/etc/shop', files: { 'app.conf': { content: 'mode = stable\n' } } },
    secretEnvFrom: ['shop-db'],
    secretMounts: [{ secret: 'shop-tls', mountPath: '/etc/tls' }],
  },
  canary: {
    image: 'registry.example/shop:1.0',
    env: { LOG_LEVEL: 'debug', WORKERS: 4 },
    config: { mountPath: '/etc/shop', files: { 'app.conf': { content: 'mode = canary\n' } } },
    secretEnvFrom: ['shop-db'],
    secretMounts: [{ secret: 'shop-tls', mountPath: '/etc/tls' }],
  },
};

const deployment = (docs: Manifest[], track: string) => docs.find((doc) => doc.kind === 'Deployment' && doc.metadata.labels.track === track);
/** The tracks' ConfigMaps (not the endpoint check's code). */
const configMaps = (docs: Manifest[]) => docs.filter((doc) => doc.kind === 'ConfigMap' && doc.metadata.labels['app.kubernetes.io/component'] === 'config');
const referenced = (doc: Manifest): string[] => doc.spec.template.spec.volumes.flatMap((volume: Manifest) => (volume.configMap ? [volume.configMap.name] : []));

describe('config per track', () => {
  const stages = stageManifests(base);
  const { spec } = resolveOne(base);

  test('a canary that differs from stable in config alone is a release: plan shows the difference key by key', () => {
    expect(spec.stable.image).toBe(spec.canary.image);
    const text = formatPlan(spec, resolveOne(base).plan, 'dist');
    expect(text).not.toContain('no release in progress');
    expect(text).toContain('  config of the canary, against stable:\n    env LOG_LEVEL: "info" -> "debug"\n    file app.conf: "mode = stable\\n" -> "mode = canary\\n"\n');
  });

  test('each track has its own immutable ConfigMap, named by the Deployment and a hash of its files, and only its pods mount it', () => {
    const docs = stages.get('canary')!;
    const maps = configMaps(docs);
    expect(maps.map((map) => map.metadata.name)).toEqual([spec.stable.config!.name, spec.canary.config!.name]);
    expect(spec.stable.config!.name).toMatch(/^shop-stable-config-[0-9a-f]{10}$/);
    expect(spec.canary.config!.name).toMatch(/^shop-canary-config-[0-9a-f]{10}$/);
    for (const map of maps) expect(map.immutable).toBe(true);
    expect(maps[0].data).toEqual({ 'app.conf': 'mode = stable\n' });
    expect(maps[1].data).toEqual({ 'app.conf': 'mode = canary\n' });
    expect(referenced(deployment(docs, 'stable'))).toEqual([spec.stable.config!.name]);
    expect(referenced(deployment(docs, 'canary'))).toEqual([spec.canary.config!.name]);
    const mounts = deployment(docs, 'canary').spec.template.spec.containers[0].volumeMounts;
    expect(mounts).toContainEqual({ mountPath: '/etc/shop', name: 'config', readOnly: true });
    expect(mounts).toContainEqual({ mountPath: '/etc/tls', name: 'secret-shop-tls', readOnly: true });
  });

  test('env values are strings, Secrets are referenced by name only', () => {
    const container = deployment(stages.get('canary')!, 'canary').spec.template.spec.containers[0];
    expect(container.env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'WORKERS', value: '4' }]);
    expect(container.envFrom).toEqual([{ secretRef: { name: 'shop-db' } }]);
    const volume = deployment(stages.get('canary')!, 'canary').spec.template.spec.volumes.find((v: Manifest) => v.secret);
    expect(volume).toEqual({ name: 'secret-shop-tls', secret: { secretName: 'shop-tls' } });
  });

  test('stable\'s ConfigMap and pod template are the same in every stage, rollback included', () => {
    const stableDocs = [...stages.values()].map((docs) => JSON.stringify([find(docs, 'ConfigMap', spec.stable.config!.name), deployment(docs, 'stable').spec.template]));
    expect(stages.size).toBe(5);
    expect(new Set(stableDocs).size).toBe(1);
    const rollback = stages.get('rollback')!;
    expect(referenced(deployment(rollback, 'stable'))).toEqual([spec.stable.config!.name]);
  });

  test('changing the canary\'s config changes only the canary\'s ConfigMap and pods, in every stage', () => {
    const changed = stageManifests({ ...base, canary: { ...base.canary, config: { mountPath: '/etc/shop', files: { 'app.conf': { content: 'mode = canary v2\n' } } } } });
    for (const [stage, docs] of stages) {
      const after = changed.get(stage)!;
      const stableObjects = (list: Manifest[]) => JSON.stringify(list.filter((doc) => !JSON.stringify(doc).includes('canary')));
      expect(stableObjects(after)).toBe(stableObjects(docs));
      if (deployment(docs, 'canary')) {
        expect(referenced(deployment(after, 'canary'))).not.toEqual(referenced(deployment(docs, 'canary')));
      }
    }
  });

  test('the canary\'s ConfigMap comes and goes with the canary Deployment', () => {
    expect(configMaps(stages.get('baseline')!).map((map) => map.metadata.name)).toEqual([spec.stable.config!.name]);
    expect(configMaps(stages.get('rollback')!)).toHaveLength(2);
  });

  test('every object validates against the Kubernetes schema and meets the restricted Pod Security level', () => {
    for (const docs of stages.values()) {
      for (const doc of docs) expect(() => validateAgainstSchema(doc)).not.toThrow();
      for (const doc of docs.filter((each) => each.kind === 'Deployment')) expect(podSecurityViolations(doc.spec.template.spec, 'restricted')).toEqual([]);
    }
  });

  test('config files given by path are read beside the spec; the files\' content is what the ConfigMap holds', () => {
    const dir = tempDir('config');
    try {
      writeFileSync(join(dir, 'stable.conf'), 'from a file\n');
      const text = `apps:\n  - name: shop\n    namespace: shop\n    stable:\n      image: shop:1\n      config: { mountPath: /etc/shop, files: { app.conf: { path: stable.conf } } }\n    canary: { image: shop:2 }\n`;
      const { apps } = parseSpec(text, join(dir, 'canary.yaml'));
      expect(apps[0].spec.stable.config!.files).toEqual({ 'app.conf': 'from a file\n' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('finish carries the canary\'s config to stable with its image', () => {
    const text = [
      'apps:', '  - name: shop', '    namespace: shop',
      '    stable:', '      image: shop:1', '      env: { MODE: old }',
      '    canary:', '      image: shop:2', '      env: { MODE: new }',
      '      config:', '        mountPath: /etc/shop', '        files:', '          app.conf: { content: "x = 1" }',
      '    stage: promote', '',
    ].join('\n');
    const result = finishRelease(text, 'shop', 'canary.yaml').text;
    const { apps } = parseSpec(result, 'canary.yaml');
    expect(apps[0].spec.stable).toMatchObject({ image: 'shop:2', env: { MODE: 'new' }, config: { files: { 'app.conf': 'x = 1' } } });
    expect(apps[0].spec.stable.config!.name).toBe(`shop-stable-config-${apps[0].spec.canary.config!.hash}`);
    expect(apps[0].spec.stage).toBe('baseline');
    expect(result.split('\n').slice(0, 3)).toEqual(['apps:', '  - name: shop', '    namespace: shop']);
  });
});

test('finish replaces, adds and removes stable\'s config keys, block and flow, touching no other line', () => {
  const text = [
    'apps:', '  - name: shop', '    namespace: shop', '    # the stable track', '    stable:', '      image: shop:1',
    '      env:', '        MODE: old', '        GONE: x', '      secretEnvFrom: [shop-db]',
    '    canary:', '      image: shop:2', '      env:', '        MODE: new',
    '      config:', '        mountPath: /etc/shop', '        files:', '          app.conf:', '            content: |', '              a = 1', '              b = 2',
    '    stage: promote', '',
  ].join('\n');
  const result = finishRelease(text, 'shop', 'canary.yaml').text;
  const [app] = parseSpec(result, 'canary.yaml').apps;
  expect(app.spec.stable).toMatchObject({ image: 'shop:2', env: { MODE: 'new' }, secretEnvFrom: [], config: { mountPath: '/etc/shop', files: { 'app.conf': 'a = 1\nb = 2\n' } } });
  expect(result).not.toContain('GONE');
  expect(result).not.toContain('shop-db');
  expect(result.split('\n').slice(0, 5)).toEqual(text.split('\n').slice(0, 5));
  expect(result.split('\n').slice(-13)).toEqual(text.split('\n').slice(-13).map((line) => line.replace('stage: promote', 'stage: baseline')));
});

describe('disruption budgets and topology spread', () => {
  test('on by default: each selects exactly one track\'s pods, identical in every stage', () => {
    const stages = stageManifests(base);
    for (const docs of stages.values()) {
      const templates = docs.filter((doc) => doc.kind === 'Deployment').map((doc) => doc.spec.template.metadata.labels);
      for (const budget of docs.filter((doc) => doc.kind === 'PodDisruptionBudget')) {
        expect(budget.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: 'shop', track: budget.metadata.name.endsWith('canary') ? 'canary' : 'stable' } } });
        expect(templates.filter((labels: Record<string, string>) => selects(budget.spec.selector.matchLabels, labels))).toHaveLength(1);
      }
      for (const doc of docs.filter((each) => each.kind === 'Deployment')) {
        const [spread] = doc.spec.template.spec.topologySpreadConstraints;
        expect(spread).toEqual({ labelSelector: { matchLabels: doc.spec.selector.matchLabels }, maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' });
        expect(templates.filter((labels: Record<string, string>) => selects(spread.labelSelector.matchLabels, labels))).toHaveLength(1);
      }
    }
    const budgets = [...stages.values()].map((docs) => JSON.stringify(docs.filter((doc) => doc.kind === 'PodDisruptionBudget' && doc.metadata.name === 'shop-stable')));
    expect(new Set(budgets).size).toBe(1);
  });

  test('tuned, or turned off', () => {
    const tuned = stageManifests({ ...base, disruptionBudget: { maxUnavailable: 2 }, topologySpread: { maxSkew: 2, topologyKey: 'topology.kubernetes.io/zone' } }).get('canary')!;
    expect(find(tuned, 'PodDisruptionBudget').spec.maxUnavailable).toBe(2);
    expect(deployment(tuned, 'stable').spec.template.spec.topologySpreadConstraints[0]).toMatchObject({ maxSkew: 2, topologyKey: 'topology.kubernetes.io/zone' });
    const off = stageManifests({ ...base, disruptionBudget: { enabled: false }, topologySpread: { enabled: false } }).get('canary')!;
    expect(off.filter((doc) => doc.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(deployment(off, 'stable').spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });
});

describe('autoscaling', () => {
  const autoscaled: AppSpec = {
    ...base,
    stable: { ...base.stable, autoscaling: { maxReplicas: 9, cpuUtilization: 70 } },
    canary: { ...base.canary, autoscaling: { maxReplicas: 9, cpuUtilization: 70, memoryUtilization: 80 } },
  };
  const stages = stageManifests(autoscaled);
  const bounds = (docs: Manifest[]) => Object.fromEntries(docs.filter((doc) => doc.kind === 'HorizontalPodAutoscaler')
    .map((doc) => [doc.metadata.labels.track, `${doc.spec.minReplicas}..${doc.spec.maxReplicas}`]));

  test.each([
    // the walkthrough's sizes: the floor is the stage's count, the ceiling the same multiple
    ['baseline', { stable: '3..9' }],
    ['canary', { stable: '3..9', canary: '1..3' }],
    ['expand', { stable: '3..9', canary: '3..9' }],
    ['promote', { canary: '3..9' }],
    ['rollback', { stable: '3..9' }],
  ])('%s: autoscaler bounds %j', (stage, expected) => {
    expect(bounds(stages.get(stage)!)).toEqual(expected);
  });

  test('the autoscaler targets its own Deployment, by the utilization asked, and validates against autoscaling/v2', () => {
    const docs = stages.get('canary')!;
    const canary = docs.find((doc) => doc.kind === 'HorizontalPodAutoscaler' && doc.metadata.labels.track === 'canary');
    expect(canary.apiVersion).toBe('autoscaling/v2');
    expect(canary.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-canary' });
    expect(canary.spec.metrics).toEqual([
      { resource: { name: 'cpu', target: { averageUtilization: 70, type: 'Utilization' } }, type: 'Resource' },
      { resource: { name: 'memory', target: { averageUtilization: 80, type: 'Utilization' } }, type: 'Resource' },
    ]);
    for (const doc of docs) expect(() => validateAgainstSchema(doc)).not.toThrow();
  });

  test('stages differ only in autoscaler bounds, replica counts and sync waves; pod templates never', () => {
    const templates = [...stages.values()].map((docs) => JSON.stringify(deployment(docs, 'stable').spec.template));
    expect(new Set(templates).size).toBe(1);
  });

  test('plan shows the bounds and the command that keeps a running track\'s count when autoscaling is added', () => {
    const { spec, plan } = resolveOne(autoscaled);
    const text = formatPlan(spec, plan, 'dist');
    expect(text).toContain('  canary      3..9    1..3           25%');
    expect(text).toContain('  autoscale   kubectl annotate -n shop deployment/shop-stable deployment/shop-canary kubectl.kubernetes.io/last-applied-configuration-\n');
    expect(text).toContain('until [ "$(kubectl get -n shop deployment/shop-canary -o jsonpath=\'{.status.readyReplicas}\')" -ge 1 ] 2>/dev/null; do sleep 2; done && kubectl rollout status -n shop deployment/shop-canary');
  });
});

describe('bad input: the field, the value and the rule, nothing rendered', () => {
  const withCanary = (canary: Partial<AppSpec['canary']>): AppSpec => ({ ...base, canary: { ...base.canary, ...canary } as AppSpec['canary'] });

  test.each<[string, AppSpec, string]>([
    ['a ConfigMap over 1 MiB', withCanary({ config: { mountPath: '/etc/shop', files: { big: { content: 'x'.repeat(1024 * 1024) } } } }),
      'apps.0.canary.config.files: come to 1048579 bytes: a ConfigMap holds at most 1048576 (1 MiB); mount larger files from a volume of their own'],
    ['a file name that is not a key', withCanary({ config: { mountPath: '/etc/shop', files: { 'a/b': { content: 'x' } } } }),
      'apps.0.canary.config.files.a/b: is "a/b": must be a ConfigMap key: letters, digits, "-", "_" and ".", not "." or ".."'],
    ['a Secret name that is not DNS-1123', withCanary({ secretEnvFrom: ['Shop_DB'] }),
      'apps.0.canary.secretEnvFrom.0: is "Shop_DB": must be a DNS-1123 subdomain: lowercase letters, digits, "-" and ".", each part starting and ending with a letter or digit'],
    ['an env name that starts with a digit', withCanary({ env: { '1X': 'a' } }),
      'apps.0.canary.env.1X: is "1X": must be an environment variable name: letters, digits, "_", "-" and ".", not starting with a digit'],
    ['an env value that is an object', withCanary({ env: { A: {} as unknown as string } }), 'apps.0.canary.env.A: is {}: must be a string, number or boolean'],
    ['both content and path', withCanary({ config: { mountPath: '/etc/shop', files: { a: { content: 'x', path: 'a.conf' } } } }),
      'apps.0.canary.config.files.a: must give either content or path, not both or neither'],
    ['a missing file', withCanary({ config: { mountPath: '/etc/shop', files: { a: { path: 'no-such.conf' } } } }),
      `apps.0.canary.config.files.a.path: is "no-such.conf": ${join(process.cwd(), 'no-such.conf')} does not exist`],
    ['two mounts at one path', withCanary({ secretMounts: [{ secret: 'tls', mountPath: '/etc/shop' }] }),
      'apps.0.canary.secretMounts.0.mountPath: is "/etc/shop": already mounted by canary.config.mountPath'],
    ['the floor above the ceiling', withCanary({ replicas: 4, autoscaling: { maxReplicas: 3, cpuUtilization: 50 } }),
      'apps.0.canary.autoscaling.maxReplicas: is 3: must be at least the track\'s replicas (4), the autoscaler\'s floor at full size'],
    ['a utilization outside 1 to 100', withCanary({ autoscaling: { maxReplicas: 9, cpuUtilization: 150 } }),
      'apps.0.canary.autoscaling.cpuUtilization: is 150: must be a whole number from 1 to 100'],
    ['no target', withCanary({ autoscaling: { maxReplicas: 9 } }),
      'apps.0.canary.autoscaling: gives no target: give cpuUtilization, memoryUtilization or both (percent of the request)'],
  ])('%s', (_case, app, expected) => {
    expect(problems(app)).toEqual([expected]);
  });
});

test('examples/config.yaml: every object validates and meets the level its namespace enforces, and examples/dist holds its output', () => {
  const examples = join(__dirname, '..', 'examples');
  const { spec } = loadSpec(join(examples, 'config.yaml'));
  const files = synthesize(spec, '../config.yaml', examples);
  const kinds = new Set<string>();
  for (const file of files) {
    const docs = parseManifests(file.content);
    const level = find(docs, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce'];
    expect(level).toBe('restricted');
    for (const doc of docs) {
      kinds.add(doc.kind);
      expect(() => validateAgainstSchema(doc)).not.toThrow();
      if (doc.kind === 'Deployment' || doc.kind === 'Job') expect(podSecurityViolations(doc.spec.template.spec, level)).toEqual([]);
    }
  }
  expect([...kinds].sort()).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Job', 'Namespace', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
  expect(checkOutput(join(examples, 'dist'), files, { spec: '../config.yaml', apps: ['shop'], layout: OUTPUT_LAYOUT })).toEqual([]);
});

test('config files are read from inside the spec\'s folder only: not through .. and not through a link', () => {
  const dir = tempDir('config');
  try {
    const specDir = join(dir, 'repo');
    mkdirSync(specDir);
    writeFileSync(join(dir, 'secret.txt'), 'not for the output\n');
    symlinkSync(join(dir, 'secret.txt'), join(specDir, 'linked.conf'));
    const text = (path: string) => `apps:\n  - name: shop\n    namespace: shop\n    stable:\n      image: shop:1\n      config: { mountPath: /etc/shop, files: { app.conf: { path: ${path} } } }\n    canary: { image: shop:2 }\n`;
    for (const path of ['../secret.txt', 'linked.conf']) {
      expect(() => parseSpec(text(path), join(specDir, 'canary.yaml'))).toThrow(
        `"apps[0].stable.config.files.app.conf.path" is "${path}": must name a file inside the spec's folder (${realpathSync(specDir)}), which ${realpathSync(join(dir, 'secret.txt'))} is not`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
