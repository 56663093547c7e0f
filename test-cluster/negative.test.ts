/**
 * Negative controls, each seen on the real control plane: what the plan's commands and the sync
 * waves prevent does happen without them: one plain `kubectl apply -f`, a sync by Argo CD of the
 * file with its sync waves taken out, and, with autoscalers, a sync by Argo CD's sync engine that
 * keeps the engine's built-in autoscaler health instead of the README's check and has no endpoint
 * check (which alone holds the floor: the last test). Those two use the sync engine alone
 * (argo-sync): the harness's Argo CD has the README's health check, one setting for all its apps. Each runs in a namespace of its own (the app's, renamed).
 *
 * On the cluster each asserts what must fail: ready capacity drops below full. How deep it drops
 * depends on how the machine's load orders pod starts, deletions and endpoint updates, so the depth
 * is recorded (in the move's log) and asserted only of the simulator. What a dip needs of the timing,
 * the test sets: stable's pods become ready 10 s after they are created, whatever the cluster's
 * default delay (kwok's per-pod delay).
 * - Rollback after promote applied at once (plainly, or synced without waves) takes canary's pods
 *   away while stable's start: the ReplicaSet controller removes canary's pods well within 10 s.
 * - With the built-in health, stable's autoscaler counts as healthy once the autoscaler controller
 *   first acts on it, when it also lifts stable to its floor of 3; without the endpoint check, which
 *   waits for the floor's 3 pods as ready endpoints, the sync goes on to canary's wave and scales
 *   canary to 0 while stable's 2 new pods take their 10 s.
 */
import { applyWithKubectl, Cluster } from '../test/transition-sim';
import { record } from './describe-moves';
import type { Manifest } from '../test/cluster-rules';
import { editObjects, withFiles } from './files';
import { movesOf, readyAfter, renamed, runArgoCdMove, runSyncEngineMove, shippedApps, watched, type MoveResult } from './moves';

const walkthrough = shippedApps().find((app) => app.name === 'nginx')!;
const shop = shippedApps().find((app) => app.name === 'shop')!;
const find = (label: string) => movesOf(walkthrough).find((move) => move.label === label)!;
const rollbackAfterPromote = find('nginx: rollback promote -> rollback');
const STABLE_READY_AFTER = '10s';

/** Records the move with the depth of its dip, and fails if ready capacity never fell below full. */
function expectDip(result: Pick<MoveResult, 'label' | 'lowestCapacity' | 'log'>, simulated: number): void {
  const depth = `dip: lowest ready capacity ${result.lowestCapacity.toFixed(2)} on the cluster, ${simulated.toFixed(2)} in the simulator`;
  record({ ...result, log: [...result.log, depth] });
  expect(result.lowestCapacity).toBeLessThan(1);
}

test('one plain kubectl apply -f of rollback after promote drops capacity (the simulator: to nothing)', async () => {
  const move = readyAfter(renamed(rollbackAfterPromote, 'plain'), 'stable', STABLE_READY_AFTER);
  const file = [...move.paths.keys()].find((path) => path.endsWith('rollback.k8s.yaml'))!;
  const result = await withFiles(move.paths, (dir) => watched('negative: plain kubectl apply, rollback after promote', move, dir, [`kubectl apply -f ${file}`]));
  const simulated = applyWithKubectl(Cluster.settled(move.from, move.shape.sizes), [{ verb: 'apply', purpose: 'all', file }], move.paths).lowestCapacity;
  expect(simulated).toBe(0);
  expectDip(result, simulated);
});

test('Argo CD, the file without its sync waves: rollback after promote drops capacity (the simulator: to nothing)', async () => {
  const move = readyAfter(renamed(rollbackAfterPromote, 'nowaves'), 'stable', STABLE_READY_AFTER);
  const noWaves = move.to.replace(/^ {4}argocd\.argoproj\.io\/sync-wave: .*\n/gm, '');
  expect(noWaves).not.toContain('sync-wave');
  const result = await runArgoCdMove({ ...move, label: 'negative: Argo CD sync without sync waves, rollback after promote', to: noWaves });
  expect(result.simulated.lowestCapacity).toBe(0);
  expectDip(result, result.simulated.lowestCapacity);
});

const shopRollback = movesOf(shop).find((each) => each.label === 'shop: rollback promote -> rollback')!;
const isCheckJob = (doc: Manifest) => doc.kind === 'Job' && doc.metadata.labels['app.kubernetes.io/component'] === 'endpoint-check';

test('Argo CD\'s sync engine with its built-in autoscaler health, the file without its endpoint check: rollback after promote drops capacity', async () => {
  const move = readyAfter(renamed(shopRollback, 'builtin'), 'stable', STABLE_READY_AFTER);
  const to = editObjects(move.to, () => undefined, (doc) => !isCheckJob(doc));
  expect(to).not.toEqual(move.to);
  const result = await runSyncEngineMove({ ...move, to, label: 'negative: Argo CD sync with the built-in autoscaler health and no endpoint check, shop rollback after promote' }, false);
  // The simulator, without the check, lists no endpoints: to nothing.
  expect(result.simulated.lowestCapacity).toBe(0);
  expectDip(result, result.simulated.lowestCapacity);
  expect(result.log.at(-1)).toMatch(/ stable 3, canary 0, capacity 1\.00$/);
});

test('Argo CD\'s sync engine with its built-in autoscaler health and the endpoint check: full capacity, as the check waits for the floor\'s pods', async () => {
  const move = readyAfter(renamed(shopRollback, 'builtin-checked'), 'stable', STABLE_READY_AFTER);
  const result = await runSyncEngineMove({ ...move, label: 'Argo CD sync with the built-in autoscaler health and the endpoint check, shop rollback after promote' }, false);
  record(result);
  expect(result.simulated.lowestCapacity).toBe(1);
  expect(result.lowestCapacity).toBeGreaterThanOrEqual(1);
  expect(result.underServed).toEqual([]);
});
