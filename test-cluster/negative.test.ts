/**
 * Negative controls, each seen on the real control plane: what the plan's commands and the sync
 * waves prevent does happen without them: one plain `kubectl apply -f`, a sync by Argo CD's sync
 * engine of the file with its sync waves taken out, and, with autoscalers, a sync that keeps the
 * engine's built-in autoscaler health instead of the README's check. Each runs in a namespace of its
 * own (the app's, renamed).
 */
import { record } from './describe-moves';
import { inNamespace } from './files';
import { movesOf, runArgoMove, shippedApps, watched, withFiles, type Move } from './moves';

const walkthrough = shippedApps().find((app) => app.name === 'nginx')!;
const shop = shippedApps().find((app) => app.name === 'shop')!;
const find = (label: string) => movesOf(walkthrough).find((move) => move.label === label)!;
const rollbackAfterPromote = find('nginx: rollback promote -> rollback');

/** The move in namespace `<namespace>-<suffix>`. */
function renamed(move: Move, suffix: string): Move {
  const from = move.shape.namespace;
  const to = `${from}-${suffix}`;
  return {
    ...move,
    from: inNamespace(move.from, from, to),
    to: inNamespace(move.to, from, to),
    paths: new Map([...move.paths].map(([path, text]) => [path, inNamespace(text, from, to)])),
    shape: { ...move.shape, namespace: to },
  };
}

test('one plain kubectl apply -f of rollback after promote leaves nothing ready', async () => {
  const move = renamed(rollbackAfterPromote, 'plain');
  const file = [...move.paths.keys()].find((path) => path.endsWith('rollback.k8s.yaml'))!;
  const result = await withFiles(move.paths, (dir) => watched('negative: plain kubectl apply, rollback after promote', move, dir, [`kubectl apply -f ${file}`]));
  record(result);
  expect(result.lowestCapacity).toBe(0);
  expect(result.log.some((line) => / stable 0, canary 0,/.test(line))).toBe(true);
});

test('Argo CD\'s sync engine, the file without its sync waves: rollback after promote leaves nothing ready', async () => {
  const move = renamed(rollbackAfterPromote, 'nowaves');
  const noWaves = move.to.replace(/^ {4}argocd\.argoproj\.io\/sync-wave: .*\n/gm, '');
  expect(noWaves).not.toContain('sync-wave');
  const result = await runArgoMove({ ...move, label: 'negative: Argo CD sync without sync waves, rollback after promote', to: noWaves });
  record(result);
  expect(result.lowestCapacity).toBe(0);
  expect(result.simulated.lowestCapacity).toBe(0);
});

test('Argo CD\'s sync engine with its built-in autoscaler health: rollback after promote drops to 1 of 3 pods, as the simulator says', async () => {
  const move = renamed(movesOf(shop).find((each) => each.label === 'shop: rollback promote -> rollback')!, 'builtin');
  const result = await runArgoMove({ ...move, label: 'negative: Argo CD sync with the built-in autoscaler health, shop rollback after promote' }, false);
  record(result);
  expect(result.simulated.lowestCapacity).toBeCloseTo(1 / 3);
  expect(result.lowestCapacity).toBeCloseTo(1 / 3);
});
