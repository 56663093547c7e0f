import type { ResolvedAppSpec, ResolvedConfigSpec } from '../model/resolved';
import { deployedTracks, type ResolvedStage, type RolloutPlan } from '../model/stage';
import { formatCount, trackAutoscalerBounds } from '../model/autoscaling';
import { formatShare } from '../model/replicas';
import { describeParent, matchRulesApply, routeKinds, routeName, trackServiceName } from '../model/routing';
import { highestOrdinal, isStateful, podName, revertJobName, statefulMoves, statefulSize, trackPods, type StatefulApp } from '../model/stateful';
import { endpointCheckName } from '../model/traffic-checks';
import { laneLabel, noRollback, previewServiceName } from '../model/blue-green';
import { appScopeLabels, COMPONENT_LABEL, CONFIG_COMPONENT, CONFIG_LABEL, configLabel, selectorArg, trackSelector, TRACKS } from '../model/labels';
import { printable } from '../spec/problems';
import { podAdditions, type Addition } from '../model/additions';
import { RouteProtocol, SessionAffinity, type MatchRuleSpec } from '../spec/types';
import { shellQuote, stageCommands, stageFile, teardownCommand } from './kubectl-steps';
import { posix } from 'node:path';
import { gateJobName, isGated } from '../model/gate';
import { describeMaxUpdate, describeSelector } from '../model/waves';
import { guardJobName, guardName } from '../model/wave-guard';
import { applicationSetPath, guardPath } from '../render/paths';

const BAR_WIDTH = 20;

/** `25` -> `#####---------------` */
function shareBar(share: number): string {
  const filled = Math.round((share / 100) * BAR_WIDTH);
  return '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
}

/** Columns padded to a common width: the numeric columns `right` to the right, the rest to the left. */
function table(rows: string[][], right: ReadonlySet<number>): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  const align = (cell: string, col: number) => (right.has(col) ? cell.padStart(widths[col]) : cell.padEnd(widths[col]));
  return rows.map((row) => row.map(align).join('  ').trimEnd());
}

/** `{ header: 'x-canary', value: 'always' }` -> `header x-canary = always` */
function describeMatch(rule: MatchRuleSpec): string {
  if (rule.cookie !== undefined) return `cookie ${rule.cookie} = ${rule.value}`;
  return rule.regex !== undefined ? `header ${rule.header} ~ ${rule.regex}` : `header ${rule.header} = ${rule.value}`;
}

/** The routers an app's routing uses, as the plan shows them. */
function describeRouting(app: ResolvedAppSpec): string[] {
  const { gatewayApi, istio, match = [] } = app.routing ?? {};
  const lines: string[] = [];
  if (gatewayApi) {
    const parents = gatewayApi.parentRefs.map((ref) => describeParent(ref, app.namespace));
    const hosts = gatewayApi.hostnames ? ` for ${gatewayApi.hostnames.join(', ')}` : '';
    const grpc = gatewayApi.protocol === RouteProtocol.GRPC;
    lines.push(`routing: Gateway API ${grpc ? 'GRPCRoute' : 'HTTPRoute'} ${routeName(app)} on ${parents.join(', ')}${hosts}`);
  }
  if (istio) {
    lines.push(`routing: Istio VirtualService and DestinationRule ${routeName(app)}${istio.gateways ? ` on ${istio.gateways.join(', ')}` : ''}`);
  }
  if (match.length) lines.push(`match rules, to the canary in stages where it runs: ${match.map(describeMatch).join('; ')}`);
  return lines;
}

/**
 * The plan of one app as text: who creates its namespace, each stage's replica counts and canary share
 * (the route weight, for a routed app) and whether match rules stand, then the kubectl commands that
 * move the cluster to each stage without dropping capacity, and the teardown.
 */
export function formatPlan(app: ResolvedAppSpec, plan: RolloutPlan, outdir: string, namespaceOwner?: string): string {
  const namespace = namespaceOwner === undefined ? 'not created here: it must exist'
    : namespaceOwner === app.name ? 'created by these files' : `created by ${namespaceOwner}'s files`;
  const routing = describeRouting(app);
  const hasMatches = (app.routing?.match?.length ?? 0) > 0;
  const hasMirror = plan.stages.some((stage) => stage.mirrorPercent);
  const hasBaseline = app.verify?.baseline === true;
  const rows = [
    [
      'stage', 'stable', 'canary', app.routing ? 'canary weight' : 'canary share', '', ...(hasMirror ? ['mirror'] : []),
      ...(hasBaseline ? ['baseline'] : []), ...(hasMatches ? ['match rules'] : []),
    ],
    ...plan.stages.map((stage) => {
      const row = [
        stage.name,
        formatCount(app, 'stable', stage.stableReplicas),
        formatCount(app, 'canary', stage.canaryReplicas),
        (stage.requestedPercent !== undefined && Math.abs(stage.requestedPercent - stage.canaryShare) > 0.05
          ? `(asked ${formatShare(stage.requestedPercent)}) ` : '') + formatShare(stage.canaryShare),
        `[${shareBar(stage.canaryShare)}]`,
        ...(hasMirror ? [stage.mirrorPercent ? `${stage.mirrorPercent}%` : '-'] : []),
        ...(hasBaseline ? [baselineCell(app, stage)] : []),
        ...(hasMatches ? [matchRulesApply(app, stage) ? 'on' : '-'] : []),
      ];
      if (stage === plan.current) row[row.length - 1] += ' <- current';
      return row;
    }),
  ];
  const commands: [string, string[]][] = plan.stages.map((stage) => [stage.name, stageCommands(app, plan, stage, outdir)]);
  const cleanup = configCleanupCommand(app, plan);
  if (cleanup) commands.push(['old config', [cleanup]]);
  const adopt = adoptAutoscalingCommand(app);
  if (adopt) commands.push(['autoscale', [adopt]]);
  commands.push(['teardown', [teardownCommand(app, plan)]]);
  const diff = configDiff(app);
  const nameWidth = Math.max(...commands.map(([name]) => name.length));
  const affinity = app.service.sessionAffinity === SessionAffinity.CLIENT_IP ? `, ClientIP affinity ${app.service.sessionAffinityTimeoutSeconds} s` : '';
  return [
    `${app.name}: namespace ${app.namespace} (${namespace}), ${app.worker ? 'no Service (a worker: no port)' : `Service ${app.service.name} (${app.service.type}${affinity})`}, ` +
      (isStateful(app) ? `StatefulSet ${app.statefulSet.name} of ${statefulSize(app)} pods: stable ${app.stable.image}, canary ${app.canary.image}`
        : `stable ${app.stable.name} (${app.stable.image}), canary ${app.canary.name} (${app.canary.image})`),
    ...(releaseInProgress(app) ? [] : ['  no release in progress: stable and canary run the same image and config; set canary.image or canary config to start one']),
    ...routing.map((line) => `  ${line}`),
    // What the files hold beside the app: the endpoint check and its access (README: Ready endpoints).
    ...(app.endpointCheck ? [`  endpoint check: Job ${endpointCheckName(app.name)} (an Argo CD Sync hook; its Role lists EndpointSlices and pods), ${isStateful(app) ? 'where pods are replaced (a canary stage, rollback)' : `where a track grows${app.blueGreen ? ' or the Service switches' : ''}`}`] : []),
    ...describeBlueGreen(app, plan).map((line) => `  ${line}`),
    ...(isStateful(app) ? describeStateful(app, plan).map((line, i) => (i === 0 ? `  ${line}` : `    ${line}`)) : []),
    ...describeWaves(app, plan, outdir).map((line, i) => (i === 0 ? `  ${line}` : `    ${line}`)),
    ...overrides(app).map((line, i) => (i === 0 ? `  ${line}` : `    - ${line}`)),
    ...(diff.length ? ['  config of the canary, against stable:', ...diff.map((line) => `    ${line}`)] : []),
    ...table(rows, new Set([1, 2, 3])).map((line) => `  ${line}`),
    '',
    // One step a line, continued with a backslash: the lines of a stage paste as one shell command.
    ...commands.flatMap(([name, steps]) => steps.map((step, i) => {
      const line = `  ${(i === 0 ? name : '').padEnd(nameWidth)}  ${i === 0 ? '' : '&& '}${step}`;
      return i < steps.length - 1 ? `${line} \\` : line;
    })),
  ].map(printable).join('\n');
}

/** A stage's baseline, for the plan's table: its pods and weight; a StatefulSet's, the stable pods the canary is compared with. */
function baselineCell(app: ResolvedAppSpec, stage: ResolvedStage): string {
  if (isStateful(app)) return stage.canaryReplicas && stage.stableReplicas ? trackPods(app, stage).baseline.split('|').join(', ') : '-';
  return stage.baselineReplicas ? `${stage.baselineReplicas} at ${stage.baselineWeight}%` : '-';
}

/** Each wave in order and what it waits for, as Argo CD's RollingSync takes them. */
function waveSteps(app: ResolvedAppSpec, plan: RolloutPlan) {
  const gates = plan.stages.filter((stage) => isGated(app, stage)).map((stage) => gateJobName(app, stage.name));
  return (app.waves ?? []).map((wave, i, waves) => ({
    name: wave.name,
    clusters: describeSelector(wave.matchLabels),
    maxUpdate: wave.maxUpdate,
    waitsFor: i === 0 ? null : `every ${waves[i - 1].name} Application Synced and Healthy${gates.length ? ` (in a gated stage, its gate Job ${gates.length === 1 ? gates[0] : `${app.name}-verify-<stage>`} Complete)` : ''}`
      + `, then its guard ${guardName(app.name, wave.name)} (Job ${guardJobName(app.name, wave.name, '<stage>')}): every Application of ${waves.slice(0, i).map((each) => each.name).join(', ')} at this stage, settled`,
    guard: wave.guarded ? { application: guardName(app.name, wave.name), file: guardPath(app.name, wave.name) } : null,
  }));
}

/** A blue/green release in words: what each Service selects, the drain, and where rollback stops. */
function describeBlueGreen(app: ResolvedAppSpec, plan: RolloutPlan): string[] {
  if (!app.blueGreen) return [];
  const { active, preview, scaleDownDelaySeconds } = app.blueGreen;
  const switched = plan.stages.find((stage) => stage.active === 'canary');
  const stuck = plan.stages.filter((stage) => noRollback(stage)).map((stage) => stage.name);
  return [
    `blue/green: Service ${app.service.name} selects ${active} (stable) until ${switched?.name}, then ${preview} (canary); ${previewServiceName(app.service.name)} selects ${preview} up to ${switched?.name}, then ${active}`
      + `; drain keeps ${active} ${scaleDownDelaySeconds} s after the switch; rollback is offered from every stage but ${stuck.join(', ')}, where ${active} runs no pods; finish makes ${preview} the active colour`,
  ];
}

/** Pods by ordinal, for a line: `store-2, store-1`, or `none`. */
function podsOf(app: StatefulApp, ordinals: readonly number[]): string {
  return ordinals.length ? ordinals.map((ordinal) => podName(app, ordinal)).join(', ') : 'none';
}

/**
 * A StatefulSet release in words: where the canary runs, then each move with the pods it replaces and
 * the fewest ready pods while it runs, the revert at rollback, and what the claims keep.
 */
function describeStateful(app: StatefulApp, plan: RolloutPlan): string[] {
  const { name, serviceName, maxUnavailable } = app.statefulSet;
  const size = statefulSize(app);
  const { claims } = app.statefulSet;
  const canary = trackServiceName(app.service.name, 'canary');
  return [
    `StatefulSet ${name}: ${size} pods, headless Service ${serviceName}; the canary is its highest ordinals (${podName(app, highestOrdinal(app))} first), the pods at or past each stage's partition (stable's count); ${canary} selects ${podName(app, highestOrdinal(app))}, the gate's target`,
    `moves (the controller replaces pods highest first, ${maxUnavailable === 1 ? 'one at a time' : `up to ${maxUnavailable} at a time where the cluster has MaxUnavailableStatefulSet (on from 1.37), else one`}, each serving nothing from its deletion until its successor is Ready):`,
    ...statefulMoves(app, plan).map(({ move, replaced, readyFloor }) => `${move.kind === 'next' ? '' : `${move.kind}: `}${move.from.name} -> ${move.to.name}: replaces ${podsOf(app, replaced)}; ready pods never below ${readyFloor} of ${size}`),
    `rollback: stable's template at partition 0; a canary pod that never became Ready is deleted, since the controller would wait for it forever (plan: the revert step; Argo CD: Job ${revertJobName(app)}, a Sync hook whose Role reads StatefulSet ${name} and lists and deletes pods)`,
    ...(claims.length ? [`claims ${claims.join(', ')}: each pod keeps its own through every move; a canary pod runs on the claim stable's pod of its ordinal wrote, and rollback leaves what the canary wrote there`] : []),
  ];
}

/** The waves across clusters, in words: a line for the ApplicationSet, then one a wave. */
function describeWaves(app: ResolvedAppSpec, plan: RolloutPlan, outdir: string): string[] {
  const steps = waveSteps(app, plan);
  if (!steps.length) return [];
  return [
    `waves: Argo CD's ApplicationSet ${app.name} (${posix.join(outdir, applicationSetPath(app.name))}) syncs each commit of current/ wave by wave; a gate that fails (Degraded) holds the next wave`,
    ...steps.map((step, i) => `${i + 1}. ${step.name}: clusters ${step.clusters}, ${describeMaxUpdate(step.maxUpdate)}, ${step.waitsFor ? `after ${step.waitsFor}` : 'first'}`),
  ];
}

/**
 * For a pod template of the user's: where it comes from, then what the tool sets over it, one line
 * each; empty for a template made from the spec.
 */
function overrides(app: ResolvedAppSpec): string[] {
  const { workload } = app;
  if (workload.origin === 'the spec') return [];
  const selector = (labels: Record<string, string>) => selectorArg(labels) || 'none';
  if (isStateful(app)) {
    return [
      `workload: ${workload.origin}, kept as written, but for:`,
      ...workload.taken.map((key) => `${key}: ${key === 'stable.image' ? app.stable.image : app.stable.replicas}, from ${workload.origin === 'podTemplate' ? 'the pod template' : 'your StatefulSet'} (the spec gives none)`),
      `StatefulSet ${app.statefulSet.name}: updateStrategy RollingUpdate with each stage's partition${workload.deployment.updateStrategy?.rollingUpdate?.maxUnavailable === undefined ? '' : ' (your maxUnavailable kept)'}; selector, serviceName, podManagementPolicy and claims as yours`,
      `pod template: stable's up to the first stage with canary pods, the canary's from there on (its image, env, config and Secrets on container ${workload.container}); no track label, so finish restarts no pod`,
      `Service ${app.service.name}: selects ${selector(app.service.selector)}, every pod of both tracks`,
      ...additions(app).map(({ path, value }) => `added: ${path}: ${JSON.stringify(value)}`),
    ];
  }
  const given = workload.selector?.matchLabels as Record<string, string> | undefined;
  return [
    `workload: ${workload.origin}, kept as written in both tracks, but for:`,
    ...workload.taken.map((key) => `${key}: ${key === 'stable.image' ? app.stable.image : app.stable.replicas}, from ${workload.origin === 'podTemplate' ? 'the pod template' : 'your Deployment'} (the spec gives none)`),
    `Deployments ${app.stable.name} and ${app.canary.name}, each selecting its track (${selector(trackSelector(app.appLabel, laneLabel(app, 'stable')))} and track=${laneLabel(app, 'canary')})`
      + (given ? `; yours selects ${selector(given)}: a running Deployment's selector cannot change, so these run beside it (README: Migrating a running app)` : ''),
    'replicas: set by each stage',
    `pod labels: ${selector(trackSelector(app.appLabel, laneLabel(app, 'stable')))} (canary: track=${laneLabel(app, 'canary')}), and the app.kubernetes.io labels the template does not set`,
    `container ${workload.container}: each track's image, env, config and Secrets; containers that run its image take the track's image too`,
    app.worker ? 'no Service, port or readiness probe: the template declares no port (a worker)'
      : `Service ${app.service.name}: selects ${selector(app.service.selector)}, ${app.blueGreen ? 'and the active colour\'s track' : 'both tracks'}${!app.service.given ? '' : app.blueGreen
        ? ' (your Service\'s selector narrowed to a colour: your running pods leave it once the colour\'s are its ready endpoints)'
        : ' (your Service\'s selector, which reaches your running pods too)'}`,
    ...additions(app).map(({ path, value }) => `added: ${path}: ${JSON.stringify(value)}`),
  ];
}

/** What the tool adds to the user's pod template, in the stable track's (the canary's adds the same, with its own config). */
function additions(app: ResolvedAppSpec): Addition[] {
  // Loaded only for a template of the user's: a plan of an app made from the spec reads no manifest code.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { podTemplate } = require('../constructs/manifests/workload') as typeof import('../constructs/manifests/workload');
  return podAdditions(app.workload.pod, podTemplate(app, 'stable'));
}

/** Whether the canary runs another version than stable. */
function releaseInProgress(app: ResolvedAppSpec): boolean {
  return app.canary.image !== app.stable.image || configDiff(app).length > 0;
}

/**
 * Run once, when autoscaling is added to a track that runs already, before the next apply or sync:
 * `kubectl apply` deletes a field it applied before and no longer finds, and a Deployment without a
 * count has 1 replica, whatever it ran. Without the record of the last apply, the count stays.
 */
function adoptAutoscalingCommand(app: ResolvedAppSpec): string | undefined {
  const names = TRACKS.filter((track) => app[track].autoscaling).map((track) => shellQuote(`deployment/${app[track].name}`));
  if (!names.length) return undefined;
  return `kubectl annotate -n ${shellQuote(app.namespace)} ${names.join(' ')} kubectl.kubernetes.io/last-applied-configuration-`;
}

/** The tracks' configs. */
function configs(app: ResolvedAppSpec): ResolvedConfigSpec[] {
  return [app.stable.config, app.canary.config].filter((config): config is ResolvedConfigSpec => config !== undefined);
}

/**
 * For kubectl users (Argo CD prunes them itself): the command that deletes this app's ConfigMaps that
 * the current stage does not use (earlier configs of either track, and the canary's once a stage
 * leaves the canary out), to run once that stage is applied and its rollouts are done.
 */
function configCleanupCommand(app: ResolvedAppSpec, plan: RolloutPlan): string | undefined {
  if (!configs(app).length) return undefined;
  const used = deployedTracks(plan.current).flatMap((track) => { const config = app[track].config; return config ? [configLabel(track, config.hash)] : []; });
  const selector = [
    selectorArg({ ...appScopeLabels(app.name), [COMPONENT_LABEL]: CONFIG_COMPONENT }),
    ...(used.length ? [`${CONFIG_LABEL} notin (${used.join(',')})`] : []),
  ].join(',');
  return `kubectl delete configmap -n ${shellQuote(app.namespace)} -l ${shellQuote(selector)}`;
}

/** A value short enough to show whole on a diff line: one line of at most 40 characters. */
function isShort(value: string): boolean {
  return value.length <= 40 && !value.replace(/\n$/, '').includes('\n');
}

/** A changed value for a one-line diff: short ones as they are, files by where and how much they change. */
function change(before: string, after: string): string {
  if (isShort(before) && isShort(after)) return `${JSON.stringify(before)} -> ${JSON.stringify(after)}`;
  const [old, now] = [before.split('\n'), after.split('\n')];
  const line = old.findIndex((text, i) => text !== now[i]) + 1 || Math.min(old.length, now.length) + 1;
  return `changed from line ${line} (${old.length} -> ${now.length} lines)`;
}

/** A value that one side lacks: short ones as they are, files by size. */
function shortValue(value: string): string {
  return isShort(value) ? JSON.stringify(value) : `(${value.split('\n').length} lines)`;
}

/** Key by key, what the canary's config, environment and Secrets change from stable's; empty when equal. */
function configDiff(app: ResolvedAppSpec): string[] {
  const lines: string[] = [];
  const compare = (what: string, stable: Record<string, string>, canary: Record<string, string>) => {
    for (const key of [...new Set([...Object.keys(stable), ...Object.keys(canary)])].sort()) {
      if (!Object.hasOwn(canary, key)) lines.push(`${what} ${key}: removed (stable ${shortValue(stable[key])})`);
      else if (!Object.hasOwn(stable, key)) lines.push(`${what} ${key}: added ${shortValue(canary[key])}`);
      else if (stable[key] !== canary[key]) lines.push(`${what} ${key}: ${change(stable[key], canary[key])}`);
    }
  };
  compare('env', app.stable.env, app.canary.env);
  compare('file', app.stable.config?.files ?? {}, app.canary.config?.files ?? {});
  const { stable, canary } = app;
  if (stable.config && canary.config && stable.config.mountPath !== canary.config.mountPath) {
    lines.push(`config mountPath: ${stable.config.mountPath} -> ${canary.config.mountPath}`);
  }
  const list = (values: readonly string[]) => (values.length ? values.join(', ') : 'none');
  if (list(stable.secretEnvFrom) !== list(canary.secretEnvFrom)) lines.push(`secretEnvFrom: ${list(stable.secretEnvFrom)} -> ${list(canary.secretEnvFrom)}`);
  const mounts = (track: typeof stable) => list(track.secretMounts.map((mount) => `${mount.secret} at ${mount.mountPath}`));
  if (mounts(stable) !== mounts(canary)) lines.push(`secretMounts: ${mounts(stable)} -> ${mounts(canary)}`);
  return lines;
}

/**
 * The plan of one app as data, for `plan --json`: what `formatPlan` shows, with each stage's file,
 * sync waves and commands, so a script or a CI job can read it.
 */
export function planDocument(app: ResolvedAppSpec, plan: RolloutPlan, outdir: string, namespaceOwner?: string) {
  return {
    name: app.name,
    namespace: { name: app.namespace, createdBy: namespaceOwner ?? null },
    service: app.worker ? null : { name: app.service.name, type: app.service.type, port: app.service.port },
    stable: app.stable,
    canary: app.canary,
    releaseInProgress: releaseInProgress(app),
    currentStage: plan.current.name,
    routers: routeKinds(app).map((kind) => kind.toLowerCase()),
    stages: plan.stages.map((stage) => ({
      name: stage.name,
      file: stageFile(outdir, app, stage),
      stableReplicas: stage.stableReplicas,
      canaryReplicas: stage.canaryReplicas,
      canaryShare: Number(stage.canaryShare.toFixed(3)),
      canaryWeight: stage.canaryWeight ?? null,
      requestedPercent: stage.requestedPercent ?? null,
      mirrorPercent: stage.mirrorPercent ?? null,
      ...(app.verify?.baseline && !isStateful(app) ? { baselineReplicas: stage.baselineReplicas, baselineWeight: stage.baselineWeight ?? null } : {}),
      // A StatefulSet's tracks are pods by name: what a gate query's $pods stands for in the stage.
      ...(isStateful(app) ? { pods: trackPods(app, stage) } : {}),
      matchRules: matchRulesApply(app, stage),
      syncWaves: stage.syncWaves,
      autoscalers: {
        stable: trackAutoscalerBounds(app, 'stable', stage.stableReplicas) ?? null,
        canary: trackAutoscalerBounds(app, 'canary', stage.canaryReplicas) ?? null,
      },
      steps: stageCommands(app, plan, stage, outdir),
    })),
    configDiff: configDiff(app),
    configCleanup: configCleanupCommand(app, plan) ?? null,
    adoptAutoscaling: adoptAutoscalingCommand(app) ?? null,
    teardown: teardownCommand(app, plan),
    waves: app.waves ? waveSteps(app, plan) : null,
    statefulSet: isStateful(app) ? {
      name: app.statefulSet.name,
      serviceName: app.statefulSet.serviceName,
      moves: statefulMoves(app, plan).map(({ move, replaced, readyFloor }) => ({ kind: move.kind, from: move.from.name, to: move.to.name, replaced: replaced.map((ordinal) => podName(app, ordinal)), readyFloor })),
    } : null,
    workload: { origin: app.workload.origin, container: app.workload.container, taken: app.workload.taken, overridden: overrides(app).slice(1), added: app.workload.origin === 'the spec' ? [] : additions(app) },
  };
}
