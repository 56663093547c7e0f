/**
 * Blue/green on the control plane, beside every move of examples/blue-green.yaml on both roads
 * (moves-checkout*.test.ts): a smoke check that fails at the switch leaves the Service on the old
 * colour, as the plan's steps roll back at once (control: one plain apply of the switch file moves it
 * whatever the check says), the preview Service lists no endpoint between releases, and on Argo CD's
 * road the drain's hook holds the old colour: a retire committed during the drain scales it down only
 * once the hook has ended.
 */
import { formatStep } from '../src/engine/kubectl-steps';
import type { Manifest } from '../test/cluster-rules';
import { editObjects, withFiles } from './files';
import { ArgoApplication } from './argocd';
import { get, kubectl, shell, sleep, until } from './kube';
import { atRest, movesOf, renamed, runMove, settle, shippedApps, watched, type Move } from './moves';

const app = shippedApps().find((each) => each.name === 'checkout')!;
const moves = movesOf(app);
const find = (label: string) => moves.find((move) => move.label === `checkout: ${label}`)!;

/** The pods a Service's EndpointSlices list as ready, by name. */
async function readyEndpoints(namespace: string, service: string): Promise<string[]> {
  const slices = (await get(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=kubernetes.io/service-name=${service}`)).items;
  return slices.flatMap((slice: any) => (slice.endpoints ?? []).filter((each: any) => each.conditions?.ready !== false).map((each: any) => each.targetRef.name)).sort();
}

/** The move with its smoke Job failing at a 3 s deadline: kwok holds its pod unready for an hour. */
function smokeFails(move: Move): Move {
  const edit = (text: string) => editObjects(text, (doc: Manifest) => {
    if (doc.kind !== 'Job' || doc.metadata.name !== 'checkout-smoke') return;
    doc.spec.activeDeadlineSeconds = 3;
    const metadata = (doc.spec.template.metadata ??= {});
    metadata.annotations = { ...metadata.annotations, 'pod-ready.stage.kwok.x-k8s.io/delay': '1h' };
  });
  return { ...move, to: edit(move.to), paths: new Map([...move.paths].map(([path, text]) => [path, edit(text)])) };
}

/** Runs shell commands in order while the monitor watches the move; how they ended, and what it saw. */
async function attempt(move: Move, commands: readonly string[]) {
  let outcome = 'passed';
  const result = await withFiles(move.paths, (dir) => watched(move.label, move, dir, [], async () => {
    try {
      for (const command of commands) await shell(command, dir);
    } catch {
      outcome = 'failed';
    }
  }));
  return { outcome, result };
}

test('a smoke check that fails at the switch rolls back at once: the Service never lists a new pod, and ends on the old colour, the new one at 0', async () => {
  const move = smokeFails(renamed(find('next scale -> switch'), 'smoke'));
  const { outcome, result } = await attempt(move, move.steps.map((step) => formatStep(step, move.shape.namespace)));
  expect(outcome).toBe('failed');
  expect(result.lowestCapacity).toBeGreaterThanOrEqual(1);
  // Every state the Service's EndpointSlices went through: blue's 3 pods, no green one.
  expect(result.log.every((line) => / stable 3, canary 0, /.test(line))).toBe(true);
  const service = await get(`/api/v1/namespaces/${move.shape.namespace}/services/checkout`);
  expect(service.spec.selector).toEqual({ app: 'checkout', track: 'blue' });
  const green = await get(`/apis/apps/v1/namespaces/${move.shape.namespace}/deployments/checkout-green`);
  expect(green.spec.replicas).toBe(0);
});

test('control: one plain kubectl apply of the switch file moves the Service to the new colour whatever the smoke check says', async () => {
  const move = smokeFails(renamed(find('next scale -> switch'), 'plain'));
  const file = [...move.paths.keys()].find((path) => path.endsWith('04-switch.k8s.yaml'))!;
  // The last stage's Jobs go first, as their templates cannot change.
  const { outcome, result } = await attempt(move, [`kubectl delete jobs --all -n ${move.shape.namespace}`, `kubectl apply -f ${file}`]);
  expect(outcome).toBe('passed');
  expect(result.log.some((line) => / stable 0, canary 3, /.test(line))).toBe(true);
});

test('the preview Service lists no endpoint between releases: at steady, and at steady after finish, when the colours have swapped', async () => {
  const start = renamed(find('next steady -> preview'), 'between');
  await settle(start.from, start.shape);
  const namespace = start.shape.namespace;
  expect(await readyEndpoints(namespace, 'checkout-preview')).toEqual([]);
  expect((await readyEndpoints(namespace, 'checkout')).filter((pod) => pod.startsWith('checkout-blue-'))).toHaveLength(3);

  const finish = renamed(find('finish retire -> steady'), 'between');
  const result = await runMove(finish);
  expect(result.lowestCapacity).toBeGreaterThanOrEqual(1);
  expect(await readyEndpoints(namespace, 'checkout-preview')).toEqual([]);
  const served = await readyEndpoints(namespace, 'checkout');
  expect(served.filter((pod) => pod.startsWith('checkout-green-'))).toHaveLength(3);
  expect(served.filter((pod) => !pod.startsWith('checkout-green-'))).toEqual([]);
  expect((await get(`/api/v1/namespaces/${namespace}/services/checkout-preview`)).spec.selector).toEqual({ app: 'checkout', track: 'blue' });
});

test('Argo CD: a retire committed while the drain\'s hook runs scales the old colour down only after the hook ends', async () => {
  const move = renamed(find('next switch -> drain'), 'drain');
  const { namespace } = move.shape;
  const file = (name: string) => [...move.paths].find(([path]) => path.endsWith(name))![1];
  // kwok holds the drain Job's pod 20 s, as its wait would hold it on a node.
  const held = editObjects(move.to, (doc: Manifest) => {
    if (doc.kind !== 'Job' || doc.metadata.name !== 'checkout-drain') return;
    const metadata = (doc.spec.template.metadata ??= {});
    metadata.annotations = { ...metadata.annotations, 'pod-ready.stage.kwok.x-k8s.io/delay': '20s' };
  });
  const application = await ArgoApplication.create(namespace);
  try {
    await application.syncTo(atRest(move.from), 'switch');
    const refresh = () => kubectl(['annotate', 'application', namespace, '-n', 'argocd', 'argocd.argoproj.io/refresh=normal', '--overwrite']);
    const job = () => get(`/apis/batch/v1/namespaces/${namespace}/jobs/checkout-drain`).catch(() => undefined);
    await application.commit(held, 'drain');
    await refresh();
    await until('the drain Job to start', async () => (await job()) !== undefined);
    const drainStarted = Date.now();
    await application.commit(atRest(file('06-retire.k8s.yaml')), 'retire');
    await refresh();
    let blueGone: number | undefined;
    let drainEnded: number | undefined;
    while (blueGone === undefined && Date.now() - drainStarted < 180_000) {
      const completed = (await job())?.status?.completionTime;
      if (completed && drainEnded === undefined) drainEnded = Date.parse(completed);
      const blue = await get(`/apis/apps/v1/namespaces/${namespace}/deployments/checkout-blue`);
      if (blue.spec.replicas === 0) blueGone = Date.now();
      // The Service stays on green, with its 3 pods, all along.
      expect((await readyEndpoints(namespace, 'checkout')).filter((pod) => pod.startsWith('checkout-green-'))).toHaveLength(3);
      await sleep(250);
    }
    expect(blueGone).toBeDefined();
    expect(drainEnded).toBeDefined();
    // completionTime is whole seconds: the scale-down came no earlier than the second the hook ended.
    expect(blueGone!).toBeGreaterThanOrEqual(drainEnded! - 1000);
    expect(blueGone! - drainStarted).toBeGreaterThanOrEqual(19_000);
  } finally {
    application.dispose();
  }
});
