/**
 * A StatefulSet release through Argo CD's automated sync of each stage's file (test-cluster/stateful.ts):
 * every move the plan offers replaces the pods `plan` says, in the controller's order, never with
 * fewer Ready pods or ready endpoints than it states. A canary pod that never turns Ready holds the
 * sync (Argo CD judges a StatefulSet Progressing until its pods are Ready, and it has no deadline);
 * once that sync is ended, the rollback's revert hook deletes the pod and the sync succeeds
 * (control: without the hook the rollback's sync never ends, the pod unready on the canary's template).
 */
import { ArgoApplication } from './argocd';
import { editObjects } from './files';
import { get, kubectl, until } from './kube';
import { argoRoad, canaryPod, expectEveryMove, planMove, prepare, retargeted, store, stuck, stuckCanary } from './stateful';
import { atRest } from './moves';

const applications: ArgoApplication[] = [];
async function application(name: string): Promise<ArgoApplication> {
  const made = await ArgoApplication.create(name);
  applications.push(made);
  return made;
}
afterAll(() => { for (const each of applications) each.dispose(); });

test('every move of the plan, synced by Argo CD: the pods replaced, their order, the fewest ready, and the images after', async () => {
  await expectEveryMove(argoRoad('shop-argo', application('shop-argo')));
});

/** What `argocd app terminate-op` does: the running operation is asked to end. */
async function terminate(name: string): Promise<void> {
  await kubectl(['patch', 'application', name, '-n', 'argocd', '--type=merge', '-p', JSON.stringify({ status: { operationState: { phase: 'Terminating' } } })]);
  await until(`${name}'s operation to end`, async () => {
    const operation = (await get(`/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${name}`)).status?.operationState;
    return operation?.phase !== 'Running' && operation?.phase !== 'Terminating';
  });
}

/** The canary stage synced with its pod held unready, the sync ended; then the rollback file (as `edit` makes it) committed. */
async function stuckThenRollback(namespace: string, edit: (file: string) => string) {
  await prepare(namespace);
  const app = await application(namespace);
  const first = planMove('next baseline -> canary');
  await app.syncTo(atRest(retargeted(first.from, namespace)), 'baseline');
  // The sync waits for a StatefulSet that never turns healthy: it is started, and ended once the pod is held.
  const canary = app.sync(retargeted(stuckCanary(first.to), namespace), 'canary, held unready', 60_000).catch(() => undefined);
  const held = await stuck(namespace);
  await terminate(namespace);
  await canary;
  const rollback = edit(retargeted(planMove('rollback canary -> rollback').to, namespace));
  return { app, held, rollback };
}

test('Argo CD: a canary pod that never turns Ready is deleted by the rollback\'s revert hook; the controller makes it anew on stable\'s template, and the sync succeeds', async () => {
  const { app, held, rollback } = await stuckThenRollback('shop-argo-stuck', (file) => file);
  const outcome = await app.sync(rollback, 'rollback');
  expect(outcome.phase).toBe('Succeeded');
  expect(outcome.checks.map((run) => run.pod)).toEqual(expect.arrayContaining([expect.stringMatching(/^store-revert-/)]));
  expect(await canaryPod('shop-argo-stuck')).toEqual({ ready: true, image: store.stable.image, uid: expect.not.stringMatching(held.uid) });
}, 10 * 60_000);

test('control: Argo CD without the revert hook: the rollback\'s sync does not end, and the canary pod stays unready on the canary\'s template', async () => {
  const namespace = 'shop-argo-stuck-control';
  const withoutRevert = (file: string) => editObjects(file, () => undefined, (doc) => !(doc.kind === 'Job' && doc.metadata.name === 'store-revert'));
  const { app, held, rollback } = await stuckThenRollback(namespace, withoutRevert);
  const sync = app.sync(rollback, 'rollback without the revert', 40_000).then(() => 'ended', () => 'still running');
  expect(await sync).toBe('still running');
  expect(await canaryPod(namespace)).toEqual({ ready: false, image: store.canary.image, uid: held.uid });
  await terminate(namespace);
}, 10 * 60_000);
