import { finishTarget } from '../src/engine/finish';
import type { KubectlStep } from '../src/engine/kubectl-steps';
import { finishStage, SYNC_WAVE } from '../src/model/moves';
import type { AppSpec } from '../src/spec/types';
import { SpecError } from '../src/spec/problems';
import { loadSpec } from '../src/engine/load';
import { parseManifests } from './cluster-rules';
import { movesOf, renderStages, withBaselineTrack } from './plan-moves';
import { resolveOne } from './stage-files';
import { applyWithKubectl, Cluster, selectorMatches, syncWithArgoCd } from './transition-sim';

const walkthrough = loadSpec(`${__dirname}/../canary.yaml`).spec.apps[0];
const [gateway, istio, sticky, greeter] = loadSpec(`${__dirname}/../examples/routing.yaml`).spec.apps;
const percentPlan: AppSpec = {
  name: 'web',
  namespace: 'web',
  stable: { image: 'web:1', replicas: 4 },
  canary: { image: 'web:2', replicas: 6 },
  stages: [
    { name: 'base', canaryPercent: 0 }, { name: 'ten', canaryPercent: 10 }, { name: 'third', canaryPercent: 33 },
    { name: 'most', canaryPercent: 80 }, { name: 'all', canaryPercent: 100 },
  ],
};
// The README's library example.
const library: AppSpec = {
  name: 'shop',
  namespace: 'shop',
  port: 8080,
  stable: { image: 'registry.example/shop:1.4.0', replicas: 4 },
  canary: { image: 'registry.example/shop:1.5.0' },
  stages: [
    { name: 'baseline', canaryPercent: 0 },
    { name: 'tenth', canaryPercent: 10 },
    { name: 'half', canaryPercent: 50 },
    { name: 'all', canaryPercent: 100 },
  ],
};
// Config per track and an autoscaler on each track; its config files are beside the spec.
const examples = `${__dirname}/../examples`;
const [shop] = loadSpec(`${examples}/config.yaml`).spec.apps;
// A baseline track beside the canary, with the canary's pods and route weight.
const baselined = withBaselineTrack(gateway, 'baselined');
// Blue/green: the Service's selector moves traffic between two colours.
const [checkout] = loadSpec(`${examples}/blue-green.yaml`).spec.apps;
const apps = [walkthrough, percentPlan, library, gateway, istio, sticky, shop, greeter, baselined, checkout];

const render = (app: AppSpec) => renderStages(app, examples);
const moves = apps.flatMap((app) => movesOf(app, examples));
// The plan's steps without their endpoint checks, and a stage file without the endpoint check's Job: as they were before them.
const withoutCheck = (steps: readonly KubectlStep[]): KubectlStep[] => steps.filter((step) => step.verb !== 'endpoints');
const withoutJob = (file: string) => file.split(/^---\n/m).filter((doc) => !(/^kind: Job$/m.test(doc) && /component: endpoint-check$/m.test(doc))).join('---\n');

test('the plans offer every move: each stage to the next, each to rollback, the last to finish', () => {
  expect(movesOf(walkthrough, examples).map((move) => move.label)).toEqual([
    'nginx: next baseline -> canary', 'nginx: next canary -> expand', 'nginx: next expand -> promote',
    'nginx: rollback baseline -> rollback', 'nginx: rollback canary -> rollback', 'nginx: rollback expand -> rollback',
    'nginx: rollback promote -> rollback', 'nginx: finish promote -> baseline',
  ]);
  // Blue/green: no rollback from retire, where the old colour runs no pods.
  expect(movesOf(checkout, examples).map((move) => move.label)).toEqual([
    'checkout: next steady -> preview', 'checkout: next preview -> scale', 'checkout: next scale -> switch', 'checkout: next switch -> drain',
    'checkout: next drain -> retire', 'checkout: rollback steady -> rollback', 'checkout: rollback preview -> rollback',
    'checkout: rollback scale -> rollback', 'checkout: rollback switch -> rollback', 'checkout: rollback drain -> rollback',
    'checkout: finish retire -> steady',
  ]);
  expect(moves).toHaveLength(8 + 10 + 8 + 10 + 10 + 8 + 8 + 10 + 10 + 11);
});

describe.each(moves.map((move) => [move.label, move] as const))('%s', (_label, move) => {
  test('Argo CD: ready capacity never drops below full, and no track gets more traffic than it carries', () => {
    const cluster = syncWithArgoCd(Cluster.settled(move.from, move.shape.sizes), move.to);
    expect({ lowest: cluster.lowestCapacity, log: cluster.log }).toMatchObject({ lowest: expect.any(Number) });
    expect(cluster.lowestCapacity).toBeGreaterThanOrEqual(1 - 1e-9);
    expect(cluster.worstLoad).toBeLessThanOrEqual(1 + 1e-9);
  });

  test('kubectl, the plan\'s commands: ready capacity never drops below full, and no track is overloaded', () => {
    const cluster = applyWithKubectl(Cluster.settled(move.from, move.shape.sizes), move.steps, move.paths);
    expect(cluster.lowestCapacity).toBeGreaterThanOrEqual(1 - 1e-9);
    expect(cluster.worstLoad).toBeLessThanOrEqual(1 + 1e-9);
  });
});

describe('the simulator catches what waves and the grow-first order prevent', () => {
  const find = (label: string) => moves.find((move) => move.label === label)!;
  const rollbackAfterPromote = find('nginx: rollback promote -> rollback');
  const finish = find('nginx: finish promote -> baseline');
  const routedPromote = find('nginx-gateway: next expand -> promote');

  test('without sync waves, rollback after promote leaves nothing ready', () => {
    const noWaves = rollbackAfterPromote.to.replace(/^ {4}argocd\.argoproj\.io\/sync-wave: .*\n/gm, '');
    expect(noWaves).not.toContain('sync-wave');
    expect(syncWithArgoCd(Cluster.settled(rollbackAfterPromote.from, rollbackAfterPromote.shape.sizes), noWaves).lowestCapacity).toBe(0);
  });

  test('without PruneLast, Argo CD may prune the canary before stable is back', () => {
    const from = finish.from.replace(/^ {4}argocd\.argoproj\.io\/sync-options: PruneLast=true\n/gm, '');
    expect(from).not.toContain('PruneLast');
    expect(syncWithArgoCd(Cluster.settled(from, finish.shape.sizes), finish.to).lowestCapacity).toBe(0);
  });

  test('one plain kubectl apply of rollback after promote leaves nothing ready', () => {
    const file = [...rollbackAfterPromote.paths.keys()].find((path) => path.endsWith('rollback.k8s.yaml'))!;
    const cluster = applyWithKubectl(Cluster.settled(rollbackAfterPromote.from, rollbackAfterPromote.shape.sizes), [{ verb: 'apply', purpose: 'all', file }], rollbackAfterPromote.paths);
    expect(cluster.lowestCapacity).toBe(0);
  });

  test('blue/green: the rollback from retire that the plan refuses would switch the Service to a colour with no pod ready, on either road', () => {
    const retire = find('checkout: finish retire -> steady');
    const rollback = find('checkout: rollback drain -> rollback');
    const argo = syncWithArgoCd(Cluster.settled(retire.from, retire.shape.sizes), rollback.to);
    expect(argo.lowestCapacity).toBe(0);
    expect(argo.log).toContain('apply Service/checkout: Service on blue, blue 0, green 3, capacity 0.00');
    const kubectl = applyWithKubectl(Cluster.settled(retire.from, retire.shape.sizes), rollback.steps.filter((step) => step.verb === 'apply'), rollback.paths);
    expect(kubectl.lowestCapacity).toBe(0);
    // From drain, where blue still runs, the same file keeps it.
    expect(syncWithArgoCd(Cluster.settled(rollback.from, rollback.shape.sizes), rollback.to).lowestCapacity).toBe(1);
  });

  test('with a router, one plain kubectl apply of promote sends stable traffic to no pod', () => {
    const file = [...routedPromote.paths.keys()].find((path) => path.endsWith('05-promote.k8s.yaml'))!;
    const cluster = applyWithKubectl(Cluster.settled(routedPromote.from, routedPromote.shape.sizes), [{ verb: 'apply', purpose: 'all', file }], routedPromote.paths);
    expect(cluster.worstLoad).toBe(Infinity);
  });
});

describe('with autoscalers', () => {
  const rollback = moves.find((move) => move.label === 'shop: rollback promote -> rollback')!;
  const finish = moves.find((move) => move.label === 'shop: finish promote -> baseline')!;

  test('a track leaves its count to the autoscaler while it has pods, and states 0 without', () => {
    const { file } = render(shop);
    const counts = (stage: string) => parseManifests(file(stage)).filter((doc) => doc.kind === 'Deployment').map((doc) => doc.spec.replicas ?? 'autoscaled');
    expect(counts('canary')).toEqual(['autoscaled', 'autoscaled']);
    expect(counts('promote')).toEqual([0, 'autoscaled']);
    expect(counts('rollback')).toEqual(['autoscaled', 0]);
  });

  test('with Argo CD\'s built-in autoscaler health, a wave does not wait for the floor: without the endpoint check, rollback after promote drops to 1 of 3 pods', () => {
    // Endpoints listed at once, so that only the autoscaler's health is in question.
    const cluster = syncWithArgoCd(Cluster.settled(rollback.from, rollback.shape.sizes, false), withoutJob(rollback.to), 'built-in');
    expect(cluster.lowestCapacity).toBeCloseTo(1 / 3);
    expect(cluster.log).toContain('apply Deployment/shop-canary: stable 1, canary 0, capacity 0.33');
    // The endpoint check waits for the floor's 3 pods as ready endpoints, whatever the health says (as on the control plane).
    expect(syncWithArgoCd(Cluster.settled(rollback.from, rollback.shape.sizes), rollback.to, 'built-in').lowestCapacity).toBe(1);
  });

  test('a plain rollout status instead of the floor loop, and no endpoint check, lets finish drop to 1 of 3 pods', () => {
    const plainWait = (step: KubectlStep): KubectlStep => (step.verb === 'wait' ? { verb: 'wait', deployment: step.deployment } : step);
    const steps = withoutCheck(finish.steps).map(plainWait);
    expect(steps).not.toEqual(finish.steps);
    // Endpoints listed at once where no check waits for them, so that only the floor is in question.
    expect(applyWithKubectl(Cluster.settled(finish.from, finish.shape.sizes, false), steps, finish.paths).lowestCapacity).toBeCloseTo(1 / 3);
    // Either one alone holds the floor: the endpoint check waits for its count of ready endpoints.
    expect(applyWithKubectl(Cluster.settled(finish.from, finish.shape.sizes), finish.steps.map(plainWait), finish.paths).lowestCapacity).toBe(1);
    expect(applyWithKubectl(Cluster.settled(finish.from, finish.shape.sizes, false), withoutCheck(finish.steps), finish.paths).lowestCapacity).toBe(1);
  });

  test('adding autoscaling to a running track: the apply drops its count to 1 unless the plan\'s autoscale command ran first', () => {
    const fixed: AppSpec = { ...shop, stable: { ...shop.stable, autoscaling: undefined }, canary: { ...shop.canary, autoscaling: undefined } };
    const before = render(fixed).file('baseline');
    const after = render(shop).file('baseline');
    expect(syncWithArgoCd(Cluster.settled(before, { stable: 3, canary: 3 }), after).lowestCapacity).toBeCloseTo(1 / 3);
    const adopted = Cluster.settled(before, { stable: 3, canary: 3 });
    for (const name of ['shop-stable', 'shop-canary']) adopted.forgetLastApply(name);
    expect(syncWithArgoCd(adopted, after).lowestCapacity).toBeGreaterThanOrEqual(1);
  });
});

describe('the endpoint check: a rollout is done before the EndpointSlices list its pods', () => {
  const find = (label: string) => moves.find((move) => move.label === label)!;

  test.each([
    // move, what the old steps let happen while the endpoints lag
    ['nginx-gateway: rollback promote -> rollback', 'the route gives stable all traffic while it lists none of its pods'],
    ['baselined: next baseline -> canary', 'the route gives the baseline track its weight while it lists none of its pods'],
    ['nginx-istio: finish promote -> baseline', 'the route gives stable all traffic while it lists none of its pods'],
  ])('without it, %s: %s', (label) => {
    const move = find(label);
    expect(withoutCheck(move.steps)).not.toEqual(move.steps);
    const cluster = applyWithKubectl(Cluster.settled(move.from, move.shape.sizes), withoutCheck(move.steps), move.paths);
    expect(cluster.worstLoad).toBe(Infinity);
    expect(applyWithKubectl(Cluster.settled(move.from, move.shape.sizes), move.steps, move.paths).worstLoad).toBeLessThanOrEqual(1);
  });

  test('without it, finish of the walkthrough deletes the canary while stable lists none of its pods', () => {
    const move = find('nginx: finish promote -> baseline');
    expect(applyWithKubectl(Cluster.settled(move.from, move.shape.sizes), withoutCheck(move.steps), move.paths).lowestCapacity).toBe(0);
    expect(applyWithKubectl(Cluster.settled(move.from, move.shape.sizes), move.steps, move.paths).lowestCapacity).toBe(1);
  });


  test.each([
    ['nginx-gateway: rollback promote -> rollback', 'worstLoad', Infinity],
    ['baselined: next baseline -> canary', 'worstLoad', Infinity],
    ['nginx: finish promote -> baseline', 'lowestCapacity', 0],
  ] as const)('Argo CD, without the endpoint check\'s Job, %s: %s %s', (label, measure, bad) => {
    const move = find(label);
    expect(withoutJob(move.to)).not.toEqual(move.to);
    expect(syncWithArgoCd(Cluster.settled(move.from, move.shape.sizes), withoutJob(move.to))[measure]).toBe(bad);
    expect(syncWithArgoCd(Cluster.settled(move.from, move.shape.sizes), move.to)[measure]).not.toBe(bad);
  });
});

test('the simulator sees a baseline track given weight before its pods are ready', () => {
  const { file } = render(baselined);
  const cluster = Cluster.settled(file('baseline'), { stable: 3, canary: 3 });
  // The route of the canary stage alone: the baseline's 5% goes to no ready pod.
  for (const doc of parseManifests(file('canary')).filter((each) => each.kind === 'HTTPRoute')) cluster.apply(doc);
  expect(cluster.worstLoad).toBe(Infinity);
});

test.each([
  // strategy, old pods ready while the new template rolls
  [undefined, 3],
  [{ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } }, 2],
  [{ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } }, 2],
  [{ type: 'Recreate' }, 0],
])('the simulator rolls a changed pod template as the Deployment controller does (%j): %i of 3 stay ready', (strategy, ready) => {
  const { file } = render(walkthrough);
  const before = file('baseline');
  const cluster = Cluster.settled(before, { stable: 3, canary: 3 });
  const stable = parseManifests(before).find((doc) => doc.kind === 'Deployment')!;
  const changed = { ...stable, spec: { ...stable.spec, ...(strategy ? { strategy } : {}), template: { ...stable.spec.template, metadata: { labels: { ...stable.spec.template.metadata.labels, version: '2' } } } } };
  cluster.apply(changed);
  // The real control plane (test-cluster/rolling-update.test.ts) kept all 3 at the default 25%.
  expect(cluster.lowestCapacity).toBeCloseTo(ready / 3);
});

describe('sync waves', () => {
  const { plan } = resolveOne(walkthrough);
  test.each([
    // stage, stable wave, canary wave: the track that grows into the stage goes first
    ['baseline', SYNC_WAVE.grow, SYNC_WAVE.shrink],
    ['canary', SYNC_WAVE.shrink, SYNC_WAVE.grow],
    ['expand', SYNC_WAVE.shrink, SYNC_WAVE.grow],
    ['promote', SYNC_WAVE.shrink, SYNC_WAVE.shrink],
    ['rollback', SYNC_WAVE.grow, SYNC_WAVE.shrink],
  ])('%s: stable in wave %i, canary in wave %i', (stage, stable, canary) => {
    expect(plan.stages.find((s) => s.name === stage)!.syncWaves).toEqual({ stable, canary });
  });

  test('are in Deployment metadata, never the pod template; routes sit between grow and shrink', () => {
    const { file } = render(gateway);
    const docs = parseManifests(file('rollback'));
    const byKind = (kind: string) => docs.filter((doc) => doc.kind === kind);
    expect(byKind('Deployment').map((d) => d.metadata.annotations['argocd.argoproj.io/sync-wave'])).toEqual([String(SYNC_WAVE.grow), String(SYNC_WAVE.shrink)]);
    expect(byKind('HTTPRoute')[0].metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': String(SYNC_WAVE.route) });
    expect([SYNC_WAVE.grow, SYNC_WAVE.endpoints, SYNC_WAVE.smoke, SYNC_WAVE.route, SYNC_WAVE.shrink]).toEqual([1, 2, 3, 4, 5]);
    expect(JSON.stringify(byKind('Deployment').map((d) => d.spec.template))).not.toContain('argocd');
  });
});

describe('the finish stage', () => {
  test('is the first stage without canary pods', () => {
    expect(finishStage(resolveOne(walkthrough).plan.stages)?.name).toBe('baseline');
    expect(finishStage(resolveOne({ ...walkthrough, stage: 'a', stages: [{ name: 'a', stableReplicas: 3, canaryReplicas: 1 }, { name: 'b', stableReplicas: 0, canaryReplicas: 3 }, { name: 'c', stableReplicas: 3, canaryReplicas: 0 }] }).plan.stages)?.name).toBe('c');
  });

  test('does not exist in a plan where every stage runs a canary, so finish refuses', () => {
    const noEnd = { ...library, stages: library.stages!.slice(1), stage: 'all' };
    expect(finishStage(resolveOne(noEnd).plan.stages)).toBeUndefined();
    expect(() => finishTarget([resolveOne(noEnd)], 'shop')).toThrow(SpecError);
    expect(() => finishTarget([resolveOne(noEnd)], 'shop')).toThrow(
      '"apps[0].stages" has no stage without canary pods for the release to end in: add one first, such as { name: baseline, canaryPercent: 0 }',
    );
  });
});

test.each([
  ['app.kubernetes.io/component=router', { 'app.kubernetes.io/component': 'router' }, true],
  ['app.kubernetes.io/component=router', {}, false],
  ['app.kubernetes.io/component!=router,track!=stable', {}, true],
  ['app.kubernetes.io/component!=router,track!=stable', { track: 'canary' }, true],
  ['app.kubernetes.io/component!=router,track!=stable', { track: 'stable' }, false],
  ['app.kubernetes.io/component!=router,track!=stable', { 'app.kubernetes.io/component': 'router' }, false],
  ['app.kubernetes.io/component!=router,track notin (stable,canary)', { track: 'canary' }, false],
  ['app.kubernetes.io/component!=router,track notin (stable,canary)', { a: 'b' }, true],
])('the simulator reads selector %s like kubectl', (selector, labels, expected) => {
  expect(selectorMatches(selector, labels)).toBe(expected);
});
