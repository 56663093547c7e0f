import { BASELINE, COMPONENT_LABEL, ROUTER_COMPONENT, SYNC_WAVE_ANNOTATION, TRACKS, trackSelector, type TrackLabel } from '../../model/labels';
import { SYNC_WAVE } from '../../model/moves';
import type { ResolvedAppSpec } from '../../model/resolved';
import { headerMatch, routeName, routeParentRef, routeWeights, serviceHost, trackServiceName } from '../../model/routing';
import type { GrpcRouteProps, HttpRouteProps } from '../imports/gateway.networking.k8s.io';
import type { DestinationRuleProps, VirtualServiceProps } from '../imports/networking.istio.io';
import { appMetadata, type Manifest } from './manifest';

// The typed route classes load cdk8s: they are loaded on the first route rendered, so that apps
// without routes render without it.
const gatewayApi = () => require('../imports/gateway.networking.k8s.io') as typeof import('../imports/gateway.networking.k8s.io');
const istio = () => require('../imports/networking.istio.io') as typeof import('../imports/networking.istio.io');

/** What a stage's routes say: the canary's weight, whether match rules stand, and the share copied to the canary. */
export interface RouteState {
  readonly canaryWeight: number;
  /** With a baseline track: its weight. */
  readonly baselineWeight?: number;
  readonly matchRules: boolean;
  readonly mirrorPercent?: number;
}

// After the track that grows is ready, before the track that shrinks goes.
function routeMetadata(app: ResolvedAppSpec) {
  return appMetadata(app, routeName(app), { [COMPONENT_LABEL]: ROUTER_COMPONENT }, { [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVE.route) });
}

/** The route's backends: both tracks, and the baseline track where the app runs one. */
function lanes(app: ResolvedAppSpec): TrackLabel[] {
  return app.verify?.baseline ? [...TRACKS, BASELINE] : [...TRACKS];
}

function matches(app: ResolvedAppSpec, state: RouteState) {
  return state.matchRules ? (app.routing?.match ?? []).map(headerMatch) : [];
}

/**
 * The rules of a Gateway API route, for either kind, spelled with that kind's enums: any one match
 * rule (they are ORed) sends the request to the canary; the weighted rule answers the rest and, with
 * a mirror, copies its share of requests to the canary.
 */
function gatewayRules<H, F>(app: ResolvedAppSpec, state: RouteState, headerTypes: { readonly EXACT: H; readonly REGULAR_EXPRESSION: H }, mirror: F) {
  const backend = (track: TrackLabel) => ({ name: trackServiceName(app.service.name, track), port: app.service.port });
  const matched = matches(app, state);
  return [
    ...(matched.length ? [{
      matches: matched.map((match) => ({
        headers: [{ name: match.name, type: match.type === 'Exact' ? headerTypes.EXACT : headerTypes.REGULAR_EXPRESSION, value: match.value }],
      })),
      backendRefs: [backend('canary')],
    }] : []),
    {
      backendRefs: lanes(app).map((track) => ({ ...backend(track), weight: routeWeights(state.canaryWeight, state.baselineWeight)[track] })),
      ...(state.mirrorPercent ? { filters: [{ type: mirror, requestMirror: { backendRef: backend('canary'), percent: state.mirrorPercent } }] } : {}),
    },
  ];
}

function gatewayCommon(app: ResolvedAppSpec) {
  const gatewayApi = app.routing!.gatewayApi!;
  return { parentRefs: gatewayApi.parentRefs.map(routeParentRef), hostnames: gatewayApi.hostnames };
}

export function httpRouteProps(app: ResolvedAppSpec, state: RouteState): HttpRouteProps {
  const { HttpRouteSpecRulesFiltersType, HttpRouteSpecRulesMatchesHeadersType } = gatewayApi();
  return {
    metadata: routeMetadata(app),
    spec: { ...gatewayCommon(app), rules: gatewayRules(app, state, HttpRouteSpecRulesMatchesHeadersType, HttpRouteSpecRulesFiltersType.REQUEST_MIRROR) },
  };
}

export function grpcRouteProps(app: ResolvedAppSpec, state: RouteState): GrpcRouteProps {
  const { GrpcRouteSpecRulesFiltersType, GrpcRouteSpecRulesMatchesHeadersType } = gatewayApi();
  return {
    metadata: routeMetadata(app),
    spec: { ...gatewayCommon(app), rules: gatewayRules(app, state, GrpcRouteSpecRulesMatchesHeadersType, GrpcRouteSpecRulesFiltersType.REQUEST_MIRROR) },
  };
}

/** Istio's subsets: one per track, selected by the track's labels. */
export function destinationRuleProps(app: ResolvedAppSpec): DestinationRuleProps {
  return {
    metadata: routeMetadata(app),
    spec: { host: serviceHost(app.service.name, app.namespace), subsets: lanes(app).map((track) => ({ name: track, labels: trackSelector(app.appLabel, track) })) },
  };
}

export function virtualServiceProps(app: ResolvedAppSpec, state: RouteState): VirtualServiceProps {
  const istio = app.routing!.istio!;
  const host = serviceHost(app.service.name, app.namespace);
  const destination = (track: TrackLabel) => ({ host, subset: track, port: { number: app.service.port } });
  const matched = matches(app, state);
  return {
    metadata: routeMetadata(app),
    spec: {
      hosts: istio.hosts,
      gateways: istio.gateways,
      http: [
        ...(matched.length ? [{
          name: 'match-canary',
          // Istio matches header names in lower case.
          match: matched.map((match) => ({ headers: { [match.name.toLowerCase()]: match.type === 'Exact' ? { exact: match.value } : { regex: match.value } } })),
          route: [{ destination: destination('canary') }],
        }] : []),
        {
          name: 'weighted',
          route: lanes(app).map((track) => ({ destination: destination(track), weight: routeWeights(state.canaryWeight, state.baselineWeight)[track] })),
          ...(state.mirrorPercent ? { mirror: destination('canary'), mirrorPercentage: { value: state.mirrorPercent } } : {}),
        },
      ],
    },
  };
}

/** A route object as data, from the typed classes `cdk8s import` generated. */
export function routeManifest(app: ResolvedAppSpec, kind: 'HTTPRoute' | 'GRPCRoute' | 'VirtualService' | 'DestinationRule', state: RouteState): Manifest {
  switch (kind) {
    case 'HTTPRoute': return gatewayApi().HttpRoute.manifest(httpRouteProps(app, state));
    case 'GRPCRoute': return gatewayApi().GrpcRoute.manifest(grpcRouteProps(app, state));
    case 'DestinationRule': return istio().DestinationRule.manifest(destinationRuleProps(app));
    case 'VirtualService': return istio().VirtualService.manifest(virtualServiceProps(app, state));
  }
}
