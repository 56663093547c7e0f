import type { StageSpec } from '../spec/types';
import { stageMoves, syncWaves, SYNC_WAVE } from './moves';
import { mirrorReplicas, replicasForPercent, routedReplicas, trafficShare } from './replicas';
import { ROLLBACK_STAGE, type ResolvedStage, type RolloutPlan, type TrackWaves } from './stage';

/**
 * Resolves written stages to replica counts and adds the rollback stage. With `routed`, each stage
 * also gets a route weight: its `canaryPercent` rounded to a whole percent, or the replica ratio, and
 * says whether its route gives the canary more than the stage before (more weight, or `matchRules`
 * that start to apply).
 * Expects stages that passed spec validation (unique names, counts or a percent on each).
 */
export function resolvePlan(
  stages: readonly StageSpec[],
  stableSize: number,
  canarySize: number,
  current?: string,
  routed = false,
  matchRules = false,
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
      canaryTrafficGrows: false,
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
    canaryTrafficGrows: false,
    syncWaves: noWaves,
  });
  const moves = stageMoves(resolved);
  // What the route gives the canary: its weight, and whether match rules send users to it.
  const traffic = (stage?: ResolvedStage) => ({ weight: stage?.canaryWeight ?? 0, matched: matchRules && (stage?.canaryReplicas ?? 0) > 0 });
  const withWaves = resolved.map((stage, i) => {
    const [before, now] = [traffic(resolved[i - 1]), traffic(stage)];
    const grows = routed && stage.name !== ROLLBACK_STAGE && (now.weight > before.weight || (now.matched && !before.matched));
    return { ...stage, canaryTrafficGrows: grows, syncWaves: syncWaves(stage, moves) };
  });
  const found = withWaves.find((stage) => stage.name === (current ?? withWaves[0].name));
  if (!found) throw new Error(`stage "${current}" is not in the plan`);
  return { stages: withWaves, current: found };
}
