/**
 * The wave guard's judgement (verify/check-waves.js), as a table: Applications shaped as Argo CD
 * 3.6 writes their status, one way of not running the stage a row. The guard against the real
 * Applications of a real Argo CD is in test-cluster/waves.test.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { judge } = require('../verify/check-waves.js') as { judge: (applications: unknown[], guard: unknown) => string[] };

const GUARD = { namespace: 'argocd', seconds: 300, app: 'web', application: 'web-guard-ring-2', stage: 'canary', waves: ['ring-0', 'ring-1'], gate: { namespace: 'shop', name: 'web-verify-canary' } };

const COMMIT = '4f1c2d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e';

/** A settled Application of `wave` at the canary stage: compared with COMMIT, synced at 10:00:05. */
function application(name: string, wave: string, status: Record<string, unknown> = {}, labels: Record<string, string> = {}) {
  return {
    metadata: { name, labels: { 'app.kubernetes.io/instance': 'web', 'cdk8s-canary/wave': wave, ...labels } },
    status: {
      sync: { status: 'Synced', revision: COMMIT },
      health: { status: 'Healthy' },
      operationState: { phase: 'Succeeded', startedAt: '2026-12-05T10:00:00Z', finishedAt: '2026-12-05T10:00:05Z' },
      reconciledAt: '2026-12-05T10:00:20Z',
      resources: [
        { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web-canary', status: 'Synced' },
        { group: 'batch', kind: 'Job', namespace: 'shop', name: 'web-verify-canary', status: 'Synced' },
      ],
      ...status,
    },
  };
}

// The guard itself, its sync running: Progressing, compared with the commit it syncs.
const self = application('web-guard-ring-2', 'ring-2', { health: { status: 'Progressing' }, operationState: { phase: 'Running' } }, { 'cdk8s-canary/guard': 'true' });
const settled = [self, application('web-eu', 'ring-0'), application('web-us', 'ring-1'), application('web-ap', 'ring-1')];

describe('the wave guard holds only when every Application of the waves before runs the stage, settled', () => {
  test('all settled: nothing stands in the way', () => {
    expect(judge(settled, GUARD)).toEqual([]);
  });

  test.each([
    ['OutOfSync', { sync: { status: 'OutOfSync', revision: COMMIT } }, 'is OutOfSync, not Synced'],
    ['not compared yet', { sync: undefined }, 'is not compared yet, not Synced'],
    ['Synced and Healthy as compared with an earlier commit: an earlier stage', { sync: { status: 'Synced', revision: '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d' } }, 'is compared with 9e8d7c6b5a4f, not with the guard\'s 4f1c2d0e9b8a'],
    ['Progressing, its gate running', { health: { status: 'Progressing', message: 'Job web-verify-canary running' } }, 'is Progressing (Job web-verify-canary running), not Healthy'],
    ['Degraded, its gate failed', { health: { status: 'Degraded', message: 'Caused by batch/Job:shop/web-verify-canary' } }, 'is Degraded (Caused by batch/Job:shop/web-verify-canary), not Healthy'],
    ['never synced', { operationState: undefined }, 'has not been synced'],
    ['its last sync failed (a hook)', { operationState: { phase: 'Failed', finishedAt: '2026-12-05T10:00:05Z' } }, 'has its last sync Failed'],
    ['its sync running', { operationState: { phase: 'Running', startedAt: '2026-12-05T10:00:00Z' } }, 'has its last sync Running'],
    ['no gate of this stage (an earlier stage\'s)', { resources: [{ group: 'batch', kind: 'Job', namespace: 'shop', name: 'web-verify-expand' }] }, 'does not hold the gate of stage canary (Job shop/web-verify-canary)'],
  ])('%s', (_, status, reason) => {
    const apps = [self, settled[1], application('web-us', 'ring-1', status), settled[3]];
    expect(judge(apps, GUARD)).toEqual([`wave ring-1: Application web-us ${reason}`]);
  });

  test('a stage without a gate looks for none', () => {
    const { gate: _, ...ungated } = GUARD;
    expect(judge([self, settled[1], application('web-us', 'ring-1', { resources: [] })], ungated)).toEqual([]);
  });

  test('a wave without Applications cannot be measured, and does not hold; guards are not the wave\'s Applications', () => {
    const guardOfRing1 = application('web-guard-ring-1', 'ring-1', {}, { 'cdk8s-canary/guard': 'true' });
    expect(judge([self, settled[1], guardOfRing1], GUARD)).toEqual(['wave ring-1: no Application of web']);
    expect(judge([self], GUARD)).toEqual(['wave ring-0: no Application of web', 'wave ring-1: no Application of web']);
  });

  test('without its own Application\'s commit the guard has nothing to compare with, and does not hold', () => {
    expect(judge(settled.slice(1), GUARD)).toEqual(['the guard\'s own Application web-guard-ring-2 has no commit compared yet']);
    expect(judge([application('web-guard-ring-2', 'ring-2', { sync: { status: 'OutOfSync' } }), ...settled.slice(1)], GUARD)).toEqual(['the guard\'s own Application web-guard-ring-2 has no commit compared yet']);
  });

  test('a name from outside is printed safely', () => {
    expect(judge([self, application('web-\u001b[31m', 'ring-0', { sync: { status: 'OutOfSync' } }), settled[2]], GUARD)).toEqual(['wave ring-0: Application web-\\u001b[31m is OutOfSync, not Synced']);
  });
});
