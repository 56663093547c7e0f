// The public API: the constructs and their props, the spec's types, the errors, and the engine
// entry points a script calls. Everything else is internal.
export { CanaryApp, type CanaryAppProps } from './canary-app';
export { CanaryRelease, type CanaryReleaseProps, type CanaryReleaseStage } from './canary-release';
export { CanaryRoutes, type CanaryRoutesProps } from './canary-routes';
export type {
  AppSpec, CanarySpec, GatewayApiRoutingSpec, IstioRoutingSpec, MatchRuleSpec, ParentRefSpec, ResourceAmounts,
  ResourcesSpec, RoutingSpec, SecurityProfile, ServiceSpec, ServiceType, SessionAffinity, StageSpec, TrackSpec,
} from './spec';
export type { ResolvedAppSpec } from './app-defaults';
export type { ResolvedStage, RolloutPlan, TrackWaves } from './plan';
export type { ResolvedApp } from './resolve';
export { SpecError, type Problem, type SpecPath } from './spec-error';
export { loadSpec, parseSpec, type LoadedSpec } from './spec-load';
export { synthesize } from './synth';
export type { RenderedFile } from './render';
