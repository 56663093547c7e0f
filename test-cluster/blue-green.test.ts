/**
 * Blue/green on the control plane, beside every move of examples/blue-green.yaml on both roads
 * (moves-checkout*.test.ts): a smoke check that fails at the switch leaves the Service on the old
 * colour, as the plan's steps roll back at once (control: one plain apply of the switch file moves it
 * whatever the check says), and the preview Service lists no endpoint between releases.
 */
import { formatStep } from '../src/engine/kubectl-steps';
import type { Manifest } from '../test/cluster-rules';
import { editObjects, withFiles } from './files';
import { get, shell } from './kube';
import { movesOf, renamed, runMove, settle, shippedApps, watched, type Move } from './moves';

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
  const { outcome, result } = await attempt(move, [`kubectl apply -f ${file}`]);
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
