import { defaultStages } from './plan';
import { SecurityProfile, ServiceType, SessionAffinity, type AppSpec, type ResourceAmounts, type RoutingSpec, type StageSpec } from './spec';

/** The shared Service, with its defaults filled in. */
export interface ResolvedServiceSpec {
  readonly name: string;
  readonly type: ServiceType;
  readonly port: number;
  readonly nodePort?: number;
  readonly sessionAffinity: SessionAffinity;
  readonly sessionAffinityTimeoutSeconds?: number;
}

/** A track, with its defaults filled in. */
export interface ResolvedTrackSpec {
  readonly name: string;
  readonly image: string;
  readonly replicas: number;
}

/** Requests and limits, with their defaults filled in. */
export interface ResolvedResourcesSpec {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

/** An app spec with every default filled in. */
export interface ResolvedAppSpec {
  readonly name: string;
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly appLabel: string;
  readonly port: number;
  readonly service: ResolvedServiceSpec;
  readonly stable: ResolvedTrackSpec;
  readonly canary: ResolvedTrackSpec;
  readonly stages: StageSpec[];
  readonly stage: string;
  readonly securityProfile: SecurityProfile;
  readonly writablePaths: string[];
  readonly runAsUser?: number;
  readonly resources: ResolvedResourcesSpec;
  readonly routing?: RoutingSpec;
}

export const DEFAULT_REPLICAS = 3;
export const DEFAULT_PORT = 80;
/** Kubernetes' own default for sessionAffinityConfig.clientIP.timeoutSeconds. */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
// Sized for a small web server, so a lab cluster schedules every pod of every stage.
export const DEFAULT_REQUESTS: ResourceAmounts = { cpu: '100m', memory: '64Mi' };
export const DEFAULT_LIMITS: ResourceAmounts = { memory: '128Mi' };

/** A Service's cluster-local host name, which Istio routes by. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** Fills in every default of an app spec; the one place defaults live. */
export function resolveAppDefaults(app: AppSpec): ResolvedAppSpec {
  const port = app.port ?? DEFAULT_PORT;
  const stableReplicas = app.stable.replicas ?? DEFAULT_REPLICAS;
  const canaryReplicas = app.canary.replicas ?? stableReplicas;
  const stages = app.stages ?? defaultStages(stableReplicas, canaryReplicas);
  const serviceName = app.service?.name ?? app.name;
  return {
    name: app.name,
    namespace: app.namespace,
    createNamespace: app.createNamespace ?? false,
    appLabel: app.appLabel ?? app.name,
    port,
    service: {
      name: serviceName,
      type: app.service?.type ?? ServiceType.NODE_PORT,
      port: app.service?.port ?? port,
      nodePort: app.service?.nodePort,
      sessionAffinity: app.service?.sessionAffinity ?? SessionAffinity.NONE,
      sessionAffinityTimeoutSeconds: app.service?.sessionAffinityTimeoutSeconds
        ?? (app.service?.sessionAffinity === SessionAffinity.CLIENT_IP ? DEFAULT_AFFINITY_TIMEOUT_SECONDS : undefined),
    },
    stable: { name: app.stable.name ?? `${app.name}-stable`, image: app.stable.image, replicas: stableReplicas },
    canary: { name: app.canary.name ?? `${app.name}-canary`, image: app.canary.image, replicas: canaryReplicas },
    stages,
    stage: app.stage ?? stages[0].name,
    securityProfile: app.securityProfile ?? SecurityProfile.RESTRICTED,
    writablePaths: app.writablePaths ?? ['/tmp'],
    runAsUser: app.runAsUser,
    resources: {
      requests: { ...DEFAULT_REQUESTS, ...app.resources?.requests },
      limits: { ...DEFAULT_LIMITS, ...app.resources?.limits },
    },
    routing: app.routing && {
      ...app.routing,
      istio: app.routing.istio && { ...app.routing.istio, hosts: app.routing.istio.hosts ?? [serviceHost(serviceName, app.namespace)] },
    },
  };
}
