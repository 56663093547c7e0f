import type { ResolvedAppSpec, ResolvedStatefulSetSpec } from './resolved';
import { stageMoves, type StageMove } from './moves';
import { ROLLBACK_STAGE, type ResolvedStage, type RolloutPlan } from './stage';
import type { Track } from './labels';
import type { StageSpec } from '../spec/types';

/*
 * A StatefulSet release, pure: one StatefulSet of N pods runs both tracks. Its rolling update
 * replaces pods from the highest ordinal down to the partition, one at a time, each once the one
 * before is Running and Ready (kube-controller-manager's stateful_set_control.go); pods below the
 * partition keep the revision they run. So a stage of c canary pods is the partition N - c with the
 * canary's template, and the canary is always the highest ordinals. Worked examples beside each
 * function; test/stateful.test.ts holds them as tables.
 */

/** The label the StatefulSet controller sets on each pod: its ordinal. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** The label the StatefulSet controller sets on each pod: the revision of the template it runs. */
export const REVISION_LABEL = 'controller-revision-hash';

/** The StatefulSet app's settings: where present, the app runs on a StatefulSet. */
export type StatefulApp = ResolvedAppSpec & { readonly statefulSet: ResolvedStatefulSetSpec };

/** Whether the app runs on a StatefulSet. */
export function isStateful(app: ResolvedAppSpec): app is StatefulApp {
  return app.statefulSet !== undefined;
}

/**
 * The default plan of a StatefulSet of `size` pods: each stage a partition, the canary on the highest
 * ordinals, one pod first, then half, then all.
 *
 *   3: baseline (3, 0), canary (2, 1), expand (1, 2), promote (0, 3)
 *   2: baseline (2, 0), canary (1, 1), promote (0, 2)
 *   1: baseline (1, 0), promote (0, 1)
 */
export function statefulStages(size: number): StageSpec[] {
  const half = Math.ceil(size / 2);
  return [
    { name: 'baseline', stableReplicas: size, canaryReplicas: 0 },
    ...(size > 1 ? [{ name: 'canary', stableReplicas: size - 1, canaryReplicas: 1 }] : []),
    ...(half > 1 && half < size ? [{ name: 'expand', stableReplicas: size - half, canaryReplicas: half }] : []),
    { name: 'promote', stableReplicas: 0, canaryReplicas: size },
  ];
}

/**
 * The canary pods of a stage written as a share: the nearest whole number of pods, at least one
 * above 0% and short of all below 100%, since a StatefulSet splits by pods alone.
 *
 *   size 3: 25% -> 1, 50% -> 2 (1.5 rounds up), 90% -> 2, 100% -> 3;  size 10: 5% -> 1
 */
export function statefulCanaryPods(percent: number, size: number): number {
  if (percent <= 0) return 0;
  if (percent >= 100) return size;
  return Math.min(size - 1, Math.max(1, Math.round((size * percent) / 100)));
}

/** The StatefulSet's size: the same in every stage (stable's size). */
export function statefulSize(app: ResolvedAppSpec): number {
  return app.stable.replicas;
}

/**
 * The partition of a stage: pods at or past it (by their place among the ordinals) run the template.
 *
 *   N 3: baseline (3, 0) -> 3   canary (2, 1) -> 2   promote (0, 3) -> 0   rollback (3, 0) -> 0
 */
export function partition(stage: ResolvedStage): number {
  return stage.name === ROLLBACK_STAGE ? 0 : stage.stableReplicas;
}

/**
 * Whose template a stage's StatefulSet runs: the canary's where it has canary pods, else stable's.
 * At rollback the partition is 0, so every canary pod turns back to stable's template.
 */
export function templateTrack(stage: ResolvedStage): Track {
  return stage.canaryReplicas > 0 ? 'canary' : 'stable';
}

/** The highest ordinal, the first the controller updates: the canary's first pod. */
export function highestOrdinal(app: StatefulApp): number {
  return app.statefulSet.firstOrdinal + statefulSize(app) - 1;
}

/**
 * The ordinals of a stage's canary pods, highest first.
 *
 *   N 5, start 0: canary 2 -> [4, 3]      N 3, start 10: canary 1 -> [12]
 */
export function canaryOrdinals(app: StatefulApp, canaryPods: number): number[] {
  return Array.from({ length: canaryPods }, (_unused, i) => highestOrdinal(app) - i);
}

/**
 * The pods a move replaces, by ordinal, in the order the controller replaces them (highest first):
 * on to the next stage, the pods that join the canary; at rollback, every canary pod; at finish
 * none (stable's template is then the canary's, the revision the pods run).
 *
 *   N 3: baseline -> canary (2, 1): [2]   canary -> expand (1, 2): [1]
 *        expand (1, 2) -> rollback: [2, 1]   promote (0, 3) -> finish: []
 */
export function replacedOrdinals(app: StatefulApp, move: Pick<StageMove, 'kind' | 'from' | 'to'>): number[] {
  if (move.kind === 'finish') return [];
  const before = move.from.canaryReplicas;
  if (move.kind === 'rollback') return canaryOrdinals(app, before);
  return canaryOrdinals(app, move.to.canaryReplicas).slice(before);
}

/**
 * The fewest ready pods while a move runs: each pod the controller replaces serves nothing from its
 * deletion until its successor is Ready, and it replaces `maxUnavailable` at a time at most (1 unless
 * the StatefulSet says more, and the cluster has MaxUnavailableStatefulSet, on from 1.37).
 *
 *   N 3, 1 pod replaced -> 2;  N 5, 2 replaced, maxUnavailable 2 -> 3;  none replaced -> 3
 */
export function readyFloor(app: StatefulApp, replaced: number): number {
  return statefulSize(app) - Math.min(replaced, app.statefulSet.maxUnavailable);
}

/** A move of a StatefulSet's plan: the pods it replaces, in order, and the fewest ready pods while it runs. */
export interface StatefulMove {
  readonly move: StageMove;
  readonly replaced: readonly number[];
  readonly readyFloor: number;
}

/**
 * Every move the plan offers (stageMoves), with the pods each replaces and its ready floor: what
 * `plan` states, and what the cluster tests hold the real controller to.
 *
 *   N 3: baseline -> canary: [2], 2 of 3 ready at least;  promote -> finish: [], 3 of 3
 */
export function statefulMoves(app: StatefulApp, plan: RolloutPlan): StatefulMove[] {
  return stageMoves(plan.stages).map((move) => {
    const replaced = replacedOrdinals(app, move);
    return { move, replaced, readyFloor: readyFloor(app, replaced.length) };
  });
}

/** The pods of each track in a stage, as a regular expression of their names (for a gate query's `$pods`). */
export interface TrackPods {
  readonly canary: string;
  /** The highest stable ordinals, as many as the canary's pods (as many as there are): what the canary is compared with. */
  readonly baseline: string;
  readonly stable: string;
}

/**
 * The pods of each track in a stage, for the gate's queries: names joined by `|` (a Prometheus
 * `=~` is anchored), or `<statefulset>-none`, a name no pod of it has, where a track runs none.
 *
 *   N 5, canary (3, 2): canary store-4|store-3, baseline store-2|store-1, stable store-2|store-1|store-0
 *   N 3, promote (0, 3): canary store-2|store-1|store-0, baseline store-none, stable store-none
 */
export function trackPods(app: StatefulApp, stage: ResolvedStage): TrackPods {
  const names = (ordinals: readonly number[]) => (ordinals.length ? ordinals.map((ordinal) => podName(app, ordinal)).join('|') : `${app.statefulSet.name}-none`);
  const canary = canaryOrdinals(app, stage.canaryReplicas);
  const stable = Array.from({ length: stage.stableReplicas }, (_unused, i) => highestOrdinal(app) - stage.canaryReplicas - i);
  return { canary: names(canary), baseline: names(stable.slice(0, canary.length)), stable: names(stable) };
}

/** The pod of ordinal `ordinal`: `<statefulset>-<ordinal>`. */
export function podName(app: StatefulApp, ordinal: number): string {
  return `${app.statefulSet.name}-${ordinal}`;
}

/** The canary's own Service: it selects the highest ordinal, the pod the canary starts on. */
export function canaryPodSelector(app: StatefulApp): Record<string, string> {
  return { ...app.service.selector, [POD_INDEX_LABEL]: String(highestOrdinal(app)) };
}

/** The Job (and its access) that turns back canary pods that never became Ready, at rollback. */
export function revertJobName(app: ResolvedAppSpec): string {
  return `${app.name}-revert`;
}

/** How long a pod may take to be replaced and Ready at rollback, on either road. */
export const REVERT_SECONDS_PER_POD = 300;

/** How long the revert at rollback waits for every pod to run stable's template: each pod its time. */
export function revertSeconds(app: StatefulApp): number {
  return REVERT_SECONDS_PER_POD * statefulSize(app);
}
