/**
 * Negative controls, each seen on the real control plane: what the plan's commands and the sync
 * waves prevent does happen without them. And the same file with its waves, synced the Argo CD way,
 * keeps full capacity. Each runs in a namespace of its own (the walkthrough's, renamed).
 */
import { CapacityMonitor } from './capacity';
import { record } from './describe-moves';
import { argoSync } from './argo-sync';
import { inNamespace } from './files';
import { movesOf, settle, shippedApps, watched, writeFiles, type Move } from './moves';

const walkthrough = shippedApps().find((app) => app.name === 'nginx')!;
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

/** Syncs `file` the Argo CD way while the monitor watches; `from` settled first. */
async function watchedArgoSync(label: string, move: Move, file: string) {
  await settle(move.from, move.shape);
  const monitor = new CapacityMonitor(move.shape);
  await monitor.start();
  try {
    await argoSync(file, move.shape);
  } finally {
    monitor.stop();
  }
  const result = { label, lowestCapacity: monitor.lowestCapacity, worstLoad: monitor.worstLoad, unservedTraffic: monitor.unservedTraffic, log: monitor.log };
  record(result);
  return result;
}

test('one plain kubectl apply -f of rollback after promote leaves nothing ready', async () => {
  const move = renamed(rollbackAfterPromote, 'plain');
  const dir = writeFiles(move.paths);
  const file = [...move.paths.keys()].find((path) => path.endsWith('rollback.k8s.yaml'))!;
  const result = await watched('negative: plain kubectl apply, rollback after promote', move, dir, [`kubectl apply -f ${file}`]);
  record(result);
  expect(result.lowestCapacity).toBe(0);
  expect(result.log.some((line) => / stable 0, canary 0,/.test(line))).toBe(true);
});

test('the Argo CD way without sync waves: rollback after promote leaves nothing ready', async () => {
  const move = renamed(rollbackAfterPromote, 'nowaves');
  const noWaves = move.to.replace(/^ {4}argocd\.argoproj\.io\/sync-wave: .*\n/gm, '');
  expect(noWaves).not.toContain('sync-wave');
  const result = await watchedArgoSync('negative: Argo CD way without sync waves, rollback after promote', move, noWaves);
  expect(result.lowestCapacity).toBe(0);
});

test('the Argo CD way with the file\'s sync waves: rollback after promote keeps full capacity', async () => {
  const move = renamed(rollbackAfterPromote, 'waves');
  expect(move.to).toContain('sync-wave');
  const result = await watchedArgoSync('control: Argo CD way with sync waves, rollback after promote', move, move.to);
  expect(result.lowestCapacity).toBeGreaterThanOrEqual(1);
});

