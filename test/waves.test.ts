import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { load, loadAll } from 'js-yaml';
import { CanaryApp } from '../src';
import { SpecError } from '../src/engine';
import { cli, files, tempDir } from './helpers';

// One app of the walkthrough's shape, gated, in two waves of clusters.
const WAVES = `argocd: { repoURL: https://git.example.com/shop.git, targetRevision: main }
waves:
  - { name: ring-0, clusters: { matchLabels: { ring: "0" } } }
  - { name: rest, clusters: { matchLabels: { ring: "1" } }, maxUpdate: 25% }
`;
const APP = `apps:
  - name: web
    namespace: shop
    stable: { image: nginx:1.22, replicas: 3 }
    canary: { image: nginx:1.23 }
    securityProfile: baseline
    verify: { smoke: { path: / } }
`;

type Doc = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: any };
const docs = (file: string): Doc[] => loadAll(readFileSync(file, 'utf8')) as Doc[];
const job = (file: string, check: string) => docs(file).find((doc) => doc.kind === 'Job' && (doc.metadata as any).labels['cdk8s-canary/check'] === check);

let dir: string;
beforeEach(() => { dir = tempDir('waves'); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The spec in a git repository's folder deploy/, synthesized into deploy/dist. */
async function synth(text: string): Promise<{ code: number; out: string; err: string; deploy: string }> {
  mkdirSync(join(dir, '.git'));
  const deploy = join(dir, 'deploy');
  mkdirSync(deploy);
  writeFileSync(join(deploy, 'canary.yaml'), text);
  return { ...await cli('synth', '-c', join(deploy, 'canary.yaml'), '-o', join(deploy, 'dist')), deploy };
}

describe('waves across clusters', () => {
  test('synth writes the app\'s ApplicationSet: a cluster generator and a RollingSync step per wave, in order, syncing current/ at its path in the repository', async () => {
    const { code, deploy } = await synth(WAVES + APP);
    expect(code).toBe(0);
    expect(files(join(deploy, 'dist'))).toContain('web/argocd/applicationset.k8s.yaml');
    const [set] = docs(join(deploy, 'dist', 'web', 'argocd', 'applicationset.k8s.yaml'));
    expect(set).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'web', namespace: 'argocd', labels: { 'app.kubernetes.io/instance': 'web', 'app.kubernetes.io/managed-by': 'cdk8s-canary' } },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [
          { clusters: { selector: { matchLabels: { ring: '0' } }, values: { wave: 'ring-0' } } },
          // The guard of the rest: one Application in Argo CD's cluster, its template standing over the set's.
          {
            list: {
              elements: [{ wave: 'rest' }],
              template: {
                metadata: { name: 'web-guard-rest', labels: { 'app.kubernetes.io/instance': 'web', 'app.kubernetes.io/managed-by': 'cdk8s-canary', 'cdk8s-canary/wave': 'rest', 'cdk8s-canary/guard': 'true' } },
                spec: {
                  project: 'default',
                  source: { repoURL: 'https://git.example.com/shop.git', targetRevision: 'main', path: 'deploy/dist/web/argocd', directory: { include: 'guard-rest.k8s.yaml' } },
                  destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
                },
              },
            },
          },
          { clusters: { selector: { matchLabels: { ring: '1' } }, values: { wave: 'rest' } } },
        ],
        strategy: {
          type: 'RollingSync',
          rollingSync: {
            steps: [
              { matchExpressions: [{ key: 'cdk8s-canary/wave', operator: 'In', values: ['ring-0'] }, { key: 'cdk8s-canary/guard', operator: 'NotIn', values: ['true'] }], maxUpdate: '100%' },
              { matchExpressions: [{ key: 'cdk8s-canary/wave', operator: 'In', values: ['rest'] }, { key: 'cdk8s-canary/guard', operator: 'In', values: ['true'] }] },
              { matchExpressions: [{ key: 'cdk8s-canary/wave', operator: 'In', values: ['rest'] }, { key: 'cdk8s-canary/guard', operator: 'NotIn', values: ['true'] }], maxUpdate: '25%' },
            ],
          },
        },
        template: {
          metadata: { name: 'web-{{.nameNormalized}}', labels: { 'app.kubernetes.io/instance': 'web', 'app.kubernetes.io/managed-by': 'cdk8s-canary', 'cdk8s-canary/wave': '{{.values.wave}}' } },
          spec: {
            project: 'default',
            source: { repoURL: 'https://git.example.com/shop.git', targetRevision: 'main', path: 'deploy/dist/web/current' },
            destination: { server: '{{.server}}' },
            syncPolicy: { automated: { prune: true, selfHeal: true }, retry: { limit: 0 } },
          },
        },
      },
    });
    // Never in current/, which its Applications sync.
    expect(files(join(deploy, 'dist', 'web', 'current'))).toEqual(['web.k8s.yaml']);
  });

  test('under waves a stage\'s gate is a plain Job named after it in the last sync wave; without waves it stays the PostSync hook', async () => {
    const { deploy } = await synth(WAVES + APP);
    const stages = join(deploy, 'dist', 'web', 'stages');
    for (const [file, stage] of [['02-canary', 'canary'], ['03-expand', 'expand']]) {
      const gate = job(join(stages, `${file}.k8s.yaml`), 'analysis')!;
      expect(gate.metadata.name).toBe(`web-verify-${stage}`);
      expect(gate.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '6' });
    }
    // The smoke check stays a Sync hook: a failure fails the sync, so the Application stays OutOfSync.
    expect(job(join(stages, '01-baseline.k8s.yaml'), 'analysis')).toBeUndefined();
    const single = join(dir, 'single');
    mkdirSync(single);
    writeFileSync(join(single, 'canary.yaml'), APP);
    expect((await cli('synth', '-c', join(single, 'canary.yaml'), '-o', join(single, 'dist'))).code).toBe(0);
    const hook = job(join(single, 'dist', 'web', 'stages', '02-canary.k8s.yaml'), 'analysis')!;
    expect(hook.metadata).toMatchObject({ name: 'web-verify', annotations: { 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' } });
    expect(files(join(single, 'dist', 'web'))).not.toContain('argocd/applicationset.k8s.yaml');
  });

  test('an app\'s own waves stand over the spec\'s; argocd.path sets the folder\'s path in the repository', async () => {
    const own = APP.replace('    verify:', '    waves: [{ name: solo, clusters: { matchLabels: { env: prod } } }]\n    verify:');
    const { code, deploy } = await synth(WAVES.replace('targetRevision: main', 'path: gitops/out') + own);
    expect(code).toBe(0);
    const [set] = docs(join(deploy, 'dist', 'web', 'argocd', 'applicationset.k8s.yaml'));
    // One wave: nothing to guard.
    expect(set.spec.generators).toEqual([{ clusters: { selector: { matchLabels: { env: 'prod' } }, values: { wave: 'solo' } } }]);
    expect(files(join(deploy, 'dist', 'web', 'argocd'))).toEqual(['applicationset.k8s.yaml']);
    expect(set.spec.template.spec.source).toEqual({ repoURL: 'https://git.example.com/shop.git', targetRevision: 'HEAD', path: 'gitops/out/web/current' });
  });

  test('plan shows each wave and what it waits for', async () => {
    const { deploy } = await synth(WAVES + APP);
    const { out } = await cli('plan', '-c', join(deploy, 'canary.yaml'), '-o', join(deploy, 'dist'));
    const lines = out.split('\n');
    const at = lines.findIndex((line) => line.startsWith('  waves: '));
    expect(lines.slice(at, at + 3)).toEqual([
      `  waves: Argo CD's ApplicationSet web (${join(deploy, 'dist')}/web/argocd/applicationset.k8s.yaml) syncs each commit of current/ wave by wave; a gate that fails (Degraded) holds the next wave`,
      '    1. ring-0: clusters ring=0, all at once, first',
      '    2. rest: clusters ring=1, 25% at a time, after every ring-0 Application Synced and Healthy (in a gated stage, its gate Job web-verify-<stage> Complete), then its guard web-guard-rest (Job web-guard-rest-<stage>): every Application of ring-0 at this stage, settled',
    ]);
    const json = JSON.parse((await cli('plan', '-c', join(deploy, 'canary.yaml'), '-o', join(deploy, 'dist'), '--json')).out);
    expect(json.apps?.[0]?.waves ?? json[0]?.waves).toEqual([
      { name: 'ring-0', clusters: 'ring=0', maxUpdate: '100%', waitsFor: null, guard: null },
      {
        name: 'rest',
        clusters: 'ring=1',
        maxUpdate: '25%',
        waitsFor: 'every ring-0 Application Synced and Healthy (in a gated stage, its gate Job web-verify-<stage> Complete), then its guard web-guard-rest (Job web-guard-rest-<stage>): every Application of ring-0 at this stage, settled',
        guard: { application: 'web-guard-rest', file: 'web/argocd/guard-rest.k8s.yaml' },
      },
    ]);
  });

  test('bad waves are refused at their field, with the value and the rule, and nothing is written', async () => {
    const bad = `waves:
  - { name: ring-0, clusters: { matchLabels: { ring: "0" } }, maxUpdate: 0 }
  - { name: ring-0, clusters: { matchLabels: {} }, maxUpdate: "0%" }
  - { name: c, clusters: { matchLabels: { ring: "2" } }, maxUpdate: 1.5 }
  - { name: d, clusters: { matchLabels: { ring: "3" } }, maxUpdate: "101%" }
`;
    const shape = await synth(bad + APP);
    expect(shape.code).toBe(1);
    const spec = join(shape.deploy, 'canary.yaml');
    expect(shape.err.split('\n').filter(Boolean)).toEqual([
      `${spec}:2:63: "waves[0].maxUpdate" is 0: must be a count of 1 or more, or a percent from 1% to 100%`,
      `${spec}:3:33: "waves[1].clusters.matchLabels" must have at least 1 entry`,
      `${spec}:3:52: "waves[1].maxUpdate" is "0%": must be a count of 1 or more, or a percent from 1% to 100%`,
      `${spec}:4:58: "waves[2].maxUpdate" is 1.5: must be a count of 1 or more, or a percent from 1% to 100%`,
      `${spec}:5:58: "waves[3].maxUpdate" is "101%": must be a count of 1 or more, or a percent from 1% to 100%`,
    ]);
    expect(existsSync(join(shape.deploy, 'dist'))).toBe(false);
    rmSync(dir, { recursive: true });
    mkdirSync(dir);
    const rules = await synth(`waves:
  - { name: a, clusters: { matchLabels: { ring: "0" } } }
  - { name: a, clusters: { matchLabels: { "bad key!": "1" } } }
  - { name: b, clusters: { matchLabels: { ring: "0" } } }
` + APP);
    expect(rules.err.split('\n').filter(Boolean)).toEqual([
      `${join(rules.deploy, 'canary.yaml')}:3:7: "waves[1].name" is "a": wave 0 has this name; each wave needs its own`,
      `${join(rules.deploy, 'canary.yaml')}:3:43: "waves[1].clusters.matchLabels.bad key!" is the key "bad key!": a label key is a qualified name: an optional DNS subdomain prefix and "/", then at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
      `${join(rules.deploy, 'canary.yaml')}:4:16: "waves[2].clusters" selects "ring=0", as wave 0 does: a cluster belongs to one wave`,
    ]);
    rmSync(dir, { recursive: true });
    mkdirSync(dir);
    const noRepo = await synth(WAVES.split('\n').slice(1).join('\n') + APP);
    expect(noRepo.err.trim()).toBe(`${join(noRepo.deploy, 'canary.yaml')}:1:1: "argocd" is required by waves (app "web"): give argocd.repoURL, the git repository Argo CD reads the output folder from, for the ApplicationSet each app in waves gets`);
    expect(existsSync(join(noRepo.deploy, 'dist'))).toBe(false);
  });

  test('each wave after the first opens behind its guard: a file of the current stage with a Job that may only list Applications', async () => {
    const three = WAVES.replace('maxUpdate: 25% }', 'maxUpdate: 25% }\n  - { name: last, clusters: { matchLabels: { ring: "2" } } }');
    const { code, deploy } = await synth(three + APP.replace('    stable:', '    stage: canary\n    stable:'));
    expect(code).toBe(0);
    const argocd = join(deploy, 'dist', 'web', 'argocd');
    expect(files(argocd)).toEqual(['applicationset.k8s.yaml', 'guard-last.k8s.yaml', 'guard-rest.k8s.yaml']);
    const objects = docs(join(argocd, 'guard-last.k8s.yaml')) as any[];
    expect(objects.map((doc) => `${doc.kind}/${doc.metadata.namespace}/${doc.metadata.name}`)).toEqual([
      'ServiceAccount/argocd/web-guard-last', 'Role/argocd/web-guard-last', 'RoleBinding/argocd/web-guard-last',
      expect.stringMatching(/^ConfigMap\/argocd\/web-guard-last-[0-9a-f]{10}$/), 'Job/argocd/web-guard-last-canary',
    ]);
    const [, role, , code_, guardJob] = objects;
    expect(role.rules).toEqual([{ apiGroups: ['argoproj.io'], resources: ['applications'], verbs: ['list'] }]);
    expect(Object.keys(code_.data).sort()).toEqual(['check-waves.js', 'kube-api.js']);
    expect(code_.data['check-waves.js']).toBe(readFileSync(join(__dirname, '..', 'verify', 'check-waves.js'), 'utf8'));
    // A plain Job (its outcome is the guard Application's health), restricted, under the guard's ServiceAccount.
    expect(guardJob.metadata.annotations).toBeUndefined();
    const pod = guardJob.spec.template.spec;
    expect({ account: pod.serviceAccountName, command: pod.containers[0].command, image: pod.containers[0].image, input: JSON.parse(pod.containers[0].args[0]) }).toEqual({
      account: 'web-guard-last',
      command: ['node', '/check/check-waves.js'],
      image: 'node:24.11.1-alpine',
      input: { namespace: 'argocd', seconds: 300, app: 'web', application: 'web-guard-last', stage: 'canary', waves: ['ring-0', 'rest'], gate: { namespace: 'shop', name: 'web-verify-canary' } },
    });
    expect(JSON.parse((docs(join(argocd, 'guard-rest.k8s.yaml'))[4] as any).spec.template.spec.containers[0].args[0]).waves).toEqual(['ring-0']);
    // The file follows the current stage; an ungated stage has no gate to look for.
    const specFile = join(deploy, 'canary.yaml');
    writeFileSync(specFile, readFileSync(specFile, 'utf8').replace('stage: canary', 'stage: rollback'));
    expect((await cli('synth', '-c', specFile, '-o', join(deploy, 'dist'))).code).toBe(0);
    const rollback = docs(join(argocd, 'guard-rest.k8s.yaml'))[4] as any;
    expect({ name: rollback.metadata.name, input: JSON.parse(rollback.spec.template.spec.containers[0].args[0]) }).toEqual({
      name: 'web-guard-rest-rollback', input: { namespace: 'argocd', seconds: 300, app: 'web', application: 'web-guard-rest', stage: 'rollback', waves: ['ring-0'] },
    });
    // Without waves the files for Argo CD are the tool's to remove.
    writeFileSync(specFile, APP);
    expect((await cli('synth', '-c', specFile, '-o', join(deploy, 'dist'))).code).toBe(0);
    expect(existsSync(argocd)).toBe(false);
  });

  test('a guard Job whose name would pass 63 characters is refused at the name that makes it', async () => {
    const long = 'a-stage-named-at-length-to-pass-the-label-limit-xy';
    const { code, err, deploy } = await synth(WAVES + APP.replace('    stable:', `    stages: [{ name: ${long}, canaryPercent: 100 }]\n    stable:`));
    expect(code).toBe(1);
    expect(err.trim()).toBe(`${join(deploy, 'canary.yaml')}:8:16: "apps[0].stages[0].name" is "${long}": the wave guard's Job of stage "${long}" would be "web-guard-rest-${long}", more than 63 characters; shorten the app's, the wave's or the stage's name`);
  });

  test('the constructs take waves as a prop: the same gate Job, and the same refusals, at the prop\'s path', () => {
    const chart = new Chart(Testing.app(), 'test');
    const props = load(APP.replace('apps:\n  - ', '').replace(/^ {4}/gm, '')) as any;
    new CanaryApp(chart, 'web', { ...props, stage: 'canary', waves: [{ name: 'ring-0', clusters: { matchLabels: { ring: '0' } } }] });
    const gate = Testing.synth(chart).find((doc) => doc.kind === 'Job' && doc.metadata.labels['cdk8s-canary/check'] === 'analysis');
    expect(gate.metadata).toMatchObject({ name: 'web-verify-canary', annotations: { 'argocd.argoproj.io/sync-wave': '6' } });
    let thrown: unknown;
    try {
      new CanaryApp(new Chart(Testing.app(), 'bad'), 'web', { ...props, waves: [{ name: 'a', clusters: { matchLabels: { ring: '0' } } }, { name: 'a', clusters: { matchLabels: {} } }] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SpecError);
    expect((thrown as Error).message.split('\n')).toEqual(['CanaryApp "web": "waves[1].clusters.matchLabels" must have at least 1 entry']);
  });
});
