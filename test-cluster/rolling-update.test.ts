/**
 * Where the simulator and the real control plane used to part: the simulator took a Deployment whose
 * pod template changes to start its pods from none, while the Deployment controller's rolling update
 * (the default strategy, maxSurge 25% rounded up, maxUnavailable 25% rounded down: 1 and 0 at 3
 * pods) keeps every old pod until a new one is ready. Seen here with the walkthrough's baseline
 * file and stable's image changed in place (`kubectl apply` of the changed file); the simulator now
 * rolls a changed template the same way, and the two agree.
 */
import { applyWithKubectl, Cluster } from '../test/transition-sim';
import { record } from './describe-moves';
import { inNamespace, withFiles } from './files';
import { get } from './kube';
import { movesOf, shippedApps, watched } from './moves';

test('a changed pod template: the rolling update keeps full capacity, on the control plane and in the simulator', async () => {
  const walkthrough = shippedApps().find((app) => app.name === 'nginx')!;
  const move = movesOf(walkthrough).find((each) => each.label === 'nginx: rollback baseline -> rollback')!;
  const namespace = `${move.shape.namespace}-rolling`;
  const baseline = inNamespace(move.from, move.shape.namespace, namespace);
  expect(baseline).toContain('image: nginx:1.22');
  const changed = baseline.replace('image: nginx:1.22', 'image: nginx:1.23');
  const shape = { ...move.shape, namespace };
  const real = await withFiles(new Map([['changed.yaml', changed]]), (dir) => watched('rolling update: stable image changed in place', { from: baseline, shape }, dir, ['kubectl apply -f changed.yaml']));
  const simulated = applyWithKubectl(Cluster.settled(baseline, shape.sizes), [{ verb: 'apply', purpose: 'all', file: 'changed.yaml' }], new Map([['changed.yaml', changed]]));
  record({ ...real, simulated: { lowestCapacity: simulated.lowestCapacity, worstLoad: simulated.worstLoad, log: simulated.log } });
  expect(real.lowestCapacity).toBeGreaterThanOrEqual(1);
  expect(simulated.lowestCapacity).toBe(1);
  // The new pods did come: the rollout went through while the old ones served. (The EndpointSlices,
  // batched by a second, may list the surge pod and an old one's leaving in one update: the pods say it.)
  const pods = (await get(`/api/v1/namespaces/${namespace}/pods?labelSelector=track=stable`)).items;
  expect(pods.map((pod: any) => pod.spec.containers[0].image)).toEqual(['nginx:1.23', 'nginx:1.23', 'nginx:1.23']);
});
