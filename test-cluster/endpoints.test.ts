/**
 * The checks before traffic moves, on the control plane. A Deployment's rollout is done before the
 * EndpointSlice controller lists its new pods (here a second or more: the cluster batches slice
 * updates by a second, scripts/cluster.sh): the plan's steps without their endpoint and route checks
 * move the route in that window (the negative control, which stops the controllers the moment the
 * rollout is done, so a busy machine cannot close the window); a check that can never pass fails with
 * its message and leaves every track as it was. Each runs in a namespace of its own (the app's, renamed).
 */
import type { KubectlStep } from '../src/engine/kubectl-steps';
import { formatStep } from '../src/engine/kubectl-steps';
import { TRAFFIC_CHECK_SECONDS } from '../src/model/traffic-checks';
import { record } from './describe-moves';
import { withFiles } from './files';
import { get, shell, watch, withControllersPaused } from './kube';
import { movedApps, movesOf, renamed, watched } from './moves';

const gateway = movedApps().find((app) => app.name === 'nginx-gateway')!;
const rollbackAfterPromote = movesOf(gateway).find((move) => move.label === 'nginx-gateway: rollback promote -> rollback')!;
/** A check's tries, shortened for a check that is meant to fail. */
const shortened = (command: string) => command.replaceAll(`seq ${TRAFFIC_CHECK_SECONDS}`, 'seq 3');

test('without the checks, rollback after promote gives stable all traffic while its Service lists fewer than its 3 pods', async () => {
  const move = renamed(rollbackAfterPromote, 'unchecked');
  const steps = move.steps.filter((step) => step.verb !== 'endpoints' && step.verb !== 'route');
  expect(steps.map((step) => step.verb)).toEqual(['apply', 'wait', 'apply', 'apply']);
  const [grow, , route, whole] = steps.map((step) => formatStep(step, move.shape.namespace));
  const { namespace, deployments: { stable } } = move.shape;
  const result = await withFiles(move.paths, (dir) => watched('negative: rollback after promote without the endpoint and route checks', move, dir, [grow], async () => {
    // What `kubectl rollout status` waits for; the moment it holds, the controllers stop, so the
    // EndpointSlices stay as they were while the next steps run, however busy the machine is.
    await rolledOut(namespace, stable, 3);
    await withControllersPaused(async () => {
      const slices = (await get(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=kubernetes.io/service-name=canary-demo-stable`)).items;
      const listed = slices.flatMap((slice: any) => slice.endpoints ?? []).filter((endpoint: any) => endpoint.conditions?.ready).length;
      if (listed >= 3) throw new Error('inconclusive: the EndpointSlices listed stable\'s pods before the controllers stopped');
      await shell(route, dir);
      await shell(whole, dir);
    });
  }));
  record(result);
  expect(result.underServed).toContainEqual(expect.stringMatching(/^stable has weight 100% with [0-2] of 3 ready endpoints in canary-demo-stable /));
  // What the older check saw: none of it, as the Service listed some pods.
  expect(result.lowestCapacity).toBeGreaterThanOrEqual(1);
});

/** Resolves once the Deployment's rollout is done, as `kubectl rollout status` sees it: `count` pods updated and available. */
async function rolledOut(namespace: string, name: string, count: number): Promise<void> {
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { done = resolve; });
  const watching = await watch(`/apis/apps/v1/namespaces/${namespace}/deployments?fieldSelector=metadata.name=${name}`, (_type, deployment) => {
    const status = deployment.status ?? {};
    if ((status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0) && status.updatedReplicas === count && status.availableReplicas === count && status.replicas === count) done();
  });
  try {
    await finished;
  } finally {
    watching.stop();
  }
}

test('a Service that never lists the pods: the check fails with its message, and nothing after it runs', async () => {
  const move = renamed(rollbackAfterPromote, 'noservice');
  const check: KubectlStep = {
    verb: 'endpoints', service: 'no-such-service', pods: 'app=nginx,track=stable', count: 3, lane: 'stable', before: 'traffic',
    message: 'Service no-such-service: fewer than 3 stable pods are ready endpoints after 60 s; traffic stays where it is',
  };
  const until = move.steps.findIndex((step) => step.verb === 'endpoints');
  const commands = [...move.steps.slice(0, until), check, ...move.steps.slice(until)].map((step) => formatStep(step, move.shape.namespace));
  let failure = '';
  const result = await withFiles(move.paths, (dir) => watched('a check that never passes', move, dir, [],
    () => shell(shortened(commands.join(' && ')), dir).catch((error: Error) => { failure = error.message; })));
  expect(failure).toContain('Service no-such-service: fewer than 3 stable pods are ready endpoints after 60 s; traffic stays where it is');
  // The route never moved, and the canary kept its pods.
  expect(result.log.at(-1)).toMatch(/stable 3, canary 3, capacity 2\.00, weights 0 \(canary-demo-stable 3\)\/100 \(canary-demo-canary 3\)$/);
  expect(result.underServed).toEqual([]);
});

test('no Gateway controller: the route moves, is never accepted, and nothing shrinks', async () => {
  const move = renamed(rollbackAfterPromote, 'nocontroller');
  const command = shortened(move.steps.map((step) => formatStep(step, move.shape.namespace)).join(' && '));
  let failure = '';
  const result = await withFiles(move.paths, (dir) => watched('a route no controller accepts', move, dir, [],
    () => shell(command, dir).catch((error: Error) => { failure = error.message; }), false));
  expect(failure).toContain('httproute/canary-demo is not accepted by its parent at its current generation after 60 s; nothing shrinks');
  const canary = await get(`/apis/apps/v1/namespaces/${move.shape.namespace}/deployments/${move.shape.deployments.canary}`);
  expect(canary.spec.replicas).toBe(3);
  expect(result.log.at(-1)).toMatch(/stable 3, canary 3, capacity 2\.00, weights 100 \(canary-demo-stable 3\)\/0 \(canary-demo-canary 3\)$/);
  expect(result.underServed).toEqual([]);
});
