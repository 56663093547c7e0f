import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { CanaryApp, CanaryRelease } from '../src';
import { finishedApp, finishRelease } from '../src/engine/finish';
import { stageSteps, type KubectlStep } from '../src/engine/kubectl-steps';
import { loadSpec, parseSpec } from '../src/engine/load';
import { blueGreenStages } from '../src/model/blue-green';
import { requestedMove } from '../src/model/moves';
import { SpecError } from '../src/spec/problems';
import { Colour, Strategy, type AppSpec } from '../src/spec/types';
import { find, resolveOne, stageInvariant, stageManifests } from './stage-files';

const examples = join(__dirname, '..', 'examples');
const specText = readFileSync(join(examples, 'blue-green.yaml'), 'utf8');
const [checkout] = loadSpec(join(examples, 'blue-green.yaml')).spec.apps;
const plain: AppSpec = {
  name: 'web', namespace: 'web', strategy: Strategy.BLUE_GREEN, stable: { image: 'web:1', replicas: 4 }, canary: { image: 'web:2' },
};

const problems = (app: AppSpec) => {
  try {
    resolveOne(app);
  } catch (error) {
    if (error instanceof SpecError) return error.problems.map((problem) => `${problem.path.slice(2).join('.')} ${problem.message}`);
    throw error;
  }
  return [];
};

describe('the plan', () => {
  test.each([
    // size, preview -> (stable, canary) per stage
    [3, 1, [[3, 0], [3, 1], [3, 3], [3, 3], [3, 3], [0, 3]]],
    [4, 2, [[4, 0], [4, 2], [4, 4], [4, 4], [4, 4], [0, 4]]],
    [1, 1, [[1, 0], [1, 1], [1, 1], [1, 1], [1, 1], [0, 1]]],
  ])('size %i, preview %i', (size, preview, counts) => {
    expect(blueGreenStages(size, preview).map((stage) => [stage.stableReplicas, stage.canaryReplicas])).toEqual(counts);
  });

  test('the Service selects stable until the switch and the canary from it on; only the switch gives the canary traffic', () => {
    const { plan } = resolveOne(checkout);
    expect(plan.stages.map((stage) => [stage.name, stage.active, stage.canaryShare, stage.canaryTrafficGrows])).toEqual([
      ['steady', 'stable', 0, false], ['preview', 'stable', 0, false], ['scale', 'stable', 0, false], ['switch', 'canary', 100, true],
      ['drain', 'canary', 100, false], ['retire', 'canary', 100, false], ['rollback', 'stable', 0, false],
    ]);
  });

  test('the colours\' Deployments and Services, and the defaults', () => {
    const { spec } = resolveOne(plain);
    expect([spec.stable.name, spec.canary.name, spec.canary.replicas, spec.blueGreen]).toEqual([
      'web-blue', 'web-green', 4, { active: 'blue', preview: 'green', previewReplicas: 1, scaleDownDelaySeconds: 30 },
    ]);
    expect(resolveOne({ ...plain, blueGreen: { active: Colour.GREEN } }).spec.stable.name).toBe('web-green');
  });
});

describe('the stage files', () => {
  const stages = stageManifests(checkout);
  const selector = (stage: string, service: string) => find(stages.get(stage)!, 'Service', service).spec.selector;

  test('the Service selects blue up to the switch and green from it; the preview Service the other colour, but at the switch, which moves the Service alone', () => {
    expect([...stages.keys()].map((stage) => [stage, selector(stage, 'checkout').track, selector(stage, 'checkout-preview').track])).toEqual([
      ['steady', 'blue', 'green'], ['preview', 'blue', 'green'], ['scale', 'blue', 'green'], ['switch', 'green', 'green'],
      ['drain', 'green', 'blue'], ['retire', 'green', 'blue'], ['rollback', 'blue', 'green'],
    ]);
    expect(selector('switch', 'checkout')).toEqual({ app: 'checkout', track: 'green' });
  });

  test('each colour selects its own pods, and no stage restarts one: its template is the same in every stage', () => {
    for (const colour of ['blue', 'green']) {
      const docs = [...stages.values()].map((docs) => find(docs, 'Deployment', `checkout-${colour}`));
      expect(docs[0].spec.selector.matchLabels).toEqual({ app: 'checkout', track: colour });
      expect(new Set(docs.map((doc) => JSON.stringify(stageInvariant(doc).spec))).size).toBe(1);
    }
  });

  test('the switch changes the Service alone, besides its checks and the Deployments\' sync waves', () => {
    const objects = (stage: string) => stages.get(stage)!.filter((doc) => doc.kind !== 'Job').map(stageInvariant);
    const changed = objects('switch').filter((doc, i) => JSON.stringify(doc) !== JSON.stringify(objects('scale')[i]));
    expect(changed.map((doc) => `${doc.kind}/${doc.metadata.name}`)).toEqual(['Service/checkout']);
    const jobs = (stage: string) => stages.get(stage)!.filter((doc) => doc.kind === 'Job').map((doc) => doc.metadata.name);
    // The endpoint check of the preview Service and the smoke check before the Service moves, the analysis after.
    expect(jobs('switch')).toEqual(['checkout-endpoints', 'checkout-smoke', 'checkout-verify']);
    expect(jobs('drain')).toEqual(['checkout-drain']);
    expect(jobs('retire')).toEqual([]);
  });

  test('Argo CD: the new colour grows, its endpoints are checked, then the smoke check, then the Service moves, then the old colour shrinks', () => {
    const wave = (stage: string, kind: string, name: string) => Number(find(stages.get(stage)!, kind, name).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect([wave('switch', 'Job', 'checkout-endpoints'), wave('switch', 'Job', 'checkout-smoke'), wave('switch', 'Service', 'checkout')]).toEqual([2, 3, 4]);
    expect([wave('scale', 'Deployment', 'checkout-green'), wave('retire', 'Deployment', 'checkout-blue')]).toEqual([1, 5]);
    const drain = find(stages.get('drain')!, 'Job', 'checkout-drain');
    expect(drain.metadata.annotations['argocd.argoproj.io/hook']).toBe('Sync');
    expect(drain.spec.template.spec.containers[0].command).toEqual(['node', '-e', 'setTimeout(() => {}, 30000)']);
    // The gate reaches the new colour through its preview Service.
    const env = find(stages.get('scale')!, 'Job', 'checkout-verify').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'CANARY_URL', value: 'http://checkout-preview.payments.svc.cluster.local:80' });
  });
});

describe('the plan\'s kubectl steps', () => {
  const brief = (step: KubectlStep) => (step.verb === 'apply' ? `apply ${step.selector ?? 'all'}` : step.verb === 'endpoints' ? `endpoints ${step.service} ${step.pods} >= ${step.count}`
    : step.verb === 'gate' ? `gate ${step.job}` : step.verb === 'drain' ? `drain ${step.seconds}` : step.verb === 'delete' ? `delete ${step.name}` : step.verb);
  const steps = (stage: string) => {
    const { spec, plan } = resolveOne(checkout);
    return stageSteps(spec, plan, plan.stages.find((each) => each.name === stage)!, 'dist').map(brief);
  };

  test.each([
    ['preview', [
      'apply app.kubernetes.io/component notin (router,verify,endpoint-check),track!=blue', 'wait', 'endpoints checkout-preview app=checkout,track=green >= 1',
      'apply app.kubernetes.io/component=router', 'endpoints checkout app=checkout,track=blue >= 3', 'apply app.kubernetes.io/component notin (verify,endpoint-check)',
      'delete checkout-verify', 'apply app.kubernetes.io/component=verify,cdk8s-canary/check!=smoke', 'gate checkout-verify',
    ]],
    ['switch', [
      'endpoints checkout-preview app=checkout,track=green >= 3', 'delete checkout-smoke', 'apply app.kubernetes.io/component=verify,cdk8s-canary/check!=analysis', 'gate checkout-smoke',
      'apply app.kubernetes.io/component=router', 'endpoints checkout app=checkout,track=green >= 3', 'apply app.kubernetes.io/component notin (verify,endpoint-check)',
      'delete checkout-verify', 'apply app.kubernetes.io/component=verify,cdk8s-canary/check!=smoke', 'gate checkout-verify',
    ]],
    ['drain', ['apply app.kubernetes.io/component=router', 'endpoints checkout app=checkout,track=green >= 3', 'apply app.kubernetes.io/component notin (verify,drain)', 'drain 30']],
    ['retire', ['apply app.kubernetes.io/component=router', 'endpoints checkout app=checkout,track=green >= 3', 'apply app.kubernetes.io/component!=verify']],
    ['rollback', ['apply app.kubernetes.io/component=router', 'endpoints checkout app=checkout,track=blue >= 3', 'apply app.kubernetes.io/component!=verify']],
  ])('%s', (stage, expected) => {
    expect(steps(stage)).toEqual(expected);
  });
});

test('adopting a running app: steady starts blue beside it, and the Service narrows to blue only once blue\'s pods are its ready endpoints', () => {
  const adopted: AppSpec = {
    name: 'catalog', namespace: 'shop', from: './catalog.yaml', appLabel: 'catalog', writablePaths: [], strategy: Strategy.BLUE_GREEN,
    stable: { image: 'registry.example.com/catalog:2.4.0', replicas: 4 }, canary: { image: 'registry.example.com/catalog:2.5.0' },
  };
  const { spec, plan } = resolveOne(adopted, join(examples, 'real-app'));
  const steps = stageSteps(spec, plan, plan.stages[0], 'dist');
  const brief = steps.map((step) => (step.verb === 'apply' ? `apply ${step.selector}` : step.verb === 'endpoints' ? `endpoints ${step.service} ${step.pods} >= ${step.count}` : step.verb));
  expect(brief).toEqual([
    'apply app.kubernetes.io/component notin (router,endpoint-check),track!=green', 'wait',
    // The Service still selects app=catalog, the running pods and blue's: blue's are counted before it narrows.
    'endpoints catalog app=catalog,track=blue >= 4', 'apply app.kubernetes.io/component=router',
    'endpoints catalog app=catalog,track=blue >= 4', 'apply app.kubernetes.io/component!=endpoint-check',
  ]);
  expect(spec.service.selector).toEqual({ app: 'catalog' });
});

describe('moves', () => {
  const { plan } = resolveOne(checkout);
  const at = (name: string) => plan.stages.find((stage) => stage.name === name)!;

  test('an abort puts the Service back while the old colour runs; after retire it is refused, with why', () => {
    for (const from of ['steady', 'preview', 'scale', 'switch', 'drain']) expect(requestedMove(plan.stages, at(from), 'rollback')).toMatchObject({ kind: 'rollback', to: { name: 'rollback' } });
    expect(requestedMove(plan.stages, at('retire'), 'rollback')).toEqual({
      refused: 'at retire the old colour runs no pods, so a rollback would switch the Service to pods that are not there yet: `finish` the release, then release the old version as the next one',
    });
    expect(requestedMove(plan.stages, at('retire'), { stage: 'preview' })).toMatchObject({ refused: expect.stringMatching(/^from retire the plan offers no move: /) });
  });
});

describe('finish', () => {
  test('swaps the colours and readies the next release: green is active, at steady, and keeps its pods', () => {
    const atRetire = specText.replace('stage: preview', 'stage: retire');
    const { text, stage, active } = finishRelease(atRetire, 'checkout', 'blue-green.yaml');
    expect([stage, active]).toEqual(['steady', 'green']);
    expect(text).toContain('blueGreen: { active: green, previewReplicas: 1, scaleDownDelaySeconds: 30 }');
    expect(text).toContain('stable: { image: "nginx:1.23", replicas: 3 }');
    const after = parseSpec(text, 'blue-green.yaml').spec.apps[0];
    expect(after).toEqual(finishedApp({ ...checkout, stage: 'retire' }, 'steady'));
    const before = stageManifests(checkout);
    const next = stageManifests(after);
    // The Service stays on green; green, now stable, runs the same pods; the preview Service moves to blue, which runs none.
    expect(find(next.get('steady')!, 'Service', 'checkout').spec.selector.track).toBe('green');
    expect(find(next.get('steady')!, 'Service', 'checkout-preview').spec.selector.track).toBe('blue');
    expect(stageInvariant(find(next.get('steady')!, 'Deployment', 'checkout-green')).spec).toEqual(stageInvariant(find(before.get('retire')!, 'Deployment', 'checkout-green')).spec);
    expect(find(next.get('steady')!, 'Deployment', 'checkout-blue').spec.replicas).toBe(0);
  });

  test('adds blueGreen.active where the spec has no blueGreen, or no active in it', () => {
    const without = specText.replace('    blueGreen: { active: blue, previewReplicas: 1, scaleDownDelaySeconds: 30 }\n', '').replace('stage: preview', 'stage: retire');
    expect(finishRelease(without, 'checkout', 'x.yaml').text).toContain('    blueGreen: { active: green }\n');
    const noActive = specText.replace('active: blue, ', '').replace('stage: preview', 'stage: retire');
    expect(finishRelease(noActive, 'checkout', 'x.yaml').text).toContain('blueGreen: { previewReplicas: 1, scaleDownDelaySeconds: 30, active: green }');
    // And back: a second release makes blue active again.
    const second = finishRelease(finishRelease(noActive, 'checkout', 'x.yaml').text.replace('stage: steady', 'stage: retire'), 'checkout', 'x.yaml').text;
    expect(second).toContain('active: blue }');
  });
});

describe('refusals, each with why', () => {
  test.each([
    ['stages of its own', { ...plain, stages: [{ name: 'a', stableReplicas: 4, canaryReplicas: 0 }] },
      'stages is ["a"]: a blue/green release has its own stages (steady, preview, scale, switch, drain, retire); remove stages'],
    ['a route', { ...plain, routing: { istio: {} } },
      'routing is ["istio"]: a blue/green release moves traffic by switching the Service\'s selector, not by a route\'s weights; use strategy: canary to route'],
    ['a Deployment name', { ...plain, stable: { ...plain.stable, name: 'web-v1' } },
      'stable.name is "web-v1": the colours\' Deployments are web-blue and web-green, which trade roles at finish; remove stable.name'],
    ['colours of two sizes', { ...plain, canary: { image: 'web:2', replicas: 2 } },
      'canary.replicas is 2: both colours run the app\'s full size, 4 pods, since the new one takes all the traffic at the switch'],
    ['a preview larger than the app', { ...plain, blueGreen: { previewReplicas: 5 } }, 'blueGreen.previewReplicas is 5: must be at most the app\'s size, 4 pods'],
    ['blueGreen without the strategy', { ...plain, strategy: undefined, blueGreen: { previewReplicas: 2 } }, 'blueGreen is given, but strategy is canary: add strategy: blueGreen, or remove blueGreen'],
    ['an autoscaler', { ...plain, canary: { image: 'web:2', autoscaling: { maxReplicas: 8 } } },
      'canary.autoscaling is {"maxReplicas":8}: a blue/green release scales its colours by stage; an autoscaler would change the count the switch relies on'],
    ['waves', { ...plain, waves: [{ name: 'all', clusters: { matchLabels: { env: 'prod' } } }] },
      'strategy is "blueGreen": a blue/green release is to one cluster; waves across clusters take strategy: canary'],
  ])('%s', (_what, app, message) => {
    expect(problems(app as AppSpec)).toContain(message);
  });
});

test('CanaryRelease renders every blue/green stage, each with the Service on its colour', () => {
  const release = new CanaryRelease(new App(), 'web', plain);
  expect(release.stages.map((stage) => [stage.name, stage.app.service.toJson().spec.selector.track, stage.app.previewService?.toJson().spec.selector.track])).toEqual([
    ['steady', 'blue', 'green'], ['preview', 'blue', 'green'], ['scale', 'blue', 'green'], ['switch', 'green', 'green'],
    ['drain', 'green', 'blue'], ['retire', 'green', 'blue'], ['rollback', 'blue', 'green'],
  ]);
});

test('the construct: the preview Service, and at the drain stage the drain Job', () => {
  const chart = new Chart(new App(), 'c');
  const app = new CanaryApp(chart, 'web', { ...plain, stage: 'drain' });
  expect([app.stable.name, app.canary?.name, app.previewService?.name, app.drainJob?.name]).toEqual(['web-blue', 'web-green', 'web-preview', 'web-drain']);
  expect(new CanaryApp(new Chart(new App(), 'd'), 'web', { ...plain, stage: 'steady' }).drainJob).toBeUndefined();
});
