import type { ResolvedAppSpec } from './resolved';
import type { Track } from './labels';

/* A track's autoscaler in a stage: its bounds, and the count its Deployment states beside it. */

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
export function statedReplicas(spec: ResolvedAppSpec, track: Track, replicas: number): number | undefined {
  return spec[track].autoscaling && replicas > 0 ? undefined : replicas;
}

/** A track's count in a stage as `plan` and the file headers show it: with an autoscaler, its bounds (`3..9`). */
export function formatCount(spec: ResolvedAppSpec, track: Track, replicas: number): string {
  const bounds = trackAutoscalerBounds(spec, track, replicas);
  return bounds ? `${bounds.min}..${bounds.max}` : String(replicas);
}

/** A track's autoscaler bounds in a stage where it has `replicas` pods; undefined without autoscaling or pods. */
export function trackAutoscalerBounds(spec: ResolvedAppSpec, track: Track, replicas: number): AutoscalerBounds | undefined {
  const { autoscaling, replicas: size } = spec[track];
  return autoscaling && autoscalerBounds(replicas, size, autoscaling.maxReplicas);
}
