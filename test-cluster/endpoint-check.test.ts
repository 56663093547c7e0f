/**
 * The endpoint check as Argo CD runs it, on the control plane: its Job's code (verify/check-endpoints.js)
 * runs as a process against the API server with a token of the Job's own ServiceAccount, as the pod
 * would (check-runner.ts), so the API server's authorization of each request is real. Its Role grants
 * exactly what the check reads; the check passes once the Services list the pods, fails with its
 * message when they never do, and fails at once when it may not read them; a sync whose check fails
 * stops before the route moves or anything shrinks. Each test works in a namespace of its own.
 */
import { parseManifests, type Manifest } from '../test/cluster-rules';
import { runCheckPodOnce as runCheck } from './check-runner';
import { editEndpointChecks, editObjects } from './files';
import { get, kubectl } from './kube';
import { movedApps, movesOf, renamed, settle, watchedThroughArgoCd } from './moves';

const gateway = movedApps().find((app) => app.name === 'nginx-gateway')!;
const rollbackAfterPromote = movesOf(gateway).find((move) => move.label === 'nginx-gateway: rollback promote -> rollback')!;
const isCheck = (doc: Manifest) => doc.metadata?.labels?.['app.kubernetes.io/component'] === 'endpoint-check';

/** The move's target stage's endpoint check Job, and a pod of it as the Job controller would make it. */
function checkPod(file: string): Manifest {
  const job = parseManifests(file).find((doc) => doc.kind === 'Job' && isCheck(doc));
  return { metadata: { name: 'check', namespace: job.metadata.namespace }, spec: job.spec.template.spec };
}

/** The pod with its input edited (its time, its checks). */
function withChecks(pod: Manifest, edit: (checks: Manifest) => void): Manifest {
  const copy = JSON.parse(JSON.stringify(pod));
  editEndpointChecks({ spec: { template: { spec: copy.spec } } }, edit);
  return copy;
}

describe('the Job\'s code against the API server, as the Job\'s ServiceAccount', () => {
  const move = renamed(rollbackAfterPromote, 'check');
  const { namespace } = move.shape;
  const as = `system:serviceaccount:${namespace}:nginx-gateway-endpoints`;
  beforeAll(async () => {
    // The target stage settled: its access, code and Services in place, stable's 3 pods listed.
    await settle(move.to, move.shape);
  });

  test('its Role lets it list EndpointSlices and pods in the app\'s namespace, and nothing else', async () => {
    // can-i prints yes or no, and exits 1 for no.
    const can = async (...args: string[]) => (await kubectl(['auth', 'can-i', ...args, '--as', as]).catch((error: { stdout?: string; message: string }) => error.stdout ?? error.message)).trim();
    expect(await can('list', 'endpointslices.discovery.k8s.io', '-n', namespace)).toBe('yes');
    expect(await can('list', 'pods', '-n', namespace)).toBe('yes');
    for (const denied of [['get', 'pods'], ['watch', 'pods'], ['get', 'secrets'], ['list', 'secrets'], ['list', 'services'], ['patch', 'httproutes.gateway.networking.k8s.io'], ['create', 'pods']]) {
      expect([denied.join(' '), await can(...denied, '-n', namespace)]).toEqual([denied.join(' '), expect.stringMatching(/^no/)]);
    }
    expect(await can('list', 'endpointslices.discovery.k8s.io', '-n', 'default')).toMatch(/^no/);
  });

  test('passes once each Service lists the stage\'s pods: stable\'s 3 in the shared Service and its own', async () => {
    const run = await runCheck(checkPod(move.to));
    expect(run.output).toMatch(/^Service canary-demo: 3 ready endpoints of 3 \(app=nginx,track=stable\) after [\d.]+ s\nService canary-demo-stable: 3 ready endpoints of 3 \(app=nginx,track=stable\) after [\d.]+ s\n$/);
    expect(run.exitCode).toBe(0);
  });

  test('fails with its message when a Service never lists that many (here: 4 of 3), after its time', async () => {
    const pod = withChecks(checkPod(move.to), (checks) => {
      checks.seconds = 3;
      checks.checks[1].count = 4;
    });
    const run = await runCheck(pod);
    expect(run.exitCode).toBe(1);
    expect(run.output).toContain('Service canary-demo: 3 ready endpoints of 3');
    expect(run.output).toContain('Service canary-demo-stable: fewer than 3 stable pods are ready endpoints after 60 s; traffic stays where it is (3 listed)');
  });

  test('fails at once, saying why, when its Role does not let it read (the check cannot measure, so it never passes)', async () => {
    await kubectl(['delete', 'rolebinding', 'nginx-gateway-endpoints', '-n', namespace]);
    try {
      const started = Date.now();
      const run = await runCheck(checkPod(move.to));
      expect(run.exitCode).toBe(1);
      expect(run.output).toMatch(/^Service canary-demo: fewer than 3 stable pods are ready endpoints after 60 s; traffic stays where it is: GET \/api\/v1\/namespaces\/[a-z-]+\/pods\?labelSelector=app%3Dnginx%2Ctrack%3Dstable: 403 pods is forbidden: User "system:serviceaccount:[a-z-]+:nginx-gateway-endpoints" cannot list resource "pods"/);
      // Once: not its 60 s of tries.
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await kubectl(['apply', '-f', '-'], JSON.stringify(parseManifests(move.to).find((doc) => doc.kind === 'RoleBinding' && isCheck(doc))));
    }
  });
});

test('Argo CD: when the endpoints never come, the sync fails at the check, the route never moves and nothing shrinks', async () => {
  const move = renamed(rollbackAfterPromote, 'argo-never');
  // The check waits for a Service the app does not have, for 3 s.
  const to = editObjects(move.to, (doc) => {
    if (doc.kind === 'Job' && isCheck(doc)) editEndpointChecks(doc, (checks) => {
      checks.seconds = 3;
      checks.checks.push({ service: 'no-such-service', pods: 'app=nginx,track=stable', count: 3, message: 'Service no-such-service: fewer than 3 stable pods are ready endpoints after 60 s; traffic stays where it is' });
    });
  });
  const { result, outcome } = await watchedThroughArgoCd('Argo CD, a check that never passes', move, to);
  expect(outcome.phase).toBe('Failed');
  expect(outcome.failed).toEqual([expect.stringMatching(/^Job\/nginx-gateway-endpoints: Job has reached the specified backoff limit$/)]);
  expect(outcome.checks.map((run) => run.exitCode)).toEqual([1]);
  expect(outcome.checks[0].output).toContain('Service no-such-service: fewer than 3 stable pods are ready endpoints after 60 s; traffic stays where it is (0 listed)');
  // Stable grew (wave 1); the route (wave 4) and the canary's shrink (wave 5) never came.
  const canary = await get(`/apis/apps/v1/namespaces/${move.shape.namespace}/deployments/${move.shape.deployments.canary}`);
  expect(canary.spec.replicas).toBe(3);
  expect(result.log.at(-1)).toMatch(/stable 3, canary 3, capacity 2\.00, weights 0 \(canary-demo-stable 3\)\/100 \(canary-demo-canary 3\)$/);
  expect(result.underServed).toEqual([]);
});
