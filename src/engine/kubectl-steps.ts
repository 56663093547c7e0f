import { join } from 'node:path';
import type { ResolvedAppSpec } from '../model/resolved';
import { type ResolvedStage, ROLLBACK_STAGE, type RolloutPlan } from '../model/stage';
import { stagePath } from '../render/paths';
import { printable } from '../spec/problems';
import {
  appScopeLabels, BASELINE, CHECK_LABEL, COMPONENT_LABEL, DRAIN_COMPONENT, ENDPOINT_CHECK_COMPONENT, REVERT_COMPONENT, ROUTER_COMPONENT, selectorArg, TRACK_LABEL, VERIFY_COMPONENT,
  type TrackLabel,
} from '../model/labels';
import { kindsOf, laneGrows, stageContents, stageLanes, statefulChecks, switchedLanes, type StageObject } from '../model/stage-contents';
import { isStateful, revertSeconds, type StatefulApp } from '../model/stateful';
import { laneLabel } from '../model/blue-green';
import { baselineName, gateJobName, gateWaitSeconds, isGated, isSmokeGated, smokeJobName, type GatedApp } from '../model/gate';
import { endpointChecks, routeChecks, selectorChecks, TRAFFIC_CHECK_SECONDS, type EndpointCheck, type RouteCheck } from '../model/traffic-checks';

/** One kubectl step of a move to a stage. */
export type KubectlStep =
  /**
   * `purpose`: what the objects selected do in the move: the tracks that grow start (`grow`), a gate's
   * Job starts (`gate`), traffic moves (`route`), the rest of the file follows (`rest`), or, where
   * nothing is held back, the file at once (`all`).
   */
  | { readonly verb: 'apply'; readonly purpose: 'grow' | 'gate' | 'route' | 'rest' | 'all'; readonly file: string; readonly selector?: string }
  /** With `readyAtLeast`, for a track an autoscaler grows: that many pods ready, then the rollout. */
  | { readonly verb: 'wait'; readonly deployment: string; readonly readyAtLeast?: number }
  /** Objects of these kinds, all of this name. */
  | { readonly verb: 'delete'; readonly name: string; readonly kinds: readonly string[] }
  /** Waits for the verification Job to complete; when it does not, shows its logs and runs `rollback`. */
  | { readonly verb: 'gate'; readonly job: string; readonly timeoutSeconds: number; readonly rollback: readonly KubectlStep[] }
  /** Waits until the check holds (see EndpointCheck); fails after TRAFFIC_CHECK_SECONDS. */
  | ({ readonly verb: 'endpoints' } & EndpointCheck)
  /** Waits until the route's parents have accepted, or Istio has reconciled, its current generation (see routeChecks). */
  | { readonly verb: 'route'; readonly check: RouteCheck }
  /** Under blue/green, at the drain stage: the old colour keeps running this long after the switch. */
  | { readonly verb: 'drain'; readonly seconds: number }
  /**
   * A StatefulSet's rolling update to its partition: every pod past it updated, and every pod ready,
   * within `timeoutSeconds`; when not (a canary pod that never turns Ready), `rollback`'s steps.
   */
  | { readonly verb: 'rollout'; readonly statefulSet: string; readonly timeoutSeconds: number; readonly rollback?: readonly KubectlStep[] }
  /**
   * At a StatefulSet app's rollback: until every pod runs the update revision, the StatefulSet's pods
   * (`pods` selects them) on another revision that are not Ready are deleted (see verify/revert-pods.js).
   */
  | { readonly verb: 'revert'; readonly statefulSet: string; readonly pods: string; readonly seconds: number };

/** A word as the shell reads it: `dist/a.yaml` stays, `track in (a,b)` -> `'track in (a,b)'`. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_/.,:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The path of a stage's file below the output folder. */
export function stageFile(outdir: string, app: ResolvedAppSpec, stage: ResolvedStage): string {
  return join(outdir, stagePath(app.name, stage));
}

/**
 * The kubectl steps that move the cluster to `stage` without dropping ready capacity, from the stage
 * before it, from any stage to rollback, or from a finished release to the finish stage. In the
 * order of the file's sync waves: everything but the routes and the tracks that shrink is applied
 * first (selected by label, so this also creates the namespace and Services on a first apply), and
 * the tracks that grow are waited for; where the route gives the canary more traffic and the app has
 * a smoke check, its Job runs and must pass (or the rollback stage's steps follow, and the route
 * never moves); with a router, the routes move traffic next; then the whole file shrinks the rest. kubectl applies a file's objects in order, Deployments before routes, so the
 * routes go on their own. A stage without the canary Deployment ends by deleting the canary that a
 * finished release left. With `verify`, a gated stage then runs a fresh verification Job and waits
 * for it; when it fails, its logs and the rollback stage's steps follow.
 *
 *   canary (3, 1) after baseline (3, 0), no router:
 *     apply -l 'app.kubernetes.io/component!=router,track!=stable'; wait for the canary; apply
 *   rollback (3, 0) after promote (0, 3), with a router:
 *     apply -l 'app.kubernetes.io/component!=router,track!=canary'; wait for stable;
 *     apply -l app.kubernetes.io/component=router; apply
 */
export function stageSteps(app: ResolvedAppSpec, plan: RolloutPlan, stage: ResolvedStage, outdir: string): KubectlStep[] {
  const steps = moveSteps(app, plan, stage, outdir);
  // The gate: once the stage is in place, a fresh Job checks the canary; if it fails, back to rollback.
  return isGated(app, stage) ? [...steps, ...gateSteps(app, plan, stage, 'analysis', outdir)] : steps;
}

/**
 * A gate Job's steps: the last one deleted, this stage's applied (with the gate's ConfigMap), then
 * waited for; when it fails, its logs, the rollback stage's steps, and a failure.
 */
function gateSteps(app: GatedApp, plan: RolloutPlan, stage: ResolvedStage, check: 'analysis' | 'smoke', outdir: string): KubectlStep[] {
  const job = check === 'smoke' ? smokeJobName(app.name) : gateJobName(app, stage.name);
  const other = check === 'smoke' ? 'analysis' : 'smoke';
  const rollback = plan.stages.find((each) => each.name === ROLLBACK_STAGE)!;
  return [
    { verb: 'delete', name: job, kinds: ['job'] },
    { verb: 'apply', purpose: 'gate', file: stageFile(outdir, app, stage), selector: `${COMPONENT_LABEL}=${VERIFY_COMPONENT},${CHECK_LABEL}!=${other}` },
    { verb: 'gate', job, timeoutSeconds: app.verify.timeoutSeconds, rollback: moveSteps(app, plan, rollback, outdir) },
  ];
}

/**
 * The kinds of the canary's objects named after its Deployment (its Deployment, budget and
 * autoscaler), as the plan's stages hold them: what a finished release leaves to delete.
 */
function canaryKinds(app: ResolvedAppSpec, plan: RolloutPlan): string[] {
  const named = (object: StageObject) => 'track' in object && object.track === 'canary' && ['deployment', 'budget', 'autoscaler'].includes(object.role);
  return deletionOrder(kindsOf(app, plan.stages, named));
}

const WORKLOADS = ['Deployment', 'StatefulSet'];

/** Kinds as kubectl delete takes them: Deployments (or the StatefulSet) first, so their pods go before what serves them. */
function deletionOrder(kinds: readonly string[]): string[] {
  return [...kinds.filter((kind) => WORKLOADS.includes(kind)), ...kinds.filter((kind) => !WORKLOADS.includes(kind))].map((kind) => kind.toLowerCase());
}

/** The command that removes the app's objects, scoped by label to it (its namespace stays). */
export function teardownCommand(app: ResolvedAppSpec, plan: RolloutPlan): string {
  const kinds = deletionOrder(kindsOf(app, plan.stages, (object) => object.role !== 'namespace'));
  return `kubectl delete ${kinds.join(',')} -n ${shellQuote(app.namespace)} -l ${shellQuote(selectorArg(appScopeLabels(app.name)))}`;
}

/** A Deployment of a stage's file, for its kubectl steps: its track label, name, count and wave. */
interface Lane {
  readonly label: TrackLabel;
  readonly name: string;
  readonly replicas: number;
  readonly wave: number;
  readonly autoscaled: boolean;
}

/** The Deployments a stage's file holds (see stageLanes), with their names, and whether an autoscaler owns the count. */
function lanesOf(app: ResolvedAppSpec, stage: ResolvedStage): Lane[] {
  return stageLanes(app, stage).map((lane) => lane.label === BASELINE
    ? { ...lane, name: baselineName(app), autoscaled: false }
    : { ...lane, name: app[lane.label].name, autoscaled: app[lane.label].autoscaling !== undefined });
}

/** A label selector of the objects whose component is none of `components`. */
function notComponents(components: readonly string[]): string {
  return components.length === 1 ? `${COMPONENT_LABEL}!=${components[0]}` : `${COMPONENT_LABEL} notin (${components.join(',')})`;
}

/**
 * A StatefulSet app's move: the file but its Jobs, then at rollback the revert, then the rolling
 * update to the partition, then its pods as ready endpoints (statefulChecks). Nothing is held back
 * for ready capacity: the controller replaces one pod at a time, each once the one before is Ready.
 *
 *   store, canary (2, 1): apply; rollout status statefulset/store; 3 ready endpoints of store, 1 of store-canary
 *   store, rollback: apply; revert (delete store's pods of the canary's revision that are not Ready); rollout status; ...
 */
function statefulSteps(app: StatefulApp, plan: RolloutPlan, stage: ResolvedStage, outdir: string): KubectlStep[] {
  const file = stageFile(outdir, app, stage);
  const rollingBack = stage.name === ROLLBACK_STAGE;
  // A StatefulSet has no progress deadline: a canary pod that never turns Ready would hold the rollout forever.
  const rollback = rollingBack ? undefined : statefulSteps(app, plan, plan.stages.find((each) => each.name === ROLLBACK_STAGE)!, outdir);
  const contents = stageContents(app, false, stage);
  const held = [
    ...(app.verify ? [VERIFY_COMPONENT] : []),
    ...(contents.some((object) => object.role === 'endpoint-check') ? [ENDPOINT_CHECK_COMPONENT] : []),
    ...(contents.some((object) => object.role === 'revert') ? [REVERT_COMPONENT] : []),
  ];
  return [
    held.length ? { verb: 'apply', purpose: 'all', file, selector: notComponents(held) } : { verb: 'apply', purpose: 'all', file },
    ...(rollingBack ? [{ verb: 'revert' as const, statefulSet: app.statefulSet.name, pods: selectorArg(app.service.selector), seconds: revertSeconds(app) }] : []),
    { verb: 'rollout', statefulSet: app.statefulSet.name, timeoutSeconds: revertSeconds(app), ...(rollback ? { rollback } : {}) },
    ...statefulChecks(app, stage).map((check) => ({ verb: 'endpoints' as const, ...check })),
  ];
}

function moveSteps(app: ResolvedAppSpec, plan: RolloutPlan, stage: ResolvedStage, outdir: string): KubectlStep[] {
  if (isStateful(app)) return statefulSteps(app, plan, stage, outdir);
  const file = stageFile(outdir, app, stage);
  const lanes = lanesOf(app, stage);
  const growing = lanes.filter(laneGrows);
  const others = lanes.filter((lane) => !growing.includes(lane)).map((lane) => lane.label);
  // Each track that grows: its rollout, then its pods as ready endpoints of every Service that
  // carries its traffic, before the route gives it weight or anything shrinks.
  const waits = growing.flatMap((lane): KubectlStep[] => {
    return [
      { verb: 'wait', deployment: lane.name, ...(lane.autoscaled ? { readyAtLeast: lane.replicas } : {}) },
      ...endpointChecks(app, [lane]).map((check) => ({ verb: 'endpoints' as const, ...check })),
    ];
  });
  // Under blue/green, before the switch: every new pod a ready endpoint of its preview Service.
  const switched = endpointChecks(app, switchedLanes(app, stage)).map((check) => ({ verb: 'endpoints' as const, ...check }));
  const contents = stageContents(app, false, stage);
  const drain = contents.flatMap((object): KubectlStep[] => (object.role === 'drain' ? [{ verb: 'drain', seconds: object.seconds }] : []));
  // A stage without the canary: what a finished release left goes (the canary, and the baseline track).
  const deleteCanary = stage.canaryDeployed ? [] : [
    { verb: 'delete' as const, name: app.canary.name, kinds: canaryKinds(app, plan) },
    ...(kindsOf(app, plan.stages, (object) => object.role === 'baseline').length
      ? [{ verb: 'delete' as const, name: baselineName(app), kinds: deletionOrder(kindsOf(app, plan.stages, (object) => object.role === 'baseline' || object.role === 'baseline-budget')) }] : []),
  ];
  // The gate's objects go on their own, after the stage (see stageSteps); the endpoint check's are Argo CD's.
  const checked = contents.some((object) => object.role === 'endpoint-check');
  // The drain Job is Argo CD's too: here the steps wait from the shell.
  const held = [...(app.verify ? [VERIFY_COMPONENT] : []), ...(checked ? [ENDPOINT_CHECK_COMPONENT] : []), ...(drain.length ? [DRAIN_COMPONENT] : [])];
  const whole: KubectlStep = held.length ? { verb: 'apply', purpose: 'rest', file, selector: notComponents(held) } : { verb: 'apply', purpose: 'rest', file };
  // Nothing to hold back: the whole file, then the wait.
  const routed = app.routing !== undefined || app.blueGreen !== undefined;
  if (!others.length && !routed) return [{ ...whole, purpose: 'all' }, ...waits, ...deleteCanary];
  const values = others.map((label) => laneLabel(app, label));
  const notOthers = values.length === 0 ? [] : [values.length === 1 ? `${TRACK_LABEL}!=${values[0]}` : `${TRACK_LABEL} notin (${values.join(',')})`];
  // Under blue/green the Service is the router: once switched, it lists the pods it selects before anything shrinks.
  const routeWaits: KubectlStep[] = [
    ...routeChecks(app).map((check) => ({ verb: 'route' as const, check })),
    ...selectorChecks(app, stage).map((check) => ({ verb: 'endpoints' as const, ...check })),
  ];
  return [
    ...(growing.length ? [{ verb: 'apply' as const, purpose: 'grow' as const, file, selector: [notComponents([ROUTER_COMPONENT, ...held]), ...notOthers].join(',') }] : []),
    ...waits,
    ...switched,
    // Before the route gives the canary more traffic, the smoke check; when it fails, the route stays.
    ...(isSmokeGated(app, stage) ? gateSteps(app, plan, stage, 'smoke', outdir) : []),
    // The route moves, and is taken by whoever serves it, before anything shrinks.
    ...(routed ? [{ verb: 'apply' as const, purpose: 'route' as const, file, selector: `${COMPONENT_LABEL}=${ROUTER_COMPONENT}` }, ...routeWaits] : []),
    whole,
    ...deleteCanary,
    ...drain,
  ];
}

/** The steps that move the cluster to `stage` (stageSteps), each as a shell command. */
export function stageCommands(app: ResolvedAppSpec, plan: RolloutPlan, stage: ResolvedStage, outdir: string): string[] {
  return stageSteps(app, plan, stage, outdir).map((step) => formatStep(step, app.namespace));
}

/** A step as one shell command, every path and value quoted where the shell needs it. */
export function formatStep(step: KubectlStep, namespace: string): string {
  const lines = stepLines(step, namespace);
  if (lines.length === 1) return lines[0];
  // A compound command on one line: after `do`, `in` and `;;` a space, else `; `.
  const joined = lines.map((line) => line.trim()).reduce((text, line) => `${text}${/( do| in|;;)$/.test(text) ? ' ' : '; '}${line}`);
  return `{ ${joined}; }`;
}

/**
 * A step as the lines of a shell command: one for a simple command, several, indented, for a wait
 * that polls (as a script shows it; formatStep joins them into one). `rollback`, for a gate: the
 * command that runs the rollback stage's steps when it fails, in place of the steps themselves.
 */
function stepLines(step: KubectlStep, namespace: string, rollback?: string): string[] {
  const ns = `-n ${shellQuote(namespace)}`;
  switch (step.verb) {
    case 'apply':
      return [`kubectl apply -f ${shellQuote(step.file)}${step.selector ? ` -l ${shellQuote(step.selector)}` : ''}`];
    case 'wait': {
      const rollout = `kubectl rollout status ${ns} ${shellQuote(`deployment/${step.deployment}`)}`;
      if (step.readyAtLeast === undefined) return [rollout];
      // The autoscaler raises the Deployment's count after the apply, so the rollout alone may be done
      // before the floor is: wait for the floor's pods first.
      const ready = `"$(kubectl get ${ns} ${shellQuote(`deployment/${step.deployment}`)} -o jsonpath='{.status.readyReplicas}')"`;
      return [`until [ ${ready} -ge ${step.readyAtLeast} ] 2>/dev/null; do sleep 2; done && ${rollout}`];
    }
    case 'delete':
      return [`kubectl delete ${step.kinds.map((kind) => shellQuote(`${kind}/${step.name}`)).join(' ')} ${ns} --ignore-not-found`];
    case 'gate': {
      // The Job fails at its deadline at the latest; the wait gives it a little longer to say so.
      const rollbackSteps = rollback ?? step.rollback.map((each) => formatStep(each, namespace)).join(' && ');
      const job = shellQuote(`job/${step.job}`);
      // kubectl wait takes conditions that must all hold, and a failed Job never meets Complete: the
      // Job's true conditions are read every 2 s until it completes or fails, so a failed gate rolls
      // back at once, not at the wait's timeout.
      const conditions = `kubectl get ${ns} ${job} -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}'`;
      return [
        `for i in $(seq ${Math.ceil(gateWaitSeconds(step.timeoutSeconds) / 2)}); do`,
        `  s=" $(${conditions})"`,
        '  case "$s" in *" Complete "*|*" Failed "*) break;; esac',
        '  sleep 2',
        'done',
        'case "$s" in',
        '  *" Complete "*) ;;',
        `  *) kubectl logs ${ns} ${job}; ${rollbackSteps}; false;;`,
        'esac',
      ];
    }
    case 'endpoints': {
      // The lane's pods and the Service's ready endpoints, each name once: a pod in both lists is
      // a ready endpoint of the lane (a dual-stack Service lists a pod in two slices).
      const pods = `kubectl get pods ${ns} -l ${shellQuote(step.pods)} -o jsonpath='{range .items[*]}{.metadata.name}{"\\n"}{end}'`;
      // Each endpoint as `ready/pod`, kept where ready is true: a filter in the jsonpath fails on a
      // slice that lists no endpoint, as a Service whose pods are still to come has.
      const ready = `kubectl get endpointslices ${ns} -l ${shellQuote(`kubernetes.io/service-name=${step.service}`)} `
        + `-o jsonpath='{range .items[*].endpoints[*]}{.conditions.ready}/{.targetRef.name}{"\\n"}{end}' | sed -n 's#^true/##p'`;
      return poll(`[ "$({ ${pods}; ${ready} | sort -u; } | sort | uniq -d | grep -c .)" -ge ${step.count} ]`,
        step.message);
    }
    case 'drain':
      return [`sleep ${step.seconds}`];
    case 'rollout': {
      const rollout = `kubectl rollout status ${ns} ${shellQuote(`statefulset/${step.statefulSet}`)} --timeout=${step.timeoutSeconds}s`;
      if (!step.rollback) return [rollout];
      return [`${rollout} || { ${rollback ?? step.rollback.map((each) => formatStep(each, namespace)).join(' && ')}; false; }`];
    }
    case 'revert': {
      const set = shellQuote(`statefulset/${step.statefulSet}`);
      // Once the controller has seen the rollback: `rolled` when every pod runs the update revision,
      // else the update revision, whose stuck pods go.
      const state = `kubectl get ${ns} ${set} -o jsonpath='{.metadata.generation}/{.status.observedGeneration}/{.status.updateRevision}/{.status.currentRevision}/{.status.updatedReplicas}/{.spec.replicas}'`
        + ` | awk -F/ '$2 < $1 { print "wait"; next } $3 == $4 && $5 == $6 { print "rolled"; next } { print $3 }'`;
      // Each pod as name/owner/revision/ready/deletion: the StatefulSet's own, on another revision, not Ready, not going.
      const stuck = `kubectl get pods ${ns} -l ${shellQuote(step.pods)} -o jsonpath='{range .items[*]}{.metadata.name}/{.metadata.ownerReferences[?(@.kind=="StatefulSet")].name}/`
        + `{.metadata.labels.controller-revision-hash}/{.status.conditions[?(@.type=="Ready")].status}/{.metadata.deletionTimestamp}{"\\n"}{end}'`
        + ` | awk -F/ -v set=${shellQuote(step.statefulSet)} -v rev="$s" '$2 == set && $3 != rev && $4 != "True" && $5 == "" { print $1 }'`;
      return [
        'ok=',
        `for i in $(seq ${step.seconds}); do`,
        `  s="$(${state})"`,
        '  case "$s" in',
        '    rolled) ok=1; break;;',
        '    wait|"") ;;',
        `    *) for p in $(${stuck}); do kubectl delete pod ${ns} "$p" --wait=false; done;;`,
        '  esac',
        '  sleep 1',
        'done',
        `[ "$ok" ] || { echo ${shellQuote(`statefulset/${step.statefulSet} did not turn back to its update revision in ${step.seconds} s`)} >&2; false; }`,
      ];
    }
    case 'route': {
      const { condition, resource, parents } = step.check;
      const get = `kubectl get ${ns} ${shellQuote(resource)} -o jsonpath=`;
      if (condition === 'Accepted') {
        // The generation, then each parent's Accepted status and the generation it speaks for.
        const read = `${get}'{.metadata.generation}{"\\n"}{range .status.parents[*].conditions[?(@.type=="Accepted")]}{.status}/{.observedGeneration}{"\\n"}{end}'`;
        return poll(`[ "$(${read} | awk 'NR == 1 { g = $0; next } $0 == "True/" g { n++ } END { print n + 0 }')" -ge ${parents} ]`,
          `${resource} is not accepted by its ${parents === 1 ? 'parent' : `${parents} parents`} at its current generation after ${TRAFFIC_CHECK_SECONDS} s; nothing shrinks`);
      }
      const read = `${get}'{.metadata.generation}/{.status.observedGeneration}/{.status.conditions[?(@.type=="Reconciled")].status}'`;
      return poll(`${read} | awk -F/ '$1 == $2 && $3 == "True" { ok = 1 } END { exit !ok }'`,
        `Istio has not reconciled ${resource} at its current generation after ${TRAFFIC_CHECK_SECONDS} s; nothing shrinks`);
    }
  }
}

/**
 * A check run each second until it holds; after TRAFFIC_CHECK_SECONDS tries, `failure` on stderr and
 * a failed step, so the steps after it (which move traffic) do not run. `failure` is quoted as one
 * word, like every name: the shell reads nothing in it.
 */
function poll(check: string, failure: string): string[] {
  return [
    'ok=',
    `for i in $(seq ${TRAFFIC_CHECK_SECONDS}); do`,
    `  ${check} && { ok=1; break; }`,
    '  sleep 1',
    'done',
    `[ "$ok" ] || { echo ${shellQuote(failure)} >&2; false; }`,
  ];
}

/** What a step does and waits for, in words: a script's comment above it. */
export function describeStep(step: KubectlStep): string {
  switch (step.verb) {
    case 'apply':
      return {
        grow: 'The tracks that grow start first: everything but the routes and the tracks that shrink.',
        gate: 'Start the check: its Job and its code.',
        route: 'Move traffic: the routes (under blue/green, the Service\'s selector).',
        rest: 'The rest of the file: the tracks that shrink go last.',
        all: 'The whole file: no track shrinks in this move.',
      }[step.purpose];
    case 'wait':
      return step.readyAtLeast === undefined
        ? `Wait until deployment/${step.deployment} has rolled out: every pod updated and ready.`
        : `Wait until ${step.readyAtLeast} pods of deployment/${step.deployment} are ready (its autoscaler sets its count), then until it has rolled out.`;
    case 'delete':
      return `Delete ${step.kinds.map((kind) => `${kind}/${step.name}`).join(', ')}, where present.`;
    case 'gate':
      return `Wait, ${gateWaitSeconds(step.timeoutSeconds)} s at most, for job/${step.job} to complete; if it fails: its logs, then the rollback stage's steps, and stop.`;
    case 'endpoints':
      return `Wait, ${TRAFFIC_CHECK_SECONDS} s at most, until Service ${step.service} lists ${step.count} of the pods ${step.pods} as ready endpoints; else stop, before ${step.before === 'traffic' ? 'traffic moves' : 'anything shrinks'}.`;
    case 'drain':
      return `Wait ${step.seconds} s with the old colour running: nodes and meshes catch up with the switch, and connections open on it end.`;
    case 'rollout':
      return `Wait, ${step.timeoutSeconds} s at most, until statefulset/${step.statefulSet} has rolled out to its partition: every pod past it updated, one at a time, and every pod ready`
        + (step.rollback ? '; if not (a canary pod that never turns Ready): the rollback stage\'s steps, and stop.' : '.');
    case 'revert':
      return `Turn back the canary's pods, ${step.seconds} s at most: delete those of statefulset/${step.statefulSet} that run another revision than its update revision and are not Ready, which the controller would wait for forever; it makes them anew on stable's template.`;
    case 'route':
      return step.check.condition === 'Accepted'
        ? `Wait, ${TRAFFIC_CHECK_SECONDS} s at most, until ${step.check.resource} is accepted by ${step.check.parents === 1 ? 'its parent' : `its ${step.check.parents} parents`} at its current generation; else stop, before anything shrinks.`
        : `Wait, ${TRAFFIC_CHECK_SECONDS} s at most, until Istio has reconciled ${step.check.resource} at its current generation; else stop, before anything shrinks.`;
  }
}

/** A step of a script under its comment: a step that fails ends the script (`exit`) or function (`return`). */
function scriptStep(step: KubectlStep, namespace: string, end: 'exit' | 'return', rollback?: string): string[] {
  const lines = stepLines(step, namespace, rollback);
  const command = lines.length === 1 ? [`${lines[0]} || ${end}`] : ['{', ...lines.map((line) => `  ${line}`), `} || ${end}`];
  return [comment(describeStep(step)), ...command];
}

/** A comment line: whatever the words hold, a line break or control character never ends it. */
function comment(words: string): string {
  return `# ${printable(words)}`;
}

/**
 * Steps as a POSIX shell script under the comment `title`: each step under a comment that says what
 * it does and waits for, one command a line (a wait that polls on the lines of its loop), and a step
 * that fails stops the script with its exit code. A gate's rollback is a function of its own,
 * `rollback`, defined first.
 */
export function stepsScript(title: string, steps: readonly KubectlStep[], namespace: string): string {
  const gate = steps.find((step) => step.verb === 'gate' || (step.verb === 'rollout' && step.rollback));
  const rollback = gate?.verb === 'gate' || gate?.verb === 'rollout' ? [
    comment('The rollback stage\'s steps: a check that fails, or a rollout that does not end, runs them, then stops the script.'),
    'rollback() {',
    ...gate.rollback!.flatMap((step) => ['', ...scriptStep(step, namespace, 'return')]).slice(1).map((line) => (line ? `  ${line}` : line)),
    '}',
    '',
  ] : [];
  return [
    '#!/bin/sh',
    comment(title),
    comment('Each step stops the script when it fails.'),
    '',
    ...rollback,
    steps.map((step) => scriptStep(step, namespace, 'exit', 'rollback').join('\n')).join('\n\n'),
    '',
  ].join('\n');
}

/** The move to `stage` as a POSIX shell script (stepsScript). */
export function stageScript(app: ResolvedAppSpec, plan: RolloutPlan, stage: ResolvedStage, outdir: string): string {
  return stepsScript(`Moves ${app.name} (namespace ${app.namespace}) to stage ${stage.name}: ${stageFile(outdir, app, stage)}.`,
    stageSteps(app, plan, stage, outdir), app.namespace);
}
