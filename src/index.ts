// The construct library: the constructs, their props and the spec's types. This is the API that jsii
// compiles for other languages. The engine a script calls, and SpecError (jsii allows no subclass of
// Error in an API), are in `cdk8s-canary/engine`.
export { CanaryApp, type TrackObjects, type TrackServices } from './constructs/canary-app';
export { CanaryRelease, type CanaryReleaseStage } from './constructs/canary-release';
export type { CanaryAppBaseProps, CanaryAppProps, CanaryReleaseProps } from './constructs/props';
export { CanaryRoutes, type CanaryRoutesProps } from './constructs/canary-routes';
export {
  RouteProtocol, SecurityProfile, ServiceType, SessionAffinity, type AppSettings, type AppSpec, type CanarySpec, type GatewayApiRoutingSpec,
  type IstioRoutingSpec, type MatchRuleSpec, type ParentRefSpec, type ResourceAmounts, type ResourcesSpec, type RoutingSpec,
  type ServiceSpec, type StageSpec, type TrackSpec, type FromSpec, type ConfigSpec, type ConfigFileSpec, type SecretMountSpec,
  type DisruptionBudgetSpec, type EndpointCheckSpec, type TopologySpreadSpec, type AutoscalingSpec, type VerifySpec, type SmokeCheckSpec,
  type PrometheusCheckSpec, type PrometheusQuerySpec, type PodTemplate, type PortName, type NamedPortSpec, type ProbeSpec, type HttpProbeSpec,
  type GrpcProbeSpec, type TcpProbeSpec, type NotifySpec, type SecretKeySpec, CompareTrack, Worse, type WaveSpec, type ClusterSelectorSpec,
  type ArgoCdSpec, type MaxUpdate, ParentKind, type ParentGroup, Strategy, Colour, type BlueGreenSpec, WorkloadKind,
} from './spec/types';
export type {
  ResolvedAppSpec, ResolvedConfigSpec, ResolvedDisruptionBudgetSpec, ResolvedEndpointCheckSpec, ResolvedPrometheusCheckSpec, ResolvedResourcesSpec,
  ResolvedServiceSpec, ResolvedSmokeCheckSpec, ResolvedTopologySpreadSpec, ResolvedTrackSpec, ResolvedVerifySpec, ResolvedServicePort,
  ResolvedWorkloadSpec, ResolvedBlueGreenSpec, ResolvedStatefulSetSpec,
} from './model/resolved';
export type { ResolvedStage, RolloutPlan, TrackWaves } from './model/stage';
export type { ResolvedWave } from './model/waves';
