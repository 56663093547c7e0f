import type { ResolvedWave } from './waves';
import type {
  AutoscalingSpec, Colour, NotifySpec, PrometheusQuerySpec, ResourceAmounts, RoutingSpec, SecretMountSpec, SecurityProfile, ServiceType, SessionAffinity, StageSpec,
} from '../spec/types';

/* The resolved app: every default filled in, by the one resolve step (see defaults.ts). */

/** A port of the shared Service. */
export interface ResolvedServicePort {
  readonly name?: string;
  readonly port: number;
  /** The container's port, by number or by name. */
  readonly targetPort?: number | string;
  readonly nodePort?: number;
  readonly protocol?: string;
  readonly appProtocol?: string;
}

/** The shared Service, with its defaults filled in. */
export interface ResolvedServiceSpec {
  readonly name: string;
  readonly type: ServiceType;
  /** The first port's: the one routes and the gate use. */
  readonly port: number;
  readonly nodePort?: number;
  readonly sessionAffinity: SessionAffinity;
  readonly sessionAffinityTimeoutSeconds?: number;
  /** Every port, the first being `port`. */
  readonly ports: ResolvedServicePort[];
  /**
   * What it selects, both tracks' pods: a `from` file's Service's own selector, which keeps reaching
   * the running pods while the tracks start beside them; else `app=<appLabel>`.
   */
  readonly selector: { readonly [key: string]: string };
  /** The rest of the Service of a `from` file, as written: kept on the shared Service. */
  readonly given?: { [key: string]: any };
  /** The labels and annotations of a `from` file's Service, kept on the shared Service. */
  readonly labels: { [key: string]: string };
  readonly annotations: { [key: string]: string };
}

/** The pod template both tracks run, before the tool sets its labels, each track's image and config, and its defaults. */
export interface ResolvedWorkloadSpec {
  /** The template as given: from `from` or `podTemplate`, or made from the spec's keys. */
  readonly pod: { [key: string]: any };
  /** The container whose image, env and config each track sets; empty where the template's containers leave it open (a problem). */
  readonly container: string;
  /** Where the template comes from, for messages: `from: catalog.yaml`, `podTemplate` or `the spec`. */
  readonly origin: string;
  /**
   * The workload's own settings of a `from` file, kept: a Deployment's minReadySeconds,
   * revisionHistoryLimit, progressDeadlineSeconds, strategy; a StatefulSet's (see STATEFUL_SET_SETTINGS).
   */
  readonly deployment: { [key: string]: any };
  /** The labels and annotations of a `from` file's workload, kept on both tracks' Deployments (or the StatefulSet). */
  readonly labels: { [key: string]: string };
  readonly annotations: { [key: string]: string };
  /** The spec's keys it does not give, taken from the template or the `from` Deployment: `stable.image`, `stable.replicas`. */
  readonly taken: string[];
  /** The kind of a `from` file's workload: `Deployment` or `StatefulSet`. */
  readonly kind?: string;
  /** The `from` Deployment's own selector, which a running Deployment cannot change. */
  readonly selector?: { [key: string]: any };
}

/** A track's files, read and named: the ConfigMap `name` carries a hash of the files. */
export interface ResolvedConfigSpec {
  readonly name: string;
  readonly hash: string;
  readonly mountPath: string;
  readonly files: Record<string, string>;
}

/** A track, with its defaults filled in. */
export interface ResolvedTrackSpec {
  readonly name: string;
  readonly image: string;
  readonly replicas: number;
  /** Environment variables, values as strings. */
  readonly env: Record<string, string>;
  readonly config?: ResolvedConfigSpec;
  readonly secretEnvFrom: string[];
  readonly secretMounts: SecretMountSpec[];
  readonly autoscaling?: AutoscalingSpec;
}

/** A smoke check with its defaults filled in. */
export interface ResolvedSmokeCheckSpec {
  readonly path: string;
  readonly requests: number;
  readonly expectStatus: number;
  readonly minSuccessRatio: number;
  readonly requestTimeoutSeconds: number;
}

/** The Prometheus check with its defaults filled in; durations in seconds. */
export interface ResolvedPrometheusCheckSpec {
  readonly url: string;
  readonly window: string;
  readonly queries: PrometheusQuerySpec[];
  readonly intervalSeconds: number;
  readonly count: number;
  readonly failureLimit: number;
  readonly initialDelaySeconds: number;
}

/** The verification gate with its defaults filled in. */
export interface ResolvedVerifySpec {
  readonly smoke?: ResolvedSmokeCheckSpec;
  readonly prometheus?: ResolvedPrometheusCheckSpec;
  readonly image: string;
  readonly timeoutSeconds: number;
  readonly notify?: NotifySpec;
  /** Whether a baseline track runs beside the canary. */
  readonly baseline: boolean;
}

/** The Argo CD check that a growing track's pods are ready endpoints. */
export interface ResolvedEndpointCheckSpec {
  readonly image: string;
}

/** A PodDisruptionBudget per track. */
export interface ResolvedDisruptionBudgetSpec {
  readonly maxUnavailable: number;
}

/** Topology spread of each track's pods. */
export interface ResolvedTopologySpreadSpec {
  readonly maxSkew: number;
  readonly topologyKey: string;
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
  readonly workload: ResolvedWorkloadSpec;
  readonly writablePaths: string[];
  /**
   * Whether the pods are hardened beyond what their Pod Security level requires (a read-only root
   * filesystem, a memory limit, no service account token, capabilities dropped under baseline): for
   * the template the tool makes from the spec's keys. A template of the user's gets only what its
   * level requires, so that nothing the tool adds can stop the app from starting.
   */
  readonly hardened: boolean;
  /**
   * Whether the app serves no port: its pod template declares none, nor does the spec, and no Service
   * is brought. A worker gets Deployments only: no Service, no port, no readiness probe of the tool's,
   * no route and no smoke check (its gate checks metrics).
   */
  readonly worker: boolean;
  readonly runAsUser?: number;
  readonly resources: ResolvedResourcesSpec;
  /** Absent when turned off. */
  readonly disruptionBudget?: ResolvedDisruptionBudgetSpec;
  /** Absent when turned off. */
  readonly topologySpread?: ResolvedTopologySpreadSpec;
  readonly verify?: ResolvedVerifySpec;
  readonly routing?: RoutingSpec;
  /** Absent when turned off, and for a worker (see EndpointCheckSpec). */
  readonly endpointCheck?: ResolvedEndpointCheckSpec;
  /**
   * The image of the Jobs that run the package's code in the cluster: the endpoint check's, the wave
   * guards', the drain's (endpointCheck.image, else verify.image, else a pinned Node.js LTS image).
   */
  readonly checkImage: string;
  /** The waves across clusters, in order; absent for a release to one cluster. */
  readonly waves?: ResolvedWave[];
  /** With `strategy: blueGreen`: the colours and their settings; absent for a canary. */
  readonly blueGreen?: ResolvedBlueGreenSpec;
  /** With `workload: StatefulSet`: the one StatefulSet that runs both tracks; absent for Deployments. */
  readonly statefulSet?: ResolvedStatefulSetSpec;
}

/**
 * A StatefulSet app: one StatefulSet of `replicas` pods, whose highest ordinals run the canary's
 * template (those at or past the rolling update's partition), and its headless Service.
 */
export interface ResolvedStatefulSetSpec {
  /** The StatefulSet's name: a `from` file's, else the app's. */
  readonly name: string;
  /** Its headless Service (`serviceName`): a `from` file's, else `<app>-headless`. */
  readonly serviceName: string;
  /** The first ordinal (`ordinals.start`), 0 unless the `from` file says. */
  readonly firstOrdinal: number;
  /** The pods the controller may replace at once in a rolling update (`maxUnavailable`, 1 unless given as a number). */
  readonly maxUnavailable: number;
  /** The names of its claims (a `from` file's volumeClaimTemplates): volumes of every pod, each its own. */
  readonly claims: string[];
  /** The `from` file's headless Service, as written; absent where the tool makes it. */
  readonly headless?: { [key: string]: any };
}

/** A blue/green app's colours: stable is the active colour's Deployment, the canary the other's. */
export interface ResolvedBlueGreenSpec {
  readonly active: Colour;
  readonly preview: Colour;
  readonly previewReplicas: number;
  readonly scaleDownDelaySeconds: number;
}
