import { ApiObject } from 'cdk8s';
import {
  GrpcRoute, GrpcRouteSpecRulesFiltersType, GrpcRouteSpecRulesMatchesHeadersType, HttpRoute, HttpRouteSpecRulesFiltersType,
  HttpRouteSpecRulesMatchesHeadersType,
} from './imports/gateway.networking.k8s.io';
import { DestinationRule, VirtualService } from './imports/networking.istio.io';
import { Construct } from 'constructs';
import { serviceHost } from '../model/defaults';
import type { ResolvedAppSpec } from '../model/resolved';
import { SYNC_WAVE } from '../model/moves';
import type { ResolvedStage } from '../model/stage';
import { COMPONENT_LABEL, objectLabels, ROUTER_COMPONENT, SYNC_WAVE_ANNOTATION, trackSelector, TRACKS, type Track } from '../model/labels';
import { headerMatch, matchRulesApply, trackServiceName } from '../model/routing';
import { RouteProtocol } from '../spec/types';

/** Props of CanaryRoutes. */
export interface CanaryRoutesProps {
  /** The app, with defaults resolved and `routing` set. */
  readonly spec: ResolvedAppSpec;
  /** The stage whose weights and match rules to render. */
  readonly stage: ResolvedStage;
}

/**
 * The request routing of one stage: a Gateway API HTTPRoute (or, for gRPC, a GRPCRoute) and/or an
 * Istio VirtualService and DestinationRule, typed by the classes `cdk8s import` generated from the
 * upstream CRDs (see `imports/`). Each sends the stage's weight to the canary, after a rule that sends
 * requests matching any match rule to the canary, in stages where the canary runs; in a mirror stage
 * the weighted rule also copies its share of requests to the canary (Gateway API RequestMirror with
 * `percent`, Istio `mirror` with `mirrorPercentage`).
 */
export class CanaryRoutes extends Construct {
  /** The HTTPRoute, with `routing.gatewayApi` for HTTP. */
  public readonly httpRoute?: ApiObject;
  /** The GRPCRoute, with `routing.gatewayApi` for gRPC. */
  public readonly grpcRoute?: ApiObject;
  /** The VirtualService, with `routing.istio`. */
  public readonly virtualService?: ApiObject;
  /** The DestinationRule with a subset per track, with `routing.istio`. */
  public readonly destinationRule?: ApiObject;

  constructor(scope: Construct, id: string, props: CanaryRoutesProps) {
    super(scope, id);
    const { spec, stage } = props;
    const routing = spec.routing ?? {};
    const metadata = {
      name: spec.service.name,
      namespace: spec.namespace,
      labels: { ...objectLabels(spec.name, spec.appLabel), [COMPONENT_LABEL]: ROUTER_COMPONENT },
      // After the track that grows is ready, before the track that shrinks goes.
      annotations: { [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVE.route) },
    };
    const canaryWeight = stage.canaryWeight ?? 0;
    const weights: Record<Track, number> = { stable: 100 - canaryWeight, canary: canaryWeight };
    const matches = matchRulesApply(spec, stage) ? (routing.match ?? []).map(headerMatch) : [];

    if (routing.gatewayApi) {
      const backend = (track: Track) => ({ name: trackServiceName(spec.service.name, track), port: spec.service.port });
      // The same rules for either kind of route, spelled with that kind's enums.
      const rules = <H, F>(headerTypes: { readonly EXACT: H; readonly REGULAR_EXPRESSION: H }, mirror: F) => [
        // Any one match (they are ORed) sends the request to the canary.
        ...(matches.length ? [{
          matches: matches.map((match) => ({
            headers: [{ name: match.name, type: match.type === 'Exact' ? headerTypes.EXACT : headerTypes.REGULAR_EXPRESSION, value: match.value }],
          })),
          backendRefs: [backend('canary')],
        }] : []),
        // The weighted rule answers; with a mirror, it also copies its share of requests to the canary.
        {
          backendRefs: TRACKS.map((track) => ({ ...backend(track), weight: weights[track] })),
          ...(stage.mirrorPercent ? { filters: [{ type: mirror, requestMirror: { backendRef: backend('canary'), percent: stage.mirrorPercent } }] } : {}),
        },
      ];
      const common = { parentRefs: routing.gatewayApi.parentRefs.map((ref) => ({ ...ref })), hostnames: routing.gatewayApi.hostnames };
      if (routing.gatewayApi.protocol === RouteProtocol.GRPC) {
        this.grpcRoute = new GrpcRoute(this, 'grpc-route', {
          metadata,
          spec: { ...common, rules: rules(GrpcRouteSpecRulesMatchesHeadersType, GrpcRouteSpecRulesFiltersType.REQUEST_MIRROR) },
        });
      } else {
        this.httpRoute = new HttpRoute(this, 'http-route', {
          metadata,
          spec: { ...common, rules: rules(HttpRouteSpecRulesMatchesHeadersType, HttpRouteSpecRulesFiltersType.REQUEST_MIRROR) },
        });
      }
    }

    if (routing.istio) {
      const host = serviceHost(spec.service.name, spec.namespace);
      const destination = (track: Track) => ({ host, subset: track, port: { number: spec.service.port } });
      this.destinationRule = new DestinationRule(this, 'destination-rule', {
        metadata,
        spec: {
          host,
          subsets: TRACKS.map((track) => ({ name: track, labels: trackSelector(spec.appLabel, track) })),
        },
      });
      this.virtualService = new VirtualService(this, 'virtual-service', {
        metadata,
        spec: {
          hosts: routing.istio.hosts,
          gateways: routing.istio.gateways,
          http: [
            ...(matches.length ? [{
              name: 'match-canary',
              // Istio matches header names in lower case.
              match: matches.map((match) => ({
                headers: { [match.name.toLowerCase()]: match.type === 'Exact' ? { exact: match.value } : { regex: match.value } },
              })),
              route: [{ destination: destination('canary') }],
            }] : []),
            {
              name: 'weighted',
              route: TRACKS.map((track) => ({ destination: destination(track), weight: weights[track] })),
              ...(stage.mirrorPercent ? { mirror: destination('canary'), mirrorPercentage: { value: stage.mirrorPercent } } : {}),
            },
          ],
        },
      });
    }
  }
}
