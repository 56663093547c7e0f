import { trackAutoscalerBounds, statedReplicas } from './autoscaling';
import { isGated, isSmokeGated } from './gate';
import { SYNC_WAVE } from './moves';
import { BASELINE, selectorArg, TRACKS, type Track, type TrackLabel } from './labels';
import type { ResolvedAppSpec } from './resolved';
import { hasTrackServices, matchRulesApply, routeKinds, trackServiceName, type WeightedRouteKind } from './routing';
import { deployedTracks, ROLLBACK_STAGE, type ResolvedStage, type RolloutPlan } from './stage';
import { endpointChecks, TRAFFIC_CHECK_SECONDS, type EndpointCheck, type GrowingLane } from './traffic-checks';
import { isDrain, previewTrack } from './blue-green';
import { canaryPodSelector, highestOrdinal, isStateful, partition, podName, statefulSize, templateTrack, trackPods, type StatefulApp, type TrackPods } from './stateful';

/**
 * One object of a stage's file: its kind, its role in the app, and every value of it that varies
 * from stage to stage. The rest of the object follows from the app alone, so two stages whose entries
 * are equal hold the same object, byte for byte.
 */
export type StageObject =
  | { readonly role: 'namespace'; readonly kind: 'Namespace' }
  /** The Service that selects both tracks; under blue/green, the track it `selects`. */
  | { readonly role: 'service'; readonly kind: 'Service'; readonly selects?: Track }
  /** Under blue/green: the Service that selects the other colour's pods (see previewTrack). */
  | { readonly role: 'preview-service'; readonly kind: 'Service'; readonly selects: Track }
  /** Under blue/green, at the drain stage: the Job that holds the sync while the old colour drains. */
  | { readonly role: 'drain'; readonly kind: 'Job'; readonly seconds: number }
  /** A track's own Service: the route's backend and the gate's target. */
  | { readonly role: 'track-service'; readonly kind: 'Service'; readonly track: Track }
  /** The baseline track's Service. */
  | { readonly role: 'baseline-service'; readonly kind: 'Service' }
  /** The baseline track's PodDisruptionBudget, while its Deployment is there. */
  | { readonly role: 'baseline-budget'; readonly kind: 'PodDisruptionBudget' }
  /** The baseline track: stable's pod template, with the canary's count where the canary runs. */
  | { readonly role: 'baseline'; readonly kind: 'Deployment'; readonly replicas: number; readonly wave: number }
  | { readonly role: 'config'; readonly kind: 'ConfigMap'; readonly track: Track }
  | { readonly role: 'budget'; readonly kind: 'PodDisruptionBudget'; readonly track: Track }
  /** `replicas` absent: an autoscaler owns the count. */
  | { readonly role: 'deployment'; readonly kind: 'Deployment'; readonly track: Track; readonly replicas?: number; readonly wave: number }
  | { readonly role: 'autoscaler'; readonly kind: 'HorizontalPodAutoscaler'; readonly track: Track; readonly min: number; readonly max: number; readonly wave: number }
  /** The gate's check code and checks. */
  | { readonly role: 'gate-config'; readonly kind: 'ConfigMap' }
  /** A route that weighs the tracks: an HTTPRoute, a GRPCRoute or a VirtualService. */
  | {
    readonly role: 'route'; readonly kind: WeightedRouteKind; readonly canaryWeight: number; readonly baselineWeight?: number;
    readonly matchRules: boolean; readonly mirrorPercent?: number;
  }
  /** Istio's subsets of the tracks, the same in every stage. */
  | { readonly role: 'subsets'; readonly kind: 'DestinationRule' }
  /** The gate's Job, which names the stage it checks; for a StatefulSet app, the pods of each track there. */
  | { readonly role: 'gate'; readonly kind: 'Job'; readonly stage: string; readonly pods?: TrackPods }
  /** The smoke check's Job, before the route gives the canary more traffic. */
  | { readonly role: 'smoke'; readonly kind: 'Job'; readonly stage: string }
  /** What the endpoint check's Job runs as: its ServiceAccount, Role and RoleBinding. */
  | { readonly role: 'endpoint-check-access'; readonly kind: 'ServiceAccount' | 'Role' | 'RoleBinding' }
  /** The endpoint check's code. */
  | { readonly role: 'endpoint-check-code'; readonly kind: 'ConfigMap' }
  /** The endpoint check's Job, where a track grows: its checks, after the tracks that grow. */
  | { readonly role: 'endpoint-check'; readonly kind: 'Job'; readonly checks: readonly EndpointCheck[] }
  /** A StatefulSet app's one StatefulSet: pods at or past `partition` run `template`'s track. */
  | { readonly role: 'stateful-set'; readonly kind: 'StatefulSet'; readonly template: Track; readonly partition: number; readonly wave: number }
  /** A StatefulSet's headless Service, which gives its pods their names. */
  | { readonly role: 'headless-service'; readonly kind: 'Service' }
  /** A StatefulSet app's canary Service: the highest ordinal, where the canary starts. */
  | { readonly role: 'canary-pod-service'; readonly kind: 'Service' }
  /** A StatefulSet app's one PodDisruptionBudget, over all its pods. */
  | { readonly role: 'stateful-budget'; readonly kind: 'PodDisruptionBudget' }
  /** What the revert Job runs as, and its code: in every stage of a StatefulSet app. */
  | { readonly role: 'revert-access'; readonly kind: 'ServiceAccount' | 'Role' | 'RoleBinding' }
  | { readonly role: 'revert-code'; readonly kind: 'ConfigMap' }
  /** At rollback: the Job that deletes canary pods that never became Ready, which the controller would wait for. */
  | { readonly role: 'revert'; readonly kind: 'Job' };

/** A Deployment of a stage: its track label, its count in the stage, and its sync wave. */
export interface StageLane {
  readonly label: TrackLabel;
  readonly replicas: number;
  readonly wave: number;
}

/** The Deployments a stage's file holds, in file order: each track's, then the baseline track's. */
export function stageLanes(app: ResolvedAppSpec, stage: ResolvedStage): StageLane[] {
  // A StatefulSet app has no Deployments: its one StatefulSet moves by partition.
  if (isStateful(app)) return [];
  const replicas: Record<Track, number> = { stable: stage.stableReplicas, canary: stage.canaryReplicas };
  return [
    ...deployedTracks(stage).map((track) => ({ label: track, replicas: replicas[track], wave: stage.syncWaves[track] })),
    ...(app.verify?.baseline && stage.canaryDeployed ? [{ label: BASELINE, replicas: stage.baselineReplicas ?? 0, wave: stage.syncWaves.baseline ?? SYNC_WAVE.shrink }] : []),
  ];
}

/** Whether a lane grows into its stage: in the grow wave, with pods. */
export function laneGrows(lane: StageLane): boolean {
  return lane.wave === SYNC_WAVE.grow && lane.replicas > 0;
}

/**
 * The lane whose pods a blue/green stage's Service starts to select, with its count: checked as
 * ready endpoints of its preview Service before the switch, as a lane that grows is.
 */
export function switchedLanes(app: ResolvedAppSpec, stage: ResolvedStage): GrowingLane[] {
  return app.blueGreen && stage.canaryTrafficGrows ? [{ label: 'canary', replicas: stage.canaryReplicas }] : [];
}

/** The endpoint checks of a stage, for the lanes that grow or are switched to: none where nothing does, or the app has no check. */
function stageChecks(app: ResolvedAppSpec, stage: ResolvedStage): EndpointCheck[] {
  if (isStateful(app)) return statefulChecks(app, stage);
  return app.endpointCheck ? endpointChecks(app, [...stageLanes(app, stage).filter(laneGrows), ...switchedLanes(app, stage)]) : [];
}

/**
 * The app without its endpoint check where no stage of its plan grows a track: the check's access
 * and code, which stand in every stage, would serve nothing (a plan that only holds its counts).
 */
export function withEndpointCheckUsed(app: ResolvedAppSpec, plan: RolloutPlan): ResolvedAppSpec {
  if (!app.endpointCheck || plan.stages.some((stage) => stageChecks(app, stage).length)) return app;
  const { endpointCheck: _unused, ...rest } = app;
  return rest;
}

/**
 * What a stage's file holds, in file order: the Namespace (for the app that creates it), the
 * Services, each track's ConfigMap and budget while its Deployment is there, the Deployments with
 * the stage's counts and sync waves and their autoscalers, the gate's ConfigMap, the endpoint
 * check's access and code, its Job where a track grows, the smoke check's Job where the route gives the
 * canary more traffic, the routes with the stage's weight, and the gate's Job where the canary gets
 * traffic. The one owner of a stage's
 * contents: the construct, the renderer, the kubectl steps and the teardown all read it.
 *
 *   walkthrough, canary (3, 1): Namespace, Service, 2 PodDisruptionBudgets, Deployment stable 3
 *   (wave 5), Deployment canary 1 (wave 1), the endpoint check's ServiceAccount, Role, RoleBinding,
 *   ConfigMap, and its Job (canary: 1 ready endpoint of Service nginx)
 */
export function stageContents(app: ResolvedAppSpec, createsNamespace: boolean, stage: ResolvedStage): StageObject[] {
  if (isStateful(app)) return statefulContents(app, createsNamespace, stage);
  const tracks = deployedTracks(stage);
  const replicas: Record<Track, number> = { stable: stage.stableReplicas, canary: stage.canaryReplicas };
  const trackObjects = (track: Track): StageObject[] => [
    ...(app[track].config ? [{ role: 'config', kind: 'ConfigMap', track } as const] : []),
    ...(app.disruptionBudget ? [{ role: 'budget', kind: 'PodDisruptionBudget', track } as const] : []),
  ];
  const workload = (track: Track): StageObject[] => {
    const wave = stage.syncWaves[track];
    const count = statedReplicas(app, track, replicas[track]);
    const bounds = trackAutoscalerBounds(app, track, replicas[track]);
    return [
      { role: 'deployment', kind: 'Deployment', track, ...(count === undefined ? {} : { replicas: count }), wave },
      ...(bounds ? [{ role: 'autoscaler', kind: 'HorizontalPodAutoscaler', track, min: bounds.min, max: bounds.max, wave } as const] : []),
    ];
  };
  const route = {
    canaryWeight: stage.canaryWeight ?? 0,
    ...(stage.baselineWeight === undefined ? {} : { baselineWeight: stage.baselineWeight }),
    matchRules: matchRulesApply(app, stage),
    ...(stage.mirrorPercent ? { mirrorPercent: stage.mirrorPercent } : {}),
  };
  const baseline = app.verify?.baseline === true;
  const lanes = stageLanes(app, stage);
  const baselineLane = lanes.find((lane) => lane.label === BASELINE);
  const checks = stageChecks(app, stage);
  return [
    ...(createsNamespace ? [{ role: 'namespace', kind: 'Namespace' } as const] : []),
    ...(app.worker ? [] : [{ role: 'service', kind: 'Service', ...(stage.active ? { selects: stage.active } : {}) } as const]),
    ...(app.blueGreen ? [{ role: 'preview-service', kind: 'Service', selects: previewTrack(stage) } as const] : []),
    ...(hasTrackServices(app) ? TRACKS.map((track) => ({ role: 'track-service', kind: 'Service', track } as const)) : []),
    ...(baseline && !app.worker ? [{ role: 'baseline-service', kind: 'Service' } as const] : []),
    ...tracks.flatMap(trackObjects),
    ...tracks.flatMap(workload),
    // The baseline track's budget goes with its Deployment, as each track's does.
    ...(baseline && stage.canaryDeployed && app.disruptionBudget ? [{ role: 'baseline-budget', kind: 'PodDisruptionBudget' } as const] : []),
    ...(baselineLane ? [{ role: 'baseline', kind: 'Deployment', replicas: baselineLane.replicas, wave: baselineLane.wave } as const] : []),
    ...(app.verify ? [{ role: 'gate-config', kind: 'ConfigMap' } as const] : []),
    // The endpoint check's access and code are in every stage, as the gate's ConfigMap is: never
    // pruned while a release runs. An object pruned at the end of a sync can still be in Argo CD's
    // view when it compares next; self-heal then syncs again to prune it, and that sync fails on
    // its NotFound (argo-cd#5872), after a move that succeeded.
    ...(app.endpointCheck ? [
      ...(['ServiceAccount', 'Role', 'RoleBinding'] as const).map((kind) => ({ role: 'endpoint-check-access', kind } as const)),
      { role: 'endpoint-check-code', kind: 'ConfigMap' } as const,
    ] : []),
    ...(checks.length ? [{ role: 'endpoint-check', kind: 'Job', checks } as const] : []),
    ...(isSmokeGated(app, stage) ? [{ role: 'smoke', kind: 'Job', stage: stage.name } as const] : []),
    ...routeKinds(app).map((kind) => (kind === 'DestinationRule' ? { role: 'subsets', kind } as const : { role: 'route', kind, ...route } as const)),
    ...(isGated(app, stage) ? [{ role: 'gate', kind: 'Job', stage: stage.name } as const] : []),
    ...(isDrain(app, stage) ? [{ role: 'drain', kind: 'Job', seconds: app.blueGreen!.scaleDownDelaySeconds } as const] : []),
  ];
}

/**
 * The endpoint checks of a StatefulSet app's stage, where pods are replaced into it (a canary stage,
 * or rollback): all its pods ready endpoints of the Service, and the highest ordinal of the canary's.
 */
export function statefulChecks(app: StatefulApp, stage: ResolvedStage): EndpointCheck[] {
  if (!app.endpointCheck || (stage.canaryReplicas === 0 && stage.name !== ROLLBACK_STAGE)) return [];
  const size = statefulSize(app);
  const pods = selectorArg(app.service.selector);
  const canary = selectorArg(canaryPodSelector(app));
  return [
    { service: app.service.name, pods, count: size, lane: 'stable', before: 'traffic', message: `Service ${app.service.name} does not list all ${size} pods of StatefulSet ${app.statefulSet.name} as ready endpoints after ${TRAFFIC_CHECK_SECONDS} s; the gate does not run` },
    ...(stage.canaryReplicas ? [{
      service: trackServiceName(app.service.name, 'canary'), pods: canary, count: 1, lane: 'canary' as const, before: 'traffic' as const,
      message: `Service ${trackServiceName(app.service.name, 'canary')} does not list pod ${podName(app, highestOrdinal(app))} as a ready endpoint after ${TRAFFIC_CHECK_SECONDS} s; the gate does not run`,
    }] : []),
  ];
}

/**
 * A StatefulSet app's stage (see model/stateful.ts): the Namespace, the Service, the headless
 * Service, the canary's Service, each track's ConfigMap while its template may run (one where both
 * name the same), the budget, the StatefulSet at the stage's partition, the gate's ConfigMap, the
 * endpoint check's and the revert Job's access and code (in every stage, as the endpoint check's
 * are), the endpoint check's Job where pods are replaced, the revert Job at rollback, and the gate.
 *
 *   store (3 pods), canary (2, 1): Service, headless Service, canary Service, budget, StatefulSet
 *   (partition 2, canary's template), endpoint check (3 ready of store; 1 of store-canary), ...
 */
function statefulContents(app: StatefulApp, createsNamespace: boolean, stage: ResolvedStage): StageObject[] {
  const configs = deployedTracks(stage).filter((track) => app[track].config && (track === 'stable' || app.canary.config!.name !== app.stable.config?.name));
  const checks = stageChecks(app, stage);
  const access = ['ServiceAccount', 'Role', 'RoleBinding'] as const;
  return [
    ...(createsNamespace ? [{ role: 'namespace', kind: 'Namespace' } as const] : []),
    { role: 'service', kind: 'Service' },
    { role: 'headless-service', kind: 'Service' },
    { role: 'canary-pod-service', kind: 'Service' },
    ...configs.map((track) => ({ role: 'config', kind: 'ConfigMap', track } as const)),
    ...(app.disruptionBudget ? [{ role: 'stateful-budget', kind: 'PodDisruptionBudget' } as const] : []),
    { role: 'stateful-set', kind: 'StatefulSet', template: templateTrack(stage), partition: partition(stage), wave: SYNC_WAVE.grow },
    ...(app.verify ? [{ role: 'gate-config', kind: 'ConfigMap' } as const] : []),
    ...(app.endpointCheck ? [...access.map((kind) => ({ role: 'endpoint-check-access', kind } as const)), { role: 'endpoint-check-code', kind: 'ConfigMap' } as const] : []),
    ...access.map((kind) => ({ role: 'revert-access', kind } as const)),
    { role: 'revert-code', kind: 'ConfigMap' },
    ...(stage.name === ROLLBACK_STAGE ? [{ role: 'revert', kind: 'Job' } as const] : []),
    ...(checks.length ? [{ role: 'endpoint-check', kind: 'Job', checks } as const] : []),
    ...(isGated(app, stage) ? [{ role: 'gate', kind: 'Job', stage: stage.name, pods: trackPods(app, stage) } as const] : []),
  ];
}

/** The kinds of the objects for which `select` holds in any of `stages`, in order of first appearance. */
export function kindsOf(app: ResolvedAppSpec, stages: readonly ResolvedStage[], select: (object: StageObject) => boolean = () => true): string[] {
  const kinds = stages.flatMap((stage) => stageContents(app, false, stage)).filter(select).map((object) => object.kind);
  return [...new Set(kinds)];
}
