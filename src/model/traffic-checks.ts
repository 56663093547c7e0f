import { trackSelector, type TrackLabel } from './labels';
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
 */
export function laneServices(app: ResolvedAppSpec, lane: TrackLabel): LaneServices {
  const own = app.routing?.gatewayApi ? [trackServiceName(app.service.name, lane)] : [];
  return { services: app.worker ? [] : [app.service.name, ...own], pods: trackSelector(app.appLabel, lane) };
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
