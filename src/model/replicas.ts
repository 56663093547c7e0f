import type { StageSpec } from '../spec/types';

/*
 * The replica math of a rollout, pure: how many pods each track runs for a share of traffic, and the
 * default plan. Worked examples beside each function; test/plan.test.ts holds them as tables.
 */

/** The default plan's stages by name: every one it can have, in its order (mirror and expand only in some). */
const DEFAULT_STAGE = { baseline: 'baseline', mirror: 'mirror', canary: 'canary', expand: 'expand', promote: 'promote' } as const;
export const DEFAULT_STAGE_NAMES: readonly string[] = Object.values(DEFAULT_STAGE);

/**
 * The walkthrough's plan for a stable track of `stable` pods and a canary of `canary` pods at full size.
 *
 *   stable 3, canary 3: baseline (3, 0), canary (3, 1), expand (3, 3), promote (0, 3)
 *   stable 3, canary 1: baseline (3, 0), canary (3, 1), promote (0, 1); expand would repeat canary
 */
export function defaultStages(stable: number, canary: number, mirrorPercent?: number): StageSpec[] {
  const stages: StageSpec[] = [
    { name: DEFAULT_STAGE.baseline, stableReplicas: stable, canaryReplicas: 0 },
    // Copies only: weight 0, and the canary pods the copies need (see mirrorReplicas).
    ...(mirrorPercent ? [{ name: DEFAULT_STAGE.mirror, canaryPercent: 0, canaryReplicas: mirrorReplicas(mirrorPercent, canary), mirrorPercent }] : []),
    { name: DEFAULT_STAGE.canary, stableReplicas: stable, canaryReplicas: Math.min(1, canary) },
  ];
  if (canary > 1) stages.push({ name: DEFAULT_STAGE.expand, stableReplicas: stable, canaryReplicas: canary });
  stages.push({ name: DEFAULT_STAGE.promote, stableReplicas: 0, canaryReplicas: canary });
  return stages;
}

/**
 * The canary pods that carry a mirror of `percent` of the requests: that share of its full size,
 * rounded up, and at least one.
 *
 *   canary size 3: 10% -> 1, 50% -> 2, 100% -> 3
 */
export function mirrorReplicas(percent: number, canarySize: number): number {
  return Math.max(1, Math.ceil((canarySize * percent) / 100));
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
export function routedReplicas(percent: number, stableSize: number, canarySize: number): [number, number] {
  const stable = percent >= 100 ? 0 : stableSize;
  const canary = percent <= 0 ? 0 : Math.max(1, Math.ceil((canarySize * percent) / 100));
  return [stable, canary];
}
