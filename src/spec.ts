/**
 * The declarative spec: the shape of canary.yaml and of the CanaryApp props.
 * The JSON Schema in schema/canary-spec.schema.json is the authority on what is allowed;
 * these types mirror it for TypeScript users.
 */

/** Service types a canary can be exposed through. */
export type ServiceType = 'NodePort' | 'ClusterIP' | 'LoadBalancer';

/** Pod Security Standard levels the pods can be made to meet. */
export type SecurityProfile = 'restricted' | 'baseline';

/** One track of the release: the stable (running) or the canary (new) version. */
export interface TrackSpec {
  /**
   * Name of the track's Deployment.
   * @default `<app name>-stable` or `<app name>-canary`
   */
  readonly name?: string;
  /** Container image, with a tag or digest (for example `nginx:1.22`). */
  readonly image: string;
  /**
   * The track's full size: the stable's before the release, the canary's once it takes all traffic.
   * @default 3 for stable; the stable's for canary
   */
  readonly replicas?: number;
}

/** The Service that selects both tracks. */
export interface ServiceSpec {
  /**
   * Service name.
   * @default the app name
   */
  readonly name?: string;
  /**
   * Service type.
   * @default 'NodePort'
   */
  readonly type?: ServiceType;
  /**
   * Service port.
   * @default the container port
   */
  readonly port?: number;
  /**
   * Node port, for NodePort and LoadBalancer Services.
   * @default chosen by the cluster
   */
  readonly nodePort?: number;
}

/** One stage of the rollout, by replica counts or by canary share of traffic. */
export interface StageSpec {
  /** Stage name; used in the file name `NN-<name>.k8s.yaml`. `rollback` is reserved. */
  readonly name: string;
  /**
   * Stable replicas in this stage; given together with `canaryReplicas`.
   * @default none: give replica counts or `canaryPercent`
   */
  readonly stableReplicas?: number;
  /**
   * Canary replicas in this stage; given together with `stableReplicas`.
   * @default none: give replica counts or `canaryPercent`
   */
  readonly canaryReplicas?: number;
  /**
   * Canary share of traffic in percent, resolved to the nearest share replica counts can carry.
   * @default none: give replica counts or `canaryPercent`
   */
  readonly canaryPercent?: number;
}

/** CPU and memory amounts, as Kubernetes quantities. */
export interface ResourceAmounts {
  /**
   * CPU, in millicores (`100m`) or cores (`0.5`).
   * @default see `ResourcesSpec`
   */
  readonly cpu?: string;
  /**
   * Memory, in `Mi` or `Gi`.
   * @default see `ResourcesSpec`
   */
  readonly memory?: string;
}

/** Per-container requests and limits. */
export interface ResourcesSpec {
  /**
   * Requests: what the scheduler reserves for each pod.
   * @default { cpu: '100m', memory: '64Mi' }
   */
  readonly requests?: ResourceAmounts;
  /**
   * Limits. No CPU limit by default: throttling a web server hurts latency more than it saves.
   * @default { memory: '128Mi' }
   */
  readonly limits?: ResourceAmounts;
}

/** One app's release, as written in canary.yaml. */
export interface AppSpec {
  /** App name: the output folder `<outdir>/<name>/` and the `app.kubernetes.io/instance` label. */
  readonly name: string;
  /** Namespace of every object of this app. */
  readonly namespace: string;
  /**
   * Emit the Namespace object, labelled with the Pod Security level its pods meet.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Value of the shared label `app=<appLabel>` that the Service selects.
   * @default the app name
   */
  readonly appLabel?: string;
  /**
   * Container port.
   * @default 80
   */
  readonly port?: number;
  /**
   * The Service that selects both tracks.
   * @default a NodePort Service named after the app
   */
  readonly service?: ServiceSpec;
  /** The running version. */
  readonly stable: TrackSpec;
  /** The new version. */
  readonly canary: TrackSpec;
  /**
   * The rollout plan, in order. A `rollback` stage is always added.
   * @default baseline, canary, expand, promote
   */
  readonly stages?: StageSpec[];
  /**
   * The current stage, written to `<outdir>/<name>/current/`.
   * @default the first stage
   */
  readonly stage?: string;
  /**
   * Pod Security Standard the pods meet.
   * @default 'restricted'
   */
  readonly securityProfile?: SecurityProfile;
  /**
   * Paths mounted as emptyDir volumes, since the root filesystem is read-only.
   * @default ['/tmp']
   */
  readonly writablePaths?: string[];
  /**
   * UID the containers run as, for images whose USER is not numeric.
   * @default the image's own user
   */
  readonly runAsUser?: number;
  /**
   * Per-container requests and limits.
   * @default requests cpu 100m, memory 64Mi; limits memory 128Mi
   */
  readonly resources?: ResourcesSpec;
}

/** The whole spec file. */
export interface CanarySpec {
  readonly apps: AppSpec[];
}
