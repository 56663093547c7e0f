/**
 * The StatefulSet controller's rolling update, as kube-controller-manager's stateful_set_control.go
 * does it (RollingUpdate, no MaxUnavailableStatefulSet unless `maxUnavailable` says): the pods run
 * the current or the update revision; from the highest ordinal down to the partition, a pod not on
 * the update revision is deleted once every pod is Ready, made anew on the update revision, and the
 * next waits until it is Ready. Pods below the partition keep the revision they run. The states it
 * goes through are the measure `plan` is held to here (test/stateful.test.ts); the cluster tests
 * hold the real controller to the same (test-cluster/stateful.ts).
 */
import type { Track } from '../src/model/labels';

/** A pod: the track whose template it runs, and whether it is Ready. */
interface Pod {
  track: Track;
  ready: boolean;
}

/** What a rolling update went through: the pods it made anew (by ordinal, in order) and the fewest Ready pods in any state. */
export interface SimulatedUpdate {
  readonly replaced: number[];
  readonly fewestReady: number;
}

/**
 * A StatefulSet of `size` pods whose `canaryBefore` highest run the canary, every pod Ready, given
 * `template`'s track at the partition that leaves `canaryAfter` pods past it (0 at rollback, where
 * the partition is 0 and the template stable's). One step of the controller at a time, each pod made
 * anew turning Ready the step after.
 */
export function simulateRollingUpdate(size: number, canaryBefore: number, canaryAfter: number, template: Track, maxUnavailable = 1): SimulatedUpdate {
  const pods: Pod[] = Array.from({ length: size }, (_unused, ordinal) => ({ track: ordinal >= size - canaryBefore ? 'canary' : 'stable', ready: true }));
  const partition = template === 'stable' ? 0 : size - canaryAfter;
  const replaced: number[] = [];
  let fewestReady = size;
  const observe = () => { fewestReady = Math.min(fewestReady, pods.filter((pod) => pod.ready).length); };
  for (let guard = 0; guard < 10 * size; guard++) {
    // Pods made anew in the last step turn Ready.
    for (const pod of pods) pod.ready = true;
    observe();
    // Highest first, the pods past the partition not on the update revision: up to maxUnavailable at once.
    const stale = pods.map((pod, ordinal) => ({ pod, ordinal })).filter(({ pod, ordinal }) => ordinal >= partition && pod.track !== template).reverse();
    if (!stale.length) break;
    for (const { pod, ordinal } of stale.slice(0, maxUnavailable)) {
      // Deleted: it serves nothing until its successor, on the update revision, is Ready.
      pod.ready = false;
      pod.track = template;
      replaced.push(ordinal);
    }
    observe();
  }
  return { replaced, fewestReady };
}
