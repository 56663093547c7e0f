import { selectorArg, trackSelector, type TrackLabel } from './labels';
import { laneLabel, previewServiceName } from './blue-green';
import type { ResolvedStage } from './stage';
import type { ResolvedAppSpec } from './resolved';
import { routeKinds, routeName, trackServiceName } from './routing';

/*
 * What must hold before traffic moves, on either road. A Deployment's rollout is done (and Argo CD's
 * health of it, a copy of `kubectl rollout status`, turns healthy) 0.3-0.6 s before the EndpointSlice
 * controller lists its new pods: a route that moved, or a track that shrank, in that window sent
 * requests to a Service with fewer ready endpoints than the stage runs. So a track that grows must
 * be listed, pod by pod, as ready endpoints of each Service that carries its traffic, and a route
 * must be taken by whoever serves it, before anything shrinks.
 */

/** How long a check waits before it fails, leaving traffic where it was. */
export const TRAFFIC_CHECK_SECONDS = 60;

/** The Services a lane's requests reach its pods through, each with the labels of the lane's pods. */
export interface LaneServices {
  readonly services: readonly string[];
  readonly pods: Readonly<Record<string, string>>;
}

/**
 * The Services that carry a lane's traffic: the shared one, which the app's own clients call (and
 * Istio's subsets route through), and, with the Gateway API, the lane's own Service that the route
 * names. None for a worker.
 *
 *   web, canary, Gateway API: web, web-canary;  Istio or no router: web
 *   web, blue/green: stable: web; canary: web-preview
 */
export function laneServices(app: ResolvedAppSpec, lane: TrackLabel): LaneServices {
  const pods = trackSelector(app.appLabel, laneLabel(app, lane));
  // Under blue/green the new colour is reached through its preview Service until the switch.
  if (app.blueGreen) return { services: [lane === 'canary' ? previewServiceName(app.service.name) : app.service.name], pods };
  const own = app.routing?.gatewayApi ? [trackServiceName(app.service.name, lane)] : [];
  return { services: app.worker ? [] : [app.service.name, ...own], pods };
}

/** A lane that grows into a stage, with its count there. */
export interface GrowingLane {
  readonly label: TrackLabel;
  readonly replicas: number;
}

/**
 * That a Service lists at least `count` of the pods `pods` (a label selector) selects as ready
 * endpoints, each pod once across its EndpointSlices; `message` says that it did not in time.
 */
export interface EndpointCheck {
  readonly service: string;
  readonly pods: string;
  readonly count: number;
  readonly lane: TrackLabel;
  /** What waits on it: the move of traffic, or (after a blue/green Service's switch) the tracks that shrink. */
  readonly before: 'traffic' | 'shrinking';
  readonly message: string;
}

/**
 * The checks before traffic moves, for the lanes that grow: each lane's count as ready endpoints of
 * every Service that carries its traffic. The plan's steps make each lane's after its rollout, the
 * endpoint check's Job all of them in its wave.
 *
 *   web, Gateway API, canary grows to 2: web lists 2 of app=web,track=canary; web-canary the same
 */
export function endpointChecks(app: ResolvedAppSpec, lanes: readonly GrowingLane[]): EndpointCheck[] {
  return lanes.flatMap(({ label, replicas }) => {
    const { services, pods } = laneServices(app, label);
    return services.map((service) => ({
      service, pods: selectorArg(pods), count: replicas, lane: label, before: 'traffic' as const,
      message: `Service ${service}: fewer than ${replicas} ${label} pods are ready endpoints after ${TRAFFIC_CHECK_SECONDS} s; traffic stays where it is`,
    }));
  });
}

/**
 * Under blue/green, after the Service's apply: it lists the pods of the track it selects, so that
 * nothing shrinks while it still lists the other's.
 *
 *   web, switch (3, 3): Service web lists 3 of app=web,track=green
 */
export function selectorChecks(app: ResolvedAppSpec, stage: ResolvedStage): EndpointCheck[] {
  if (!app.blueGreen || !stage.active) return [];
  const count = stage.active === 'canary' ? stage.canaryReplicas : stage.stableReplicas;
  const pods = selectorArg(trackSelector(app.appLabel, laneLabel(app, stage.active)));
  return [{
    service: app.service.name, pods, count, lane: stage.active, before: 'shrinking',
    message: `Service ${app.service.name}: fewer than ${count} of its ${stage.active} pods (${pods}) are ready endpoints after ${TRAFFIC_CHECK_SECONDS} s; nothing shrinks`,
  }];
}

/** A route's check after its apply: Gateway API parents' `Accepted`, or Istio's `Reconciled`. */
export interface RouteCheck {
  readonly condition: 'Accepted' | 'Reconciled';
  /** kubectl's name of the route: `httproute/web`. */
  readonly resource: string;
  /** With `Accepted`: how many parents must accept the route's current generation. */
  readonly parents?: number;
}

/**
 * The routes to wait for after they move: a Gateway API route until each of its parents has accepted
 * its current generation (unless `waitForAccepted` is false), an Istio VirtualService until Istio
 * has reconciled its current generation (with `waitForReconciled`, as Istio reports it only with
 * its status feature on).
 */
export function routeChecks(app: ResolvedAppSpec): RouteCheck[] {
  const { gatewayApi, istio } = app.routing ?? {};
  return routeKinds(app).flatMap((kind): RouteCheck[] => {
    const resource = `${kind.toLowerCase()}/${routeName(app)}`;
    if (kind === 'DestinationRule') return [];
    if (kind === 'VirtualService') return istio?.waitForReconciled ? [{ condition: 'Reconciled', resource }] : [];
    return gatewayApi?.waitForAccepted === false ? [] : [{ condition: 'Accepted', resource, parents: gatewayApi!.parentRefs.length }];
  });
}

/** The endpoint check's Job, and its ServiceAccount, Role and RoleBinding: one name, the same in every stage. */
export function endpointCheckName(app: string): string {
  return `${app}-endpoints`;
}
