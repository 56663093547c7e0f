import type { ResolvedAppSpec } from './defaults';
import { TRACKS, type Track } from './labels';
import type { StageSpec } from '../spec/types';

/** The stage that always exists: all traffic back on stable, the canary scaled to zero. */
export const ROLLBACK_STAGE = 'rollback';

/** One stage of a rollout, with its replica counts resolved. */
export interface ResolvedStage {
  /** Stage name as written in the spec. */
  readonly name: string;
  /** File name without extension: `01-baseline` ... for the plan, `rollback` for the rollback stage. */
  readonly fileName: string;
  readonly stableReplicas: number;
  readonly canaryReplicas: number;
  /**
   * Canary share of traffic, in percent: the share of the Service's pods that are canary pods, or,
   * for a routed app, the route's weight.
   */
  readonly canaryShare: number;
  /** For a routed app: the canary's route weight, a whole percent (the stable gets the rest). */
  readonly canaryWeight?: number;
  /** The share asked for, where the stage was written with `canaryPercent`. */
  readonly requestedPercent?: number;
  /** The percent of requests the router copies to the canary, whose answers are dropped. */
  readonly mirrorPercent?: number;
  /**
   * Whether the canary Deployment is part of this stage's manifest. It is left out only before the
   * first stage that runs a canary; later stages (rollback included) keep it, at zero replicas if
   * need be, so that `kubectl apply` of any one file scales a running canary down.
   */
  readonly canaryDeployed: boolean;
  /** The Argo CD sync wave of each track's Deployment in this stage's file (see `syncWaves`). */
  readonly syncWaves: TrackWaves;
}

/** The sync wave of each track's Deployment. */
export interface TrackWaves {
  readonly stable: number;
  readonly canary: number;
}

/**
 * Argo CD applies a wave, waits until it is healthy, then applies the next. A track that grows in a
 * move goes first, the routes move traffic once it is ready, and a track that shrinks goes last, so
 * ready capacity never drops. Objects every stage shares (Namespace, Services) stay in wave 0.
 */
export const SYNC_WAVE = { grow: 1, route: 2, shrink: 3 } as const;

/**
 * A move the plan offers: on to the next stage, from any stage back to `rollback`, or, at `finish`,
 * from a stage with all traffic on the canary to the finish stage, where stable runs the canary's
 * version (its pod template changes, so its pods start from none).
 */
export interface StageMove {
  readonly kind: 'next' | 'rollback' | 'finish';
  readonly from: ResolvedStage;
  readonly to: ResolvedStage;
}

/** The tracks whose Deployments a stage's file holds: stable, and the canary once it has started. */
export function deployedTracks(stage: ResolvedStage): Track[] {
  return TRACKS.filter((track) => track === 'stable' || stage.canaryDeployed);
}

/** A resolved rollout plan. */
export interface RolloutPlan {
  /** The plan's stages in order, then the rollback stage. */
  readonly stages: ResolvedStage[];
  /** The stage written to the `current` folder. */
  readonly current: ResolvedStage;
}

/** A track's autoscaler bounds in one stage. */
export interface AutoscalerBounds {
  readonly min: number;
  readonly max: number;
}

/**
 * The bounds of a track's autoscaler in a stage where it has `replicas` of its `size` pods, for a
 * ceiling of `maxReplicas` at full size: the floor is the stage's count, and the ceiling the same
 * multiple of it, rounded up (a ceiling is never below the floor). Both tracks keep the stage's ratio
 * at rest and, when they scale alike, under load. No autoscaler holds a track at 0 pods: there is none.
 *
 *   walkthrough sizes (3 and 3), maxReplicas 9 each:
 *     canary (3, 1):  stable 3..9, canary 1..3   -> 25% at rest, 25% at full load
 *     expand (3, 3):  stable 3..9, canary 3..9
 *     promote (0, 3): stable none (0 pods), canary 3..9
 *   size 4, maxReplicas 10, 1 pod: 1..3 (2.5, rounded up)
 */
export function autoscalerBounds(replicas: number, size: number, maxReplicas: number): AutoscalerBounds | undefined {
  if (replicas === 0) return undefined;
  return { min: replicas, max: Math.max(replicas, Math.ceil((replicas * maxReplicas) / size)) };
}

/**
 * The replica count a track's Deployment states in a stage where it has `replicas` pods: none while an
 * autoscaler owns the count (an applied count would fight it), else the stage's.
 */
export function statedReplicas(spec: ResolvedAppSpec, track: 'stable' | 'canary', replicas: number): number | undefined {
  return spec[track].autoscaling && replicas > 0 ? undefined : replicas;
}

/** A track's count in a stage as `plan` and the file headers show it: with an autoscaler, its bounds (`3..9`). */
export function formatCount(spec: ResolvedAppSpec, track: 'stable' | 'canary', replicas: number): string {
  const bounds = trackAutoscalerBounds(spec, track, replicas);
  return bounds ? `${bounds.min}..${bounds.max}` : String(replicas);
}

/** A track's autoscaler bounds in a stage where it has `replicas` pods; undefined without autoscaling or pods. */
export function trackAutoscalerBounds(spec: ResolvedAppSpec, track: 'stable' | 'canary', replicas: number): AutoscalerBounds | undefined {
  const { autoscaling, replicas: size } = spec[track];
  return autoscaling && autoscalerBounds(replicas, size, autoscaling.maxReplicas);
}

/**
 * The walkthrough's plan for a stable track of `stable` pods and a canary of `canary` pods at full size.
 *
 *   stable 3, canary 3: baseline (3, 0), canary (3, 1), expand (3, 3), promote (0, 3)
 *   stable 3, canary 1: baseline (3, 0), canary (3, 1), promote (0, 1); expand would repeat canary
 */
export function defaultStages(stable: number, canary: number, mirrorPercent?: number): StageSpec[] {
  const stages: StageSpec[] = [
    { name: 'baseline', stableReplicas: stable, canaryReplicas: 0 },
    // Copies only: weight 0, and the canary pods the copies need (see mirrorReplicas).
    ...(mirrorPercent ? [{ name: 'mirror', canaryPercent: 0, canaryReplicas: mirrorReplicas(mirrorPercent, canary), mirrorPercent }] : []),
    { name: 'canary', stableReplicas: stable, canaryReplicas: Math.min(1, canary) },
  ];
  if (canary > 1) stages.push({ name: 'expand', stableReplicas: stable, canaryReplicas: canary });
  stages.push({ name: 'promote', stableReplicas: 0, canaryReplicas: canary });
  return stages;
}

/**
 * The canary pods that carry a mirror of `percent` of the requests: that share of its full size,
 * rounded up, and at least one.
 *
 *   canary size 3: 10% -> 1, 50% -> 2, 100% -> 3
 */
function mirrorReplicas(percent: number, canarySize: number): number {
  return Math.max(1, Math.ceil((canarySize * percent) / 100));
}

/** A stage's file, relative to the output folder: `web/stages/01-baseline.k8s.yaml`. */
export function stagePath(app: string, stage: ResolvedStage): string {
  return `${app}/stages/${stage.fileName}.k8s.yaml`;
}

/** The file that holds an app's current stage. */
export function currentPath(app: string): string {
  return `${app}/current/${app}.k8s.yaml`;
}

/** Every file an app's render makes, in order: each stage's, the current one after its stage. */
export function appFilePaths(app: string, plan: RolloutPlan): string[] {
  return plan.stages.flatMap((stage) => (stage.name === plan.current.name ? [stagePath(app, stage), currentPath(app)] : [stagePath(app, stage)]));
}

/** `25` -> `25%`, `33.333` -> `33.3%` */
export function formatShare(share: number): string {
  return `${Number(share.toFixed(1))}%`;
}

/**
 * Canary share of traffic, in percent, when a Service spreads connections evenly over all ready pods.
 *
 *   (3, 1) -> 25    (3, 3) -> 50    (0, 3) -> 100    (3, 0) -> 0    (0, 0) -> 0
 */
export function trafficShare(stable: number, canary: number): number {
  const total = stable + canary;
  return total === 0 ? 0 : (100 * canary) / total;
}

/**
 * Replica counts for a canary share of `percent`, given the tracks' full sizes.
 *
 * A Service splits traffic by pod count, so only some shares are reachable. Among counts of at most
 * `stableSize` stable and `canarySize` canary pods that together still carry full capacity
 * (stable/stableSize + canary/canarySize >= 1), it picks the share nearest `percent`, then the fewest
 * pods, then the most stable pods. 0 and 100 are the plain ends.
 *
 *   percent  sizes    -> (stable, canary)  share
 *   25       3, 3     -> (3, 1)            25
 *   50       3, 3     -> (2, 2)            50
 *   10       3, 3     -> (3, 1)            25    nothing nearer carries full capacity
 *   20       10, 10   -> (8, 2)            20
 *   33       4, 2     -> (2, 1)            33.3
 *   0        3, 3     -> (3, 0)            0
 *   100      3, 3     -> (0, 3)            100
 */
export function replicasForPercent(percent: number, stableSize: number, canarySize: number): [number, number] {
  if (percent <= 0 || canarySize === 0) return [stableSize, 0];
  if (percent >= 100 || stableSize === 0) return [0, canarySize];
  let best: [number, number] = [stableSize, canarySize];
  let bestDistance = Infinity;
  for (let canary = 1; canary <= canarySize; canary++) {
    // The stable count that gives the share exactly, and the fewest stable pods that keep full capacity.
    const exact = (canary * (100 - percent)) / percent;
    const fewestForCapacity = Math.ceil((stableSize * (canarySize - canary)) / canarySize);
    for (const candidate of [Math.floor(exact), Math.ceil(exact), fewestForCapacity]) {
      const stable = Math.min(stableSize, Math.max(1, candidate));
      if (stable * canarySize + canary * stableSize < stableSize * canarySize) continue;
      const distance = Math.abs(trafficShare(stable, canary) - percent);
      const [bestStable, bestCanary] = best;
      const nearer = distance < bestDistance - 1e-9;
      const asNear = Math.abs(distance - bestDistance) <= 1e-9;
      const fewer = stable + canary < bestStable + bestCanary;
      const moreStable = stable + canary === bestStable + bestCanary && stable > bestStable;
      if (nearer || (asNear && (fewer || moreStable))) {
        best = [stable, canary];
        bestDistance = distance;
      }
    }
  }
  return best;
}

/**
 * Replica counts for a routed stage whose weight is `percent`: a router splits requests by weight,
 * whatever the pod counts, so each track only needs capacity for its share. The canary gets its
 * share of its full size (at least one pod while it has traffic); stable keeps its full size until it
 * has no traffic at all.
 *
 *   percent  sizes    -> (stable, canary)
 *   5        3, 3     -> (3, 1)
 *   50       3, 3     -> (3, 2)
 *   50       10, 10   -> (10, 5)
 *   0        3, 3     -> (3, 0)
 *   100      3, 3     -> (0, 3)
 */
function routedReplicas(percent: number, stableSize: number, canarySize: number): [number, number] {
  const stable = percent >= 100 ? 0 : stableSize;
  const canary = percent <= 0 ? 0 : Math.max(1, Math.ceil((canarySize * percent) / 100));
  return [stable, canary];
}

/**
 * The stage a release ends in at `finish`: the first stage of the plan that runs no canary pods
 * (the default plan's `baseline`). Undefined when the plan has none, so a release cannot end cleanly.
 */
export function finishStage(stages: readonly ResolvedStage[]): ResolvedStage | undefined {
  return stages.find((stage) => stage.name !== ROLLBACK_STAGE && stage.canaryReplicas === 0);
}

/**
 * Every move the plan offers, in order: each stage to the next, each stage to rollback, and each
 * stage with 0 stable replicas (where `finish` is allowed) to the finish stage.
 *
 *   baseline (3, 0), canary (3, 1), expand (3, 3), promote (0, 3), rollback (3, 0):
 *   next: baseline -> canary -> expand -> promote; rollback: from each of the four;
 *   finish: promote -> baseline
 */
export function stageMoves(stages: readonly ResolvedStage[]): StageMove[] {
  const plan = stages.filter((stage) => stage.name !== ROLLBACK_STAGE);
  const rollback = stages.find((stage) => stage.name === ROLLBACK_STAGE)!;
  const end = finishStage(stages);
  return [
    ...plan.slice(1).map((to, i) => ({ kind: 'next' as const, from: plan[i], to })),
    ...plan.map((from) => ({ kind: 'rollback' as const, from, to: rollback })),
    ...(end ? plan.filter((from) => from.stableReplicas === 0).map((from) => ({ kind: 'finish' as const, from, to: end })) : []),
  ];
}

/** Stable replicas before a move: at `finish` stable's pods restart on the new version, from none. */
function stableBefore(move: StageMove): number {
  return move.kind === 'finish' ? 0 : move.from.stableReplicas;
}

/**
 * The sync waves of each stage's file: a track that grows in any move into the stage is in the grow
 * wave, else in the shrink wave. No move grows one track while another move into the same stage
 * shrinks it and grows the other (the finish stage and rollback run no canary), so one file serves
 * every move into it.
 *
 *   canary (3, 1) after baseline (3, 0): canary grows -> canary 1, stable 3
 *   rollback (3, 0) after promote (0, 3): stable grows -> stable 1, canary 3
 */
function syncWaves(stage: ResolvedStage, moves: readonly StageMove[]): TrackWaves {
  const into = moves.filter((move) => move.to.name === stage.name);
  const wave = (grows: boolean) => (grows ? SYNC_WAVE.grow : SYNC_WAVE.shrink);
  return {
    stable: wave(into.some((move) => move.to.stableReplicas > stableBefore(move))),
    canary: wave(into.some((move) => move.to.canaryReplicas > move.from.canaryReplicas)),
  };
}

/**
 * Resolves written stages to replica counts and adds the rollback stage. With `routed`, each stage
 * also gets a route weight: its `canaryPercent` rounded to a whole percent, or the replica ratio.
 * Expects stages that passed spec validation (unique names, counts or a percent on each).
 */
export function resolvePlan(
  stages: readonly StageSpec[],
  stableSize: number,
  canarySize: number,
  current?: string,
  routed = false,
): RolloutPlan {
  const width = Math.max(2, String(stages.length).length);
  let canaryStarted = false;
  const noWaves: TrackWaves = { stable: SYNC_WAVE.shrink, canary: SYNC_WAVE.shrink };
  const resolved: ResolvedStage[] = stages.map((stage, index) => {
    const percent = stage.canaryPercent;
    let [stableReplicas, canaryReplicas] = [stage.stableReplicas ?? 0, stage.canaryReplicas ?? 0];
    if (percent !== undefined) {
      const [stable, canary] = routed ? routedReplicas(percent, stableSize, canarySize) : replicasForPercent(percent, stableSize, canarySize);
      // Copies need canary pods too, when the stage gives no count.
      const mirrored = stage.mirrorPercent ? Math.max(canary, mirrorReplicas(stage.mirrorPercent, canarySize)) : canary;
      [stableReplicas, canaryReplicas] = [stage.stableReplicas ?? stable, stage.canaryReplicas ?? mirrored];
    }
    canaryStarted ||= canaryReplicas > 0;
    const canaryWeight = routed ? Math.round(percent ?? trafficShare(stableReplicas, canaryReplicas)) : undefined;
    return {
      name: stage.name,
      fileName: `${String(index + 1).padStart(width, '0')}-${stage.name}`,
      stableReplicas,
      canaryReplicas,
      canaryShare: canaryWeight ?? trafficShare(stableReplicas, canaryReplicas),
      canaryWeight,
      requestedPercent: percent,
      ...(stage.mirrorPercent ? { mirrorPercent: stage.mirrorPercent } : {}),
      canaryDeployed: canaryStarted,
      syncWaves: noWaves,
    };
  });
  resolved.push({
    name: ROLLBACK_STAGE,
    fileName: ROLLBACK_STAGE,
    stableReplicas: stableSize,
    canaryReplicas: 0,
    canaryShare: 0,
    canaryWeight: routed ? 0 : undefined,
    canaryDeployed: canaryStarted,
    syncWaves: noWaves,
  });
  const moves = stageMoves(resolved);
  const withWaves = resolved.map((stage) => ({ ...stage, syncWaves: syncWaves(stage, moves) }));
  const found = withWaves.find((stage) => stage.name === (current ?? withWaves[0].name));
  if (!found) throw new Error(`stage "${current}" is not in the plan`);
  return { stages: withWaves, current: found };
}
