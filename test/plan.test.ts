import { defaultStages, formatShare, replicasForPercent, trafficShare } from '../src/model/replicas';
import { resolvePlan } from '../src/model/plan';

describe('trafficShare', () => {
  test.each([
    [3, 0, 0],
    [3, 1, 25],
    [3, 3, 50],
    [0, 3, 100],
    [2, 1, 100 / 3],
    [0, 0, 0],
  ])('stable %i, canary %i -> %d%%', (stable, canary, share) => {
    expect(trafficShare(stable, canary)).toBeCloseTo(share, 9);
  });
});

describe('replicasForPercent', () => {
  test.each([
    // percent, stable size, canary size, expected [stable, canary]
    [25, 3, 3, [3, 1]],
    [50, 3, 3, [2, 2]],
    [10, 3, 3, [3, 1]],
    [75, 3, 3, [1, 3]],
    [20, 10, 10, [8, 2]],
    [33, 4, 2, [2, 1]],
    [5, 19, 19, [19, 1]],
    [0, 3, 3, [3, 0]],
    [100, 3, 3, [0, 3]],
    [60, 5, 1, [1, 1]],
    [99, 3, 3, [1, 3]],
  ])('%d%% of stable %i / canary %i -> %j', (percent, stable, canary, expected) => {
    expect(replicasForPercent(percent, stable, canary)).toEqual(expected);
  });

  test.each([[1], [12.5], [33], [50], [67], [90]])('keeps full capacity at %d%%', (percent) => {
    const [stable, canary] = replicasForPercent(percent, 4, 6);
    expect(stable / 4 + canary / 6).toBeGreaterThanOrEqual(1);
  });
});

describe('defaultStages', () => {
  test.each([
    [3, 3, [['baseline', 3, 0], ['canary', 3, 1], ['expand', 3, 3], ['promote', 0, 3]]],
    [3, 1, [['baseline', 3, 0], ['canary', 3, 1], ['promote', 0, 1]]],
    [2, 5, [['baseline', 2, 0], ['canary', 2, 1], ['expand', 2, 5], ['promote', 0, 5]]],
  ])('stable %i, canary %i', (stable, canary, expected) => {
    expect(defaultStages(stable, canary).map((s) => [s.name, s.stableReplicas, s.canaryReplicas])).toEqual(expected);
  });
});

describe('resolvePlan', () => {
  const plan = resolvePlan(defaultStages(3, 3), 3, 3, 'expand');

  test('numbers the stages and adds rollback last', () => {
    expect(plan.stages.map((s) => s.fileName)).toEqual(['01-baseline', '02-canary', '03-expand', '04-promote', 'rollback']);
    expect(plan.stages.map((s) => [s.stableReplicas, s.canaryReplicas])).toEqual([[3, 0], [3, 1], [3, 3], [0, 3], [3, 0]]);
    expect(plan.stages.map((s) => s.canaryShare)).toEqual([0, 25, 50, 100, 0]);
  });

  test('the canary Deployment is left out only before the canary starts', () => {
    expect(plan.stages.map((s) => s.canaryDeployed)).toEqual([false, true, true, true, true]);
  });

  test('finds the current stage, defaulting to the first', () => {
    expect(plan.current.name).toBe('expand');
    expect(resolvePlan(defaultStages(3, 3), 3, 3).current.name).toBe('baseline');
    expect(resolvePlan(defaultStages(3, 3), 3, 3, 'rollback').current.fileName).toBe('rollback');
  });

  test('resolves stages by percent and records what was asked', () => {
    const byPercent = resolvePlan([{ name: 'ten', canaryPercent: 10 }, { name: 'half', canaryPercent: 50 }], 3, 3);
    expect(byPercent.stages[0]).toMatchObject({ stableReplicas: 3, canaryReplicas: 1, canaryShare: 25, requestedPercent: 10 });
    expect(byPercent.stages[1]).toMatchObject({ stableReplicas: 2, canaryReplicas: 2, canaryShare: 50, requestedPercent: 50 });
  });

  test('pads stage numbers to the plan length', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `s${i}`, stableReplicas: 1, canaryReplicas: 1 }));
    expect(resolvePlan(many, 1, 1).stages[11].fileName).toBe('12-s11');
  });

  test('a stage the plan lacks is an error', () => {
    expect(() => resolvePlan(defaultStages(3, 3), 3, 3, 'nope')).toThrow('stage "nope" is not in the plan');
  });
});

test.each([[0, '0%'], [25, '25%'], [100 / 3, '33.3%'], [100, '100%']])('formatShare(%d) = %s', (share, text) => {
  expect(formatShare(share)).toBe(text);
});
