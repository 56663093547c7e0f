import { isDeepStrictEqual } from 'node:util';
import { formatValue, type Problem, type SpecPath } from '../../spec/problems';
import { Strategy, WorkloadKind, type AppSpec } from '../../spec/types';
import type { ResolvedAppSpec } from '../resolved';
import { ROLLBACK_STAGE, type RolloutPlan } from '../stage';
import { isStateful, statefulSize, type StatefulApp } from '../stateful';

/*
 * What a StatefulSet release cannot take, each with why: one StatefulSet runs both tracks, its pods
 * keep their names and claims, and its rolling update only moves down from the highest ordinal.
 */

// The controller labels each pod controller-revision-hash=<name>-<10 characters>, a label value of at most 63.
const STATEFUL_SET_NAME_MAX = 52;

/** The StatefulSet rules of one app, given as written (`given`) and resolved (`app`). */
export function statefulProblems(app: ResolvedAppSpec, given: AppSpec, at: SpecPath): Problem[] {
  const fromKind = app.workload.kind;
  if (!isStateful(app)) {
    return fromKind === WorkloadKind.STATEFUL_SET
      ? [{ path: [...at, 'workload'], message: `is ${formatValue(given.workload)}: the \`from\` file holds the app's StatefulSet; set workload: StatefulSet, or leave workload out` }]
      : [];
  }
  const refuse = (field: SpecPath, value: unknown, why: string): Problem => ({ path: [...at, ...field], message: `is ${formatValue(value)}: ${why}` });
  const problems: Problem[] = [];
  const { name } = app.statefulSet;
  if (fromKind === WorkloadKind.DEPLOYMENT) {
    problems.push(refuse(['workload'], given.workload, 'the `from` file holds a Deployment: give the app\'s StatefulSet with its headless Service, or leave workload out'));
  }
  if (given.strategy === Strategy.BLUE_GREEN) problems.push(refuse(['strategy'], given.strategy, 'a StatefulSet\'s pods keep their names and claims, so there is no second colour to start beside them; use strategy: canary'));
  if (given.routing) problems.push(refuse(['routing'], Object.keys(given.routing), 'a StatefulSet\'s traffic splits by its pods through the Service, as the partition moves; a route\'s weights would need the canary\'s pods apart from stable\'s, and they are one StatefulSet'));
  for (const track of ['stable', 'canary'] as const) {
    const autoscaling = given[track]?.autoscaling;
    if (autoscaling) problems.push(refuse([track, 'autoscaling'], autoscaling, 'a StatefulSet\'s size is fixed through a release: each stage is a partition of it, which an autoscaler would move'));
  }
  if (app.canary.replicas !== app.stable.replicas) {
    problems.push(refuse(['canary', 'replicas'], app.canary.replicas, `one StatefulSet of ${app.stable.replicas} pods runs both tracks: the canary's full size is the same; leave canary.replicas out`));
  }
  if (app.waves) problems.push(refuse(['workload'], 'StatefulSet', 'a StatefulSet release is to one cluster; waves across clusters take Deployments'));
  if (app.worker) problems.push(refuse(['workload'], 'StatefulSet', 'a StatefulSet has a headless Service, and this app serves no port; give it port:'));
  given.verify?.prometheus?.queries?.forEach((query, i) => {
    if (query.query.includes('$track')) {
      problems.push(refuse(['verify', 'prometheus', 'queries', i, 'query'], query.query,
        'a StatefulSet\'s pods carry no track label (one StatefulSet runs both tracks, and a label that changed at finish would restart every pod): name a track\'s pods with $pods instead, as pod=~"$pods"'));
    }
  });
  if (name.length > STATEFUL_SET_NAME_MAX) {
    problems.push(refuse(fromKind === undefined ? ['name'] : ['from'], name,
      `a StatefulSet's name must be at most ${STATEFUL_SET_NAME_MAX} characters: the controller labels each pod controller-revision-hash=<name>-<10 characters>, a label value of at most 63`));
  }
  const strategy = app.workload.deployment.updateStrategy?.type;
  if (strategy === 'OnDelete') {
    problems.push(refuse(['from'], `updateStrategy: ${strategy}`, 'under OnDelete the controller replaces no pod, so no partition moves the canary; the tool writes a RollingUpdate strategy with the stage\'s partition: remove the OnDelete strategy from the file'));
  }
  return problems;
}

/**
 * A StatefulSet's plan: each stage a partition (stable and canary pods together its size), and the
 * canary never fewer pods than the stage before, since pods below a partition keep the revision they
 * run: a move back does not turn them back. Rollback does, at partition 0 with stable's template.
 */
export function statefulPlanProblems(app: StatefulApp, plan: RolloutPlan, at: SpecPath): Problem[] {
  const size = statefulSize(app);
  const problems: Problem[] = [];
  plan.stages.forEach((stage, i) => {
    if (stage.name === ROLLBACK_STAGE) return;
    const path = [...at, 'stages', i];
    if (stage.stableReplicas + stage.canaryReplicas !== size) {
      problems.push({
        path,
        message: `runs ${stage.stableReplicas} stable and ${stage.canaryReplicas} canary replicas: one StatefulSet of ${size} pods runs both tracks, so they must add up to ${size} (the canary is the pods past the partition ${size} - canary)`,
      });
      return;
    }
    const before = plan.stages[i - 1];
    if (before && stage.canaryReplicas < before.canaryReplicas) {
      problems.push({
        path,
        message: `runs ${stage.canaryReplicas} canary replicas, fewer than ${before.name}'s ${before.canaryReplicas}: a StatefulSet's pods below a raised partition keep the canary's revision, so the canary never shrinks but at rollback; give each stage at least the canary pods of the one before`,
      });
    }
  });
  return problems;
}

/** What the API server refuses to change in a running StatefulSet's spec (ValidateStatefulSetUpdate), with what to do instead. */
const FIXED_FIELDS: readonly { readonly field: string; readonly instead: string }[] = [
  { field: 'selector', instead: 'keep it' },
  { field: 'serviceName', instead: 'keep it, or make a new StatefulSet under another name' },
  { field: 'podManagementPolicy', instead: 'keep it, or make a new StatefulSet under another name' },
  {
    field: 'volumeClaimTemplates',
    instead: 'a change would never reach the claims its pods have anyway: keep the templates as they were; to grow a claim, resize each PersistentVolumeClaim (its storage class must allow expansion), then, to record the new size, delete the StatefulSet with --cascade=orphan, so its pods and claims stay, and apply the new one',
  },
];

/**
 * What the StatefulSet a stage writes now changes, among the fields a running one cannot change,
 * from the one last written (`before`, in the file `source`): each refused at `field`, the spec's
 * key that gives the StatefulSet (`from`, or `workload`).
 */
export function fixedFieldProblems(before: { readonly spec?: Record<string, unknown> }, after: { readonly spec: Record<string, unknown> }, field: SpecPath, source: string): Problem[] {
  return FIXED_FIELDS.filter(({ field: key }) => !isDeepStrictEqual(before.spec?.[key], after.spec[key])).map(({ field: key, instead }) => ({
    path: field,
    message: `gives the StatefulSet spec.${key} ${formatValue(after.spec[key] ?? null)}, where ${source} has ${formatValue(before.spec?.[key] ?? null)}: `
      + `the API server refuses a change of ${key} in a running StatefulSet; ${instead} (if that file never reached a cluster, delete it and synth again); nothing was written`,
  }));
}
