import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { ResolvedAppSpec } from '../model/resolved';
import { stageContents } from '../model/stage-contents';
import type { ResolvedStage } from '../model/stage';
import { GrpcRoute, HttpRoute } from './imports/gateway.networking.k8s.io';
import { DestinationRule, VirtualService } from './imports/networking.istio.io';
import { destinationRuleProps, grpcRouteProps, httpRouteProps, virtualServiceProps } from './manifests/routes';

/** Props of CanaryRoutes. */
export interface CanaryRoutesProps {
  /** The app, with defaults resolved and `routing` set. */
  readonly spec: ResolvedAppSpec;
  /** The stage whose weights and match rules to render. */
  readonly stage: ResolvedStage;
}

// Identity across copies of the library (two installs in one project), as cdk8s marks its own constructs.
const CANARY_ROUTES_SYMBOL = Symbol.for('cdk8s-canary.CanaryRoutes');

/**
 * The request routing of one stage: a Gateway API HTTPRoute (or, for gRPC, a GRPCRoute) and/or an
 * Istio VirtualService and DestinationRule, typed by the classes `cdk8s import` generated from the
 * upstream CRDs (see `imports/`). Each sends the stage's weight to the canary, after a rule that sends
 * requests matching any match rule to the canary, in stages where the canary runs; in a mirror stage
 * the weighted rule also copies its share of requests to the canary (Gateway API RequestMirror with
 * `percent`, Istio `mirror` with `mirrorPercentage`).
 */
export class CanaryRoutes extends Construct {
  /**
   * Whether `x` is a CanaryRoutes, made by this copy of the library or by another one.
   * @param x any object
   */
  public static isCanaryRoutes(x: any): x is CanaryRoutes {
    return x !== null && typeof x === 'object' && CANARY_ROUTES_SYMBOL in x;
  }

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
    Object.defineProperty(this, CANARY_ROUTES_SYMBOL, { value: true });
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
