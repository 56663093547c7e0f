import type { ResolvedAppSpec } from './resolved';
import type { ResolvedStage } from './stage';
import type { TrackLabel } from './labels';
import { ParentKind, RouteProtocol, type MatchRuleSpec, type ParentRefSpec } from '../spec/types';

/*
 * Pure rules of request routing, shared by the route objects and the plan report (which must not
 * load cdk8s).
 */

/**
 * Whether each track gets a ClusterIP Service of its own: the HTTPRoute's weighted backends, and the
 * address the verification Job reaches the canary alone at.
 */
export function hasTrackServices(spec: ResolvedAppSpec): boolean {
  // Under blue/green the gate's target is the preview Service.
  return !spec.worker && !spec.blueGreen && (spec.routing?.gatewayApi !== undefined || spec.verify !== undefined);
}

/** The name of the app's route objects (HTTPRoute or GRPCRoute, VirtualService, DestinationRule): the shared Service's. */
export function routeName(spec: ResolvedAppSpec): string {
  return spec.service.name;
}

/** The Service a track gets (see hasTrackServices): `canary-demo` -> `canary-demo-canary`. */
export function trackServiceName(service: string, track: TrackLabel): string {
  return `${service}-${track}`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A regular expression for the whole Cookie header that holds cookie `name` with `value`:
 *   canary=true -> ^(.*;\s*)?canary=true(;.*)?$
 * matches "canary=true", "a=1; canary=true" and "canary=true; b=2", not "notcanary=true".
 */
export function cookieRegex(name: string, value: string): string {
  return `^(.*;\\s*)?${escapeRegex(name)}=${escapeRegex(value)}(;.*)?$`;
}

type HeaderMatch = { readonly name: string; readonly type: 'Exact' | 'RegularExpression'; readonly value: string };

/** A match rule as one header condition: a cookie is a regular expression on the Cookie header. */
export function headerMatch(rule: MatchRuleSpec): HeaderMatch {
  if (rule.cookie !== undefined) return { name: 'Cookie', type: 'RegularExpression', value: cookieRegex(rule.cookie, rule.value!) };
  return rule.regex !== undefined
    ? { name: rule.header!, type: 'RegularExpression', value: rule.regex }
    : { name: rule.header!, type: 'Exact', value: rule.value! };
}

/** Match rules stand only where the canary runs: elsewhere they would send matching users to no pod. */
export function matchRulesApply(spec: ResolvedAppSpec, stage: ResolvedStage): boolean {
  return (spec.routing?.match?.length ?? 0) > 0 && stage.canaryReplicas > 0;
}

/** The route kinds that weigh the tracks. */
export type WeightedRouteKind = 'HTTPRoute' | 'GRPCRoute' | 'VirtualService';

/** The route objects an app's routing writes, in file order: the Gateway API route, then Istio's two. */
export function routeKinds(spec: ResolvedAppSpec): (WeightedRouteKind | 'DestinationRule')[] {
  const { gatewayApi, istio } = spec.routing ?? {};
  return [
    ...(gatewayApi ? [gatewayApi.protocol === RouteProtocol.GRPC ? 'GRPCRoute' as const : 'HTTPRoute' as const] : []),
    ...(istio ? ['DestinationRule' as const, 'VirtualService' as const] : []),
  ];
}

/** A Service's cluster-local host name: Istio routes by it, and the gate's Job reaches the canary at it. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** Each backend's weight in a route: the canary's and the baseline's as the stage gives them, stable the rest. */
export function routeWeights(canaryWeight: number, baselineWeight = 0): Record<TrackLabel, number> {
  return { stable: 100 - canaryWeight - baselineWeight, canary: canaryWeight, baseline: baselineWeight };
}

/** Each kind of parent's API group, as Gateway API names it: the core group ("") for a Service. */
export const PARENT_GROUP: Readonly<Record<ParentKind, string>> = { [ParentKind.GATEWAY]: 'gateway.networking.k8s.io', [ParentKind.SERVICE]: '' };

/** A parent's kind, Gateway where the spec gives none (Gateway API's own default). */
export function parentKind(ref: ParentRefSpec): ParentKind {
  return ref.kind ?? ParentKind.GATEWAY;
}

/**
 * A parent as the route names it: as the spec gives it, and a Service's group written out, since
 * Gateway API takes a missing group for a Gateway's.
 */
export function routeParentRef(ref: ParentRefSpec): ParentRefSpec {
  return parentKind(ref) === ParentKind.SERVICE ? { ...ref, group: PARENT_GROUP[ParentKind.SERVICE] } : { ...ref };
}

/** A parent in words: a Gateway as `infra/shared-gateway:https`, a Service as `Service shop/web (east-west)`. */
export function describeParent(ref: ParentRefSpec, namespace: string): string {
  const name = `${ref.namespace ?? namespace}/${ref.name}${ref.sectionName ? `:${ref.sectionName}` : ''}`;
  return parentKind(ref) === ParentKind.SERVICE ? `Service ${name} (east-west)` : name;
}
