import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { ResolvedAppSpec } from '../model/resolved';
import { stageContents } from '../model/stage-contents';
import type { ResolvedStage } from '../model/stage';
import { GrpcRoute, HttpRoute } from './imports/gateway.networking.k8s.io';
import { DestinationRule, VirtualService } from './imports/networking.istio.io';
import { destinationRuleProps, grpcRouteProps, httpRouteProps, virtualServiceProps } from './objects/routes';

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
    for (const object of stageContents(spec, false, stage)) {
      if (object.role === 'subsets') this.destinationRule = new DestinationRule(this, 'destination-rule', destinationRuleProps(spec));
      if (object.role !== 'route') continue;
      if (object.kind === 'HTTPRoute') this.httpRoute = new HttpRoute(this, 'http-route', httpRouteProps(spec, object));
      if (object.kind === 'GRPCRoute') this.grpcRoute = new GrpcRoute(this, 'grpc-route', grpcRouteProps(spec, object));
      if (object.kind === 'VirtualService') this.virtualService = new VirtualService(this, 'virtual-service', virtualServiceProps(spec, object));
    }
  }
}
