/**
 * The declarative spec: the shape of canary.yaml and of the CanaryApp props.
 * The JSON Schema in schema/canary-spec.schema.json is the authority on what is allowed;
 * these types mirror it for TypeScript users.
 */

// Enums, for languages other than TypeScript (jsii); each value is the spec file's own spelling, so
// a spec read from YAML needs no mapping.

/** Service types a canary can be exposed through. */
export enum ServiceType {
  /** A port on every node (`NodePort`). */
  NODE_PORT = 'NodePort',
  /** Inside the cluster only (`ClusterIP`). */
  CLUSTER_IP = 'ClusterIP',
  /** A cloud load balancer (`LoadBalancer`). */
  LOAD_BALANCER = 'LoadBalancer',
}

/** How the shared Service pins clients to pods. */
export enum SessionAffinity {
  /** No pinning (`None`). */
  NONE = 'None',
  /** Each client IP to one pod (`ClientIP`). */
  CLIENT_IP = 'ClientIP',
}

/** Pod Security Standard levels the pods can be made to meet. */
export enum SecurityProfile {
  /** Non-root images (`restricted`). */
  RESTRICTED = 'restricted',
  /** Images that start as root, like nginx (`baseline`). */
  BASELINE = 'baseline',
}

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
  /**
   * `ClientIP` sends each client IP to the same pod while the pod lives. It pins a client to a pod,
   * not to a version, and clients behind one NAT count as one client.
   * @default 'None'
   */
  readonly sessionAffinity?: SessionAffinity;
  /**
   * How long a client IP stays pinned after its last connection, with `sessionAffinity: ClientIP`.
   * @default 10800 (Kubernetes' default)
   */
  readonly sessionAffinityTimeoutSeconds?: number;
}

/** A Gateway (or other parent) an HTTPRoute attaches to. */
export interface ParentRefSpec {
  /** Name of the Gateway. */
  readonly name: string;
  /**
   * Namespace of the Gateway.
   * @default the app's namespace
   */
  readonly namespace?: string;
  /**
   * Listener of the Gateway to attach to.
   * @default every listener that allows the route
   */
  readonly sectionName?: string;
}

/** Routing through the Gateway API: an HTTPRoute and a Service per track. */
export interface GatewayApiRoutingSpec {
  /** The Gateways the HTTPRoute attaches to. */
  readonly parentRefs: ParentRefSpec[];
  /**
   * Host names the HTTPRoute answers for.
   * @default every host name of the Gateway's listeners
   */
  readonly hostnames?: string[];
}

/** Routing through Istio's own API: a VirtualService and a DestinationRule with a subset per track. */
export interface IstioRoutingSpec {
  /**
   * Hosts the VirtualService routes.
   * @default the shared Service's cluster-local name
   */
  readonly hosts?: string[];
  /**
   * Istio Gateways (`namespace/name`) the VirtualService binds to; add `mesh` to keep in-mesh traffic.
   * @default none: traffic inside the mesh only
   */
  readonly gateways?: string[];
}

/**
 * A request attribute that always sends the request to the canary: a header equal to `value` or
 * matching `regex`, or a cookie equal to `value`.
 */
export interface MatchRuleSpec {
  /**
   * Header name to match.
   * @default none: give `header` or `cookie`
   */
  readonly header?: string;
  /**
   * Cookie name to match (through the Cookie header).
   * @default none: give `header` or `cookie`
   */
  readonly cookie?: string;
  /**
   * The exact value.
   * @default none: give `value` or, for a header, `regex`
   */
  readonly value?: string;
  /**
   * A regular expression (RE2) the whole header value must match.
   * @default none: give `value` or `regex`
   */
  readonly regex?: string;
}

/** Request-level routing in front of the two tracks. */
export interface RoutingSpec {
  /**
   * Emit a Gateway API HTTPRoute.
   * @default no HTTPRoute
   */
  readonly gatewayApi?: GatewayApiRoutingSpec;
  /**
   * Emit an Istio VirtualService and DestinationRule.
   * @default no Istio objects
   */
  readonly istio?: IstioRoutingSpec;
  /**
   * Requests that always go to the canary, in stages where the canary runs.
   * @default none
   */
  readonly match?: MatchRuleSpec[];
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
   * Canary share of traffic in percent. Without `routing`, resolved to the nearest share replica
   * counts can carry; with `routing`, the route's weight (a whole percent), and replica counts may be
   * given beside it.
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

/** The settings of one app's release, besides its name, namespace and current stage. */
export interface AppSettings {
  /**
   * Emit the Namespace object, labelled with the Pod Security level its pods meet. Applying it to a
   * namespace that exists sets that label there. A namespace several apps create is emitted by the
   * first of them; system namespaces are never emitted.
   * @default false: the namespace exists or is created by someone else
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
  /**
   * Route by weight and request attributes through the Gateway API or Istio.
   * @default none: traffic splits by replica ratio through the shared Service
   */
  readonly routing?: RoutingSpec;
}

/** One app's release, as written in canary.yaml. */
export interface AppSpec extends AppSettings {
  /** App name: the output folder `<outdir>/<name>/` and the `app.kubernetes.io/instance` label. */
  readonly name: string;
  /** Namespace of every object of this app. */
  readonly namespace: string;
  /**
   * The current stage, written to `<outdir>/<name>/current/`.
   * @default the first stage
   */
  readonly stage?: string;
}

/** The whole spec file. */
export interface CanarySpec {
  readonly apps: AppSpec[];
}
