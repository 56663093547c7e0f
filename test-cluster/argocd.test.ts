/**
 * Argo CD itself with a stage's hooks (the routed example's baseline -> canary: the endpoint check in
 * wave 2, the smoke Job in wave 3, the route in wave 4, the gate's analysis after the sync): they run
 * in that order, and a hook that fails stops the move where the README says. kwok runs no container:
 * a hook Job whose pod never becomes ready (kwok's per-pod delay) fails at its deadline, as a check
 * that never answers does; the endpoint check's code runs for real (check-runner.ts).
 */
import type { Manifest } from '../test/cluster-rules';
import { parseManifests } from '../test/cluster-rules';
import { editObjects } from './files';
import { get, watch, type KubeObject } from './kube';
import { movedApps, movesOf, renamed, watchedThroughArgoCd } from './moves';

const gateway = movedApps().find((app) => app.name === 'nginx-gateway')!;
const toCanary = movesOf(gateway).find((move) => move.label === 'nginx-gateway: next baseline -> canary')!;

/** The file with the Job `name` failing at a 3 s deadline: its pod never becomes ready. */
function failing(file: string, name: string): string {
  return editObjects(file, (doc: Manifest) => {
    if (doc.kind !== 'Job' || doc.metadata.name !== name) return;
    doc.spec.activeDeadlineSeconds = 3;
    const metadata = (doc.spec.template.metadata ??= {});
    metadata.annotations = { ...metadata.annotations, 'pod-ready.stage.kwok.x-k8s.io/delay': '1h' };
  });
}

/**
 * The route's weights (stable/canary) in a file, or on the cluster: those of its last rule, the one
 * without matches (the API server gives a match rule's one backend the default weight 1).
 */
const weightsOf = (route: KubeObject | Manifest) => route.spec.rules.at(-1).backendRefs.map((ref: { weight: number }) => ref.weight).join('/');
const routeIn = (file: string) => parseManifests(file).find((doc) => doc.kind === 'HTTPRoute')!;

/**
 * What happened to the namespace's Jobs and routes during `run` (what was there before is not
 * listed), in the order the API server stored it: a Job made or complete or failed, the route's
 * weights changed. Two watches, put in one order by resourceVersion, which this API server takes
 * from etcd's one revision counter.
 */
async function recorded(namespace: string, run: () => Promise<unknown>): Promise<string[]> {
  const events: { version: number; what: string }[] = [];
  let since = Infinity;
  const seen = new Set<string>();
  const note = (job: KubeObject, what: string) => {
    if (seen.has(`${job.metadata.uid} ${what}`)) return;
    seen.add(`${job.metadata.uid} ${what}`);
    events.push({ version: Number(job.metadata.resourceVersion), what: `${job.metadata.name} ${what}` });
  };
  // A Job made during the run, and what became of it (not the old ones Argo CD deletes before it
  // makes a hook anew: their deletion is a change too).
  const made = new Set<string>();
  const jobs = await watch(`/apis/batch/v1/namespaces/${namespace}/jobs`, (type, job) => {
    if (type === 'ADDED' && Number(job.metadata.resourceVersion) > since) {
      made.add(job.metadata.uid!);
      note(job, 'made');
    }
    if (!made.has(job.metadata.uid!)) return;
    for (const condition of job.status?.conditions ?? []) if (condition.status === 'True' && ['Complete', 'Failed'].includes(condition.type)) note(job, condition.type);
  });
  let weights = '';
  const routes = await watch(`/apis/gateway.networking.k8s.io/v1/namespaces/${namespace}/httproutes`, (type, route) => {
    if (type === 'DELETED' || weightsOf(route) === weights) return;
    weights = weightsOf(route);
    if (Number(route.metadata.resourceVersion) > since) events.push({ version: Number(route.metadata.resourceVersion), what: `route ${weights}` });
  });
  // From here: the objects' state at the start is listed above, and left out.
  since = Number((await get(`/apis/batch/v1/namespaces/${namespace}/jobs`)).metadata.resourceVersion);
  try {
    await run();
  } finally {
    jobs.stop();
    routes.stop();
  }
  return events.sort((a, b) => a.version - b.version).map((event) => event.what);
}

test('the hooks run in wave order: endpoint check, smoke, then the route, and the gate\'s analysis after the sync', async () => {
  const move = renamed(toCanary, 'argocd-hooks');
  const namespace = move.shape.namespace;
  const before = weightsOf(routeIn(move.from));
  const after = weightsOf(routeIn(move.to));
  expect([before, after]).toEqual(['100/0', '95/5']);
  let events: string[] = [];
  const { result, outcome } = await watchedThroughArgoCd(move.label, move, move.to, async (sync) => { events = await recorded(namespace, sync); });
  expect(outcome.phase).toBe('Succeeded');
  expect(result.lowestCapacity).toBeGreaterThanOrEqual(1);
  expect(result.unservedTraffic).toEqual([]);
  expect(events).toEqual([
    'nginx-gateway-endpoints made', 'nginx-gateway-endpoints Complete',
    'nginx-gateway-smoke made', 'nginx-gateway-smoke Complete',
    `route ${after}`,
    'nginx-gateway-verify made', 'nginx-gateway-verify Complete',
  ]);
  // Argo CD's own account of the sync: each hook, its type and its outcome.
  const { status } = await get(`/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${namespace}`);
  const hooks = status.operationState.syncResult.resources.filter((each: { hookType?: string }) => each.hookType)
    .map((each: { name: string; hookType: string; hookPhase: string; syncPhase: string }) => `${each.name} ${each.syncPhase}/${each.hookType} ${each.hookPhase}`).sort();
  expect(hooks).toEqual(['nginx-gateway-endpoints Sync/Sync Succeeded', 'nginx-gateway-smoke Sync/Sync Succeeded', 'nginx-gateway-verify PostSync/PostSync Succeeded']);
});

test('a smoke check that fails stops the sync before the route: no traffic moves, no analysis runs', async () => {
  const move = renamed(toCanary, 'argocd-smoke');
  const to = failing(move.to, 'nginx-gateway-smoke');
  let events: string[] = [];
  const { outcome } = await watchedThroughArgoCd(`${move.label}, the smoke check failing`, move, to, async (sync) => { events = await recorded(move.shape.namespace, sync); });
  expect(outcome.phase).toBe('Failed');
  expect(outcome.failed).toEqual([expect.stringMatching(/^Job\/nginx-gateway-smoke: Job was active longer than specified deadline$/)]);
  expect(outcome.message).not.toMatch(/retr/i);
  expect(events).toEqual(['nginx-gateway-endpoints made', 'nginx-gateway-endpoints Complete', 'nginx-gateway-smoke made', 'nginx-gateway-smoke Failed']);
  const route = await get(`/apis/gateway.networking.k8s.io/v1/namespaces/${move.shape.namespace}/httproutes/canary-demo`);
  expect(weightsOf(route)).toBe('100/0');
});

test('a gate whose analysis fails fails the sync: the Application says which Job, and stays at the stage for a rollback commit', async () => {
  const move = renamed(toCanary, 'argocd-gate');
  const to = failing(move.to, 'nginx-gateway-verify');
  const { outcome } = await watchedThroughArgoCd(`${move.label}, the analysis failing`, move, to);
  expect(outcome.phase).toBe('Failed');
  expect(outcome.failed).toEqual([expect.stringMatching(/^Job\/nginx-gateway-verify: Job was active longer than specified deadline$/)]);
  const { status } = await get(`/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${move.shape.namespace}`);
  const verify = status.operationState.syncResult.resources.find((each: { name: string }) => each.name === 'nginx-gateway-verify');
  expect(verify).toMatchObject({ hookType: 'PostSync', hookPhase: 'Failed' });
  // Not retried (the README's Application: retry limit 0): the next commit, the rollback, is the move.
  expect(status.operationState.retryCount ?? 0).toBe(0);
  expect(status.sync.revision).toBe(outcome.revision);
  expect(status.operationState.syncResult.revision).toBe(outcome.revision);
});
