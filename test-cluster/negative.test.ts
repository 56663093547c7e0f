/**
 * Negative controls, each seen on the real control plane: what the plan's commands and the sync
 * waves prevent does happen without them: one plain `kubectl apply -f`, a sync by Argo CD's sync
 * engine of the file with its sync waves taken out, and, with autoscalers, a sync that keeps the
 * engine's built-in autoscaler health instead of the README's check. Each runs in a namespace of its
 * own (the app's, renamed). On the cluster each asserts what must fail, that ready capacity drops
 * below full; how deep it drops depends on how the machine's load orders pod starts, deletions and
 * endpoint updates, so the depth is reported (in the move's record), and asserted only of the simulator.
 */
import { applyWithKubectl, Cluster } from '../test/transition-sim';
import { record } from './describe-moves';
import { withFiles } from './files';
import { movesOf, renamed, runArgoMove, shippedApps, watched } from './moves';

const walkthrough = shippedApps().find((app) => app.name === 'nginx')!;
const shop = shippedApps().find((app) => app.name === 'shop')!;
const find = (label: string) => movesOf(walkthrough).find((move) => move.label === label)!;
const rollbackAfterPromote = find('nginx: rollback promote -> rollback');

test('one plain kubectl apply -f of rollback after promote drops capacity (the simulator: to nothing)', async () => {
  const move = renamed(rollbackAfterPromote, 'plain');
  const file = [...move.paths.keys()].find((path) => path.endsWith('rollback.k8s.yaml'))!;
  const result = await withFiles(move.paths, (dir) => watched('negative: plain kubectl apply, rollback after promote', move, dir, [`kubectl apply -f ${file}`]));
  record(result);
  expect(result.lowestCapacity).toBeLessThan(1);
  expect(applyWithKubectl(Cluster.settled(move.from, move.shape.sizes), [{ verb: 'apply', file }], move.paths).lowestCapacity).toBe(0);
});

test('Argo CD\'s sync engine, the file without its sync waves: rollback after promote drops capacity (the simulator: to nothing)', async () => {
  const move = renamed(rollbackAfterPromote, 'nowaves');
  const noWaves = move.to.replace(/^ {4}argocd\.argoproj\.io\/sync-wave: .*\n/gm, '');
  expect(noWaves).not.toContain('sync-wave');
  const result = await runArgoMove({ ...move, label: 'negative: Argo CD sync without sync waves, rollback after promote', to: noWaves });
  record(result);
  expect(result.lowestCapacity).toBeLessThan(1);
  expect(result.simulated.lowestCapacity).toBe(0);
});

// The dip here is a race on the cluster: the built-in health passes stable's autoscaler before it has
// scaled stable up, so the canary goes while stable runs 1 pod, unless the autoscaler controller
// scales stable (and its pods become ready) before the engine's next wave, as it did once at load 16.
// The simulator, which orders the two as the engine allows, shows the dip; the cluster's depth is
// recorded, and the sync must end with full capacity.
test('Argo CD\'s sync engine with its built-in autoscaler health: rollback after promote can drop to 1 of 3 pods (the simulator)', async () => {
  const move = renamed(movesOf(shop).find((each) => each.label === 'shop: rollback promote -> rollback')!, 'builtin');
  const result = await runArgoMove({ ...move, label: 'negative: Argo CD sync with the built-in autoscaler health, shop rollback after promote' }, false);
  record(result);
  expect(result.simulated.lowestCapacity).toBeCloseTo(1 / 3);
  expect(result.log.at(-1)).toMatch(/ stable 3, canary 0, capacity 1\.00$/);
});
