import { formatValue, type Problem, type SpecPath } from '../../spec/problems';
import { closest } from '../../spec/suggest';
import { SessionAffinity, type StageSpec } from '../../spec/types';
import type { Track } from '../labels';
import type { ResolvedAppSpec } from '../resolved';
import { routeWeights } from '../routing';
import { DEFAULT_STAGE_NAMES } from '../replicas';
import { ROLLBACK_STAGE, type RolloutPlan } from '../stage';

/** One written stage: a name of its own, counts or a percent, not an outage, copies only through a router. */
function stageProblems(stage: StageSpec, path: SpecPath, routed: boolean, earlier: ReadonlyMap<string, number>): Problem[] {
  const problems: Problem[] = [];
  const hasCounts = stage.stableReplicas !== undefined || stage.canaryReplicas !== undefined;
  if (stage.name === ROLLBACK_STAGE) {
    problems.push({ path: [...path, 'name'], message: `is "${ROLLBACK_STAGE}": that name is reserved for the stage that is always added` });
  } else if (earlier.has(stage.name)) {
    problems.push({ path: [...path, 'name'], message: `is ${formatValue(stage.name)}: already used by stages[${earlier.get(stage.name)}]` });
  }
  if (stage.canaryPercent !== undefined && hasCounts && !routed) {
    problems.push({ path, message: 'gives both canaryPercent and replica counts: give one or the other (with routing, counts may stand beside a percent)' });
  } else if (stage.canaryPercent === undefined && (stage.stableReplicas === undefined || stage.canaryReplicas === undefined)) {
    problems.push({ path, message: 'must give both stableReplicas and canaryReplicas, or canaryPercent' });
  } else if (stage.stableReplicas === 0 && stage.canaryReplicas === 0) {
    problems.push({ path, message: 'has 0 stable and 0 canary replicas: that stage is an outage' });
  }
  if (stage.mirrorPercent !== undefined && !routed) {
    problems.push({ path: [...path, 'mirrorPercent'], message: `is ${stage.mirrorPercent}: mirroring needs routing (gatewayApi or istio): only a router copies requests` });
  } else if (stage.mirrorPercent !== undefined && stage.canaryReplicas === 0) {
    problems.push({ path: [...path, 'mirrorPercent'], message: `is ${stage.mirrorPercent}: the stage runs 0 canary replicas, so the copies would go to no pod; give canaryReplicas of at least 1` });
  }
  return problems;
}

/** `stage:` naming none of `names` (the plan's, without rollback): the closest one, and the plan's. */
function unknownStage(stage: string, names: readonly string[], at: SpecPath, plan = 'the plan'): Problem {
  const allowed = [...new Set([...names, ROLLBACK_STAGE])];
  const guess = closest(stage, allowed);
  return { path: [...at, 'stage'], message: `is ${formatValue(stage)}: ${guess ? `did you mean ${guess}? ` : ''}must be a stage of ${plan}: ${allowed.join(', ')}` };
}

/**
 * For an app whose shape has problems elsewhere, so that its plan cannot be made: a `stage:` that
 * can be no stage of it, told with those problems. Its own `stages` where they are well formed; else
 * every stage the default plan can have (a name among them may still be refused once the plan is made).
 */
export function misshapenStageProblems(app: unknown, at: SpecPath): Problem[] {
  const { stage, stages } = (app ?? {}) as { stage?: unknown; stages?: unknown };
  if (typeof stage !== 'string' || stage === ROLLBACK_STAGE) return [];
  if (stages === undefined) return DEFAULT_STAGE_NAMES.includes(stage) ? [] : [unknownStage(stage, DEFAULT_STAGE_NAMES, at, 'the default plan')];
  const names = Array.isArray(stages) ? stages.map((each) => (each as { name?: unknown } | null)?.name) : [];
  if (!names.length || !names.every((name): name is string => typeof name === 'string')) return [];
  return names.includes(stage) ? [] : [unknownStage(stage, names, at)];
}

/** The stage list, the current stage, and what only some stages allow. */
export function stageListProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  const routed = app.routing !== undefined;
  const names = new Map<string, number>();
  const problems = app.stages.flatMap((stage, i) => {
    const found = stageProblems(stage, [...at, 'stages', i], routed, names);
    names.set(stage.name, i);
    return found;
  });
  // The default plan always has the mirror stage it asks for: without one, the spec gave its own stages.
  if (app.routing?.mirrorPercent !== undefined && !app.stages.some((stage) => stage.mirrorPercent !== undefined)) {
    problems.push({ path: [...at, 'routing', 'mirrorPercent'], message: 'adds a mirror stage to the default plan only: with stages of your own, give mirrorPercent on a stage' });
  }
  if (app.stage !== ROLLBACK_STAGE && !names.has(app.stage)) problems.push(unknownStage(app.stage, [...names.keys()], at));
  if (app.service.sessionAffinity !== SessionAffinity.CLIENT_IP && app.service.sessionAffinityTimeoutSeconds !== undefined) {
    problems.push({ path: [...at, 'service', 'sessionAffinityTimeoutSeconds'], message: `is ${app.service.sessionAffinityTimeoutSeconds}: only applies with sessionAffinity: ClientIP` });
  }
  return problems;
}

/**
 * Every stage carries full traffic. Without a router, the pods share it by count, so the tracks'
 * capacity, stable/stableSize + canary/canarySize, must be at least 1. With a router, each track gets
 * its weight, so each track's capacity must cover its weight, and a track with weight needs a pod.
 *
 *   no router, sizes 3 and 3: (3, 1) carries 133%, (2, 1) 100%, (1, 1) 67%: an error
 *   router, sizes 3 and 3: 50% with (3, 2) is fine; 50% with (3, 1) gives 1/3 of the canary 50%: an error
 */
export function capacityProblems(app: ResolvedAppSpec, plan: RolloutPlan, at: SpecPath): Problem[] {
  const problems: Problem[] = [];
  const routed = app.routing !== undefined;
  const sizes = { stable: app.stable.replicas, canary: app.canary.replicas };
  plan.stages.forEach((stage, i) => {
    if (stage.name === ROLLBACK_STAGE) return;
    const path = [...at, 'stages', i];
    const replicas = { stable: stage.stableReplicas, canary: stage.canaryReplicas };
    const capacity = (track: Track) => replicas[track] / sizes[track];
    const counts = `${replicas.stable} stable and ${replicas.canary} canary replicas`;
    if (!routed) {
      if (capacity('stable') + capacity('canary') < 1 - 1e-9) {
        const carried = Math.floor(100 * (capacity('stable') + capacity('canary')));
        problems.push({
          path,
          message: `runs ${counts}, which carry ${carried}% of the traffic (stable ${replicas.stable}/${sizes.stable} + canary ${replicas.canary}/${sizes.canary}): the tracks together must carry at least 100%`,
        });
      }
      return;
    }
    // A baseline track's weight comes from stable's; its pods are the canary's count, its capacity the canary's.
    const weights = routeWeights(stage.canaryWeight!, stage.baselineWeight);
    for (const track of ['canary', 'stable'] as const) {
      if (weights[track] > 0 && replicas[track] === 0) {
        problems.push({ path, message: `sends ${weights[track]}% to ${track} but runs 0 ${track} replicas: give ${track}Replicas of at least 1` });
      } else if (100 * capacity(track) < weights[track] - 1e-9) {
        const needed = Math.ceil((weights[track] * sizes[track]) / 100 - 1e-9);
        problems.push({
          path,
          message: `sends ${weights[track]}% to ${track} but runs ${replicas[track]} of its ${sizes[track]} replicas: give ${track}Replicas of at least ${needed}`,
        });
      }
    }
  });
  return problems;
}

/**
 * Stages that run the same counts (10% and 20% of 4 pods both give 4 + 1): a step of the plan that
 * moves nothing, worth a warning.
 */
export function repeatedStageWarnings(plan: RolloutPlan, at: SpecPath): Problem[] {
  const seen = new Map<string, string>();
  return plan.stages.flatMap((stage, i) => {
    // Blue/green stages are the tool's own: its switch changes the Service alone, its drain only waits.
    if (stage.name === ROLLBACK_STAGE || stage.active) return [];
    const key = `${stage.stableReplicas}/${stage.canaryReplicas}/${stage.canaryWeight}/${stage.mirrorPercent}`;
    const earlier = seen.get(key);
    seen.set(key, stage.name);
    if (earlier === undefined || plan.stages[i - 1]?.name !== earlier) return [];
    return [{
      path: [...at, 'stages', i],
      message: `runs the same ${stage.stableReplicas} stable and ${stage.canaryReplicas} canary replicas${stage.canaryWeight === undefined ? '' : ` and weight ${stage.canaryWeight}%`} as ${formatValue(earlier)} before it: moving to it changes nothing`,
    }];
  });
}
