import type { StageSpec } from '../spec/types';
import { stageMoves, syncWaves, SYNC_WAVE } from './moves';
import { mirrorReplicas, replicasForPercent, routedReplicas, trafficShare } from './replicas';
import { activeTrack } from './blue-green';
import { statefulCanaryPods } from './stateful';
import { ROLLBACK_STAGE, type ResolvedStage, type RolloutPlan, type TrackWaves } from './stage';

/**
 * Resolves written stages to replica counts and adds the rollback stage. With `routed`, each stage
 * also gets a route weight: its `canaryPercent` rounded to a whole percent, or the replica ratio, and
 * says whether its route gives the canary more than the stage before (more weight, or `matchRules`
 * that start to apply); with `baseline`, each stage runs a baseline track beside the canary (see
 * baselineOf); with `blueGreen`, each stage names the track the Service selects, whose share is all
 * the traffic, and the canary's Deployment stands in every stage (at 0 before the preview); with
 * `stateful`, a share is a whole number of the StatefulSet's pods (statefulCanaryPods).
 * Expects stages that passed spec validation (unique names, counts or a percent on each).
 */
export function resolvePlan(
  stages: readonly StageSpec[],
  stableSize: number,
  canarySize: number,
  current?: string,
  routed = false,
  matchRules = false,
  baseline = false,
  blueGreen = false,
  stateful = false,
): RolloutPlan {
  const width = Math.max(2, String(stages.length).length);
  let canaryStarted = false;
  const noWaves: TrackWaves = { stable: SYNC_WAVE.shrink, canary: SYNC_WAVE.shrink };
  const resolved: ResolvedStage[] = stages.map((stage, index) => {
    const percent = stage.canaryPercent;
    let [stableReplicas, canaryReplicas] = [stage.stableReplicas ?? 0, stage.canaryReplicas ?? 0];
    if (percent !== undefined && stateful) {
      // One StatefulSet of stableSize pods: the canary is a whole number of them, stable the rest.
      canaryReplicas = stage.canaryReplicas ?? statefulCanaryPods(percent, stableSize);
      stableReplicas = stage.stableReplicas ?? stableSize - canaryReplicas;
    } else if (percent !== undefined) {
      const [stable, canary] = routed ? routedReplicas(percent, stableSize, canarySize) : replicasForPercent(percent, stableSize, canarySize);
      // Copies need canary pods too, when the stage gives no count.
      const mirrored = stage.mirrorPercent ? Math.max(canary, mirrorReplicas(stage.mirrorPercent, canarySize)) : canary;
      [stableReplicas, canaryReplicas] = [stage.stableReplicas ?? stable, stage.canaryReplicas ?? mirrored];
    }
    canaryStarted ||= canaryReplicas > 0 || blueGreen;
    const canaryWeight = routed ? Math.round(percent ?? trafficShare(stableReplicas, canaryReplicas)) : undefined;
    const active = blueGreen ? activeTrack(stage.name) : undefined;
    return {
      name: stage.name,
      fileName: `${String(index + 1).padStart(width, '0')}-${stage.name}`,
      stableReplicas,
      canaryReplicas,
      canaryShare: active ? (active === 'canary' ? 100 : 0) : canaryWeight ?? trafficShare(stableReplicas, canaryReplicas),
      canaryWeight,
      ...(active ? { active } : {}),
      requestedPercent: percent,
      ...(stage.mirrorPercent ? { mirrorPercent: stage.mirrorPercent } : {}),
      canaryDeployed: canaryStarted,
      canaryTrafficGrows: false,
      ...baselineOf(baseline && routed, canaryReplicas, canaryWeight),
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
    ...(blueGreen ? { active: 'stable' as const } : {}),
    canaryDeployed: canaryStarted,
    canaryTrafficGrows: false,
    ...baselineOf(baseline && routed, 0, 0),
    syncWaves: noWaves,
  });
  const moves = stageMoves(resolved);
  // What the route gives the canary: its weight, and whether match rules send users to it.
  const traffic = (stage?: ResolvedStage) => ({ weight: stage?.canaryWeight ?? 0, matched: matchRules && (stage?.canaryReplicas ?? 0) > 0 });
  const withWaves = resolved.map((stage, i) => {
    const [before, now] = [traffic(resolved[i - 1]), traffic(stage)];
    const grows = blueGreen
      ? stage.active === 'canary' && resolved[i - 1]?.active === 'stable'
      : routed && stage.name !== ROLLBACK_STAGE && (now.weight > before.weight || (now.matched && !before.matched));
    const waves = syncWaves(stage, moves);
    return { ...stage, canaryTrafficGrows: grows, syncWaves: stage.baselineReplicas === undefined ? { stable: waves.stable, canary: waves.canary } : waves };
  });
  const found = withWaves.find((stage) => stage.name === (current ?? withWaves[0].name));
  if (!found) throw new Error(`stage "${current}" is not in the plan`);
  return { stages: withWaves, current: found };
}

/**
 * The baseline track in a stage: where the canary runs with up to half the traffic, the canary's pods
 * and weight (so stable keeps the rest); else none. Above half, stable could not give the baseline
 * the canary's weight.
 *
 *   canary 1 pod at 5%   -> baseline 1 pod at 5%, stable 90%
 *   canary 3 pods at 50% -> baseline 3 pods at 50%, stable 0%
 *   canary 3 pods at 100% -> no baseline
 */
function baselineOf(enabled: boolean, canaryReplicas: number, canaryWeight: number | undefined): Pick<ResolvedStage, 'baselineReplicas' | 'baselineWeight'> {
  if (!enabled) return {};
  const runs = canaryReplicas > 0 && (canaryWeight ?? 0) > 0 && (canaryWeight ?? 0) <= 50;
  return runs ? { baselineReplicas: canaryReplicas, baselineWeight: canaryWeight } : { baselineReplicas: 0, baselineWeight: 0 };
}
