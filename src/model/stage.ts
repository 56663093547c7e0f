import { TRACKS, type Track } from './labels';

/* What a resolved stage is: its counts, share, waves, and the plan that orders the stages. */

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
  /** Whether the route gives the canary more traffic than the stage before (weight or match rules). */
  readonly canaryTrafficGrows: boolean;
  /** With a baseline track: its pods in this stage (the canary's count where it runs, else 0). */
  readonly baselineReplicas?: number;
  /** With a baseline track: its route weight, the canary's where it runs (taken from stable). */
  readonly baselineWeight?: number;
  /** Under blue/green: the track whose pods the Service selects. */
  readonly active?: Track;
  /** The Argo CD sync wave of each track's Deployment in this stage's file (see `syncWaves`). */
  readonly syncWaves: TrackWaves;
}

/** The sync wave of each track's Deployment. */
export interface TrackWaves {
  readonly stable: number;
  readonly canary: number;
  /** With a baseline track: its wave, which grows and shrinks with the canary's. */
  readonly baseline?: number;
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
