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

/** The protocol of the app's requests, which sets the Gateway API route's kind. */
export enum RouteProtocol {
  /** HTTP: an HTTPRoute (`http`). */
  HTTP = 'http',
  /** gRPC: a GRPCRoute, and `kubernetes.io/h2c` on the Service ports (`grpc`). */
  GRPC = 'grpc',
}

/** Pod Security Standard levels the pods can be made to meet. */
export enum SecurityProfile {
  /** Non-root images (`restricted`). */
  RESTRICTED = 'restricted',
  /** Images that start as root, like nginx (`baseline`). */
  BASELINE = 'baseline',
}

/** How a release moves traffic to the new version. */
export enum Strategy {
  /** Stages that give the new version a growing share of traffic beside the old (`canary`). */
  CANARY = 'canary',
  /**
   * Two colour Deployments that alternate between releases: the new colour starts beside the Service,
   * reached only by its preview Service, and the Service's selector switches to it whole (`blueGreen`).
   */
  BLUE_GREEN = 'blueGreen',
}

/** The kind of object that runs the app's pods. */
export enum WorkloadKind {
  /** Two Deployments, stable and canary, beside each other (`Deployment`). */
  DEPLOYMENT = 'Deployment',
  /**
   * One StatefulSet whose pods keep their names and claims: the canary is its highest ordinals,
   * updated by moving the rolling update's partition down (`StatefulSet`).
   */
  STATEFUL_SET = 'StatefulSet',
}

/** The two colours of a blue/green app's Deployments. */
export enum Colour {
  /** `<app>-blue`, whose pods carry `track: blue` (`blue`). */
  BLUE = 'blue',
  /** `<app>-green`, whose pods carry `track: green` (`green`). */
  GREEN = 'green',
}

// The spec's value types. Each carries its rules as JSDoc tags, from which the JSON Schema in schema/
// is generated (npm run schema), with the message a broken rule prints beside it.

/**
 * A DNS-1123 label, as most Kubernetes object names are.
 * @minLength 1
 * @maxLength 63
 * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
 * @message must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit
 */
export type DnsLabel = string;

/**
 * A DNS-1035 label, as a Service name is.
 * @minLength 1
 * @maxLength 63
 * @pattern ^[a-z]([-a-z0-9]*[a-z0-9])?$
 * @message must be a DNS-1035 label: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit
 */
export type ServiceName = string;

/**
 * A label value.
 * @minLength 1
 * @maxLength 63
 * @pattern ^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$
 * @message must be a label value: letters, digits, "-", "_" and ".", starting and ending with a letter or digit
 */
export type LabelValue = string;

/**
 * A container image reference: name[:tag][@digest].
 * @minLength 1
 * @maxLength 512
 * @pattern ^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$
 * @message must be an image reference name[:tag][@digest] with a tag or a full digest, such as nginx:1.22 or registry.example/team/app@sha256:<64 hex digits>
 */
export type ImageReference = string;

/**
 * A CPU amount in millicores (`100m`) or cores (`0.5`, `2`).
 * @pattern ^([1-9][0-9]*m|[0-9]+(\.[0-9]{1,3})?)$
 * @message must be a CPU quantity such as 100m or 0.5
 */
export type CpuQuantity = string;

/**
 * A memory amount in mebibytes (`64Mi`) or gibibytes (`1Gi`).
 * @pattern ^[1-9][0-9]*(Mi|Gi)$
 * @message must be a memory quantity such as 64Mi or 1Gi
 */
export type MemoryQuantity = string;

/**
 * A lowercase DNS host name, optionally a wildcard.
 * @minLength 1
 * @maxLength 253
 * @pattern ^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
 * @message must be a lowercase DNS host name, optionally starting with "*."
 */
export type Hostname = string;

/**
 * An HTTP token, as header and cookie names are.
 * @minLength 1
 * @maxLength 256
 * @pattern ^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$
 * @message must be an HTTP token: letters, digits and !#$%&'*+-.^_`|~
 */
export type HttpToken = string;

/**
 * A header value or regular expression: one line, no control characters.
 * @minLength 1
 * @maxLength 1024
 * @pattern ^[^\u0000-\u001f\u007f]+$
 * @message must hold no control characters or line breaks
 */
export type HeaderValue = string;

/**
 * An environment variable's name, as Kubernetes accepts it.
 * @maxLength 256
 * @pattern ^[-._a-zA-Z][-._a-zA-Z0-9]*$
 * @message must be an environment variable name: letters, digits, "_", "-" and ".", not starting with a digit
 */
export type EnvName = string;

/**
 * An environment variable's value: numbers and booleans are written as strings.
 * @message must be a string, number or boolean
 */
export type EnvValue = string | number | boolean;

/**
 * A file name in a ConfigMap, which is also its key.
 * @maxLength 253
 * @pattern ^(?!\.\.?$)[-._a-zA-Z0-9]+$
 * @message must be a ConfigMap key: letters, digits, "-", "_" and ".", not "." or ".."
 */
export type ConfigKey = string;

/**
 * A DNS-1123 subdomain, as Secret names are.
 * @minLength 1
 * @maxLength 253
 * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
 * @message must be a DNS-1123 subdomain: lowercase letters, digits, "-" and ".", each part starting and ending with a letter or digit
 */
export type SecretName = string;

/**
 * A file path relative to the spec's folder.
 * @minLength 1
 * @pattern ^[^/\u0000]([^\u0000]*)$
 * @message must be a path relative to the spec's folder
 */
export type RelativePath = string;

/**
 * An absolute path in the container.
 * @pattern ^/[^\s]*$
 * @message must be an absolute path without spaces
 */
export type AbsolutePath = string;

/**
 * An Istio Gateway as `namespace/name`, or `mesh`.
 * @pattern ^(mesh|[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9]*[a-z0-9])?)$
 * @message must be "mesh" or an Istio Gateway as namespace/name
 */
export type IstioGatewayRef = string;

/**
 * A TCP port.
 * @asType integer
 * @minimum 1
 * @maximum 65535
 */
export type PortNumber = number;

/**
 * A replica count.
 * @asType integer
 * @minimum 0
 * @maximum 1000
 */
export type ReplicaCount = number;

/**
 * A git repository's URL as Argo CD takes it: https://, http://, git:// or ssh:// (a user only for
 * ssh), or scp-like `git@host:org/repo.git`. No password: the spec and the files are plain text in git.
 * @maxLength 2048
 * @pattern ^((https?|git)://[A-Za-z0-9._~%\[\]:-]+(/[\x21-\x7e]*)?|ssh://([A-Za-z0-9._-]+@)?[A-Za-z0-9._~%\[\]:-]+(/[\x21-\x7e]*)?|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[\x21-\x7e]+)$
 * @message must be a git URL without a password (https://, git://, ssh:// or git@host:org/repo.git), of printable characters without spaces
 */
export type RepoUrl = string;

/**
 * A git branch, tag or commit.
 * @minLength 1
 * @maxLength 255
 * @pattern ^[\x21-\x7e]+$
 * @message must be a branch, tag or commit: printable characters without spaces
 */
export type GitRevision = string;

/**
 * How many of a wave's Applications Argo CD syncs at once: a count (1 or more) or a percent of the
 * wave's Applications (`1%` to `100%`, rounded down, at least one).
 * @pattern ^([1-9][0-9]?|100)%$
 * @minimum 1
 * @multipleOf 1
 * @message must be a count of 1 or more, or a percent from 1% to 100%
 */
export type MaxUpdate = number | string;

/** The Argo CD clusters of a wave, by the labels of their cluster Secrets. */
export interface ClusterSelectorSpec {
  /**
   * Labels every cluster of the wave has (a cluster Secret's labels; the in-cluster destination needs
   * a Secret of its own to carry them).
   * @minProperties 1
   */
  readonly matchLabels: { [key: string]: LabelValue };
}

/**
 * One wave of a release across clusters: Argo CD's ApplicationSet syncs a commit to every cluster of
 * one wave, and moves to the next only once each of its Applications is Synced and Healthy, the
 * stage's gate included.
 */
export interface WaveSpec {
  /** The wave's name: the `cdk8s-canary/wave` label of its Applications. */
  readonly name: DnsLabel;
  /** The wave's clusters. */
  readonly clusters: ClusterSelectorSpec;
  /**
   * How many of the wave's Applications sync at once.
   * @default all of them ('100%')
   */
  readonly maxUpdate?: MaxUpdate;
}

/** A blue/green release's settings (`strategy: blueGreen`). */
export interface BlueGreenSpec {
  /**
   * The colour whose pods the Service selects now: the old version's during a release. `finish` swaps it.
   * @default blue
   */
  readonly active?: Colour;
  /**
   * Pods of the new colour at the preview stage, before it is scaled to the app's full size.
   * @default 1
   * @asType integer
   * @minimum 1
   * @maximum 1000
   */
  readonly previewReplicas?: number;
  /**
   * How long the old colour keeps running after the switch (the drain stage), so that nodes and meshes
   * that still send to it catch up and the connections open on it end.
   * @default 30
   * @asType integer
   * @minimum 0
   * @maximum 3600
   */
  readonly scaleDownDelaySeconds?: number;
}

/** Where Argo CD finds the output folder, for the ApplicationSet written per app under `waves`. */
export interface ArgoCdSpec {
  /** The git repository that holds the output folder, as Argo CD knows it. */
  readonly repoURL: RepoUrl;
  /**
   * The branch, tag or commit Argo CD follows.
   * @default 'HEAD'
   */
  readonly targetRevision?: GitRevision;
  /**
   * The Argo CD project of the Applications.
   * @default 'default'
   */
  readonly project?: DnsLabel;
  /**
   * The namespace Argo CD runs in, where the ApplicationSet goes.
   * @default 'argocd'
   */
  readonly namespace?: DnsLabel;
  /**
   * The output folder's path in the repository.
   * @default found from the git repository that holds the output folder, else its path from the spec's folder
   */
  readonly path?: RelativePath;
}

/** One track of the release: the stable (running) or the canary (new) version. */
export interface TrackSpec {
  /**
   * Name of the track's Deployment.
   * @default `<app name>-stable` or `<app name>-canary`
   */
  readonly name?: DnsLabel;
  /**
   * Container image, with a tag or digest (for example `nginx:1.22`). Required for the canary.
   * @default for stable, the image of the app's container in your pod template (`from` or `podTemplate`)
   */
  readonly image?: ImageReference;
  /**
   * The track's full size: the stable's before the release, the canary's once it takes all traffic.
   * @default for stable, the `replicas` of a `from` Deployment, else 3; the stable's for canary
   */
  readonly replicas?: ReplicaCount;
  /**
   * Environment variables of the track's container, name to value. Each track has its own, so the
   * canary may differ from stable in configuration alone.
   * @default none
   */
  readonly env?: { [name: EnvName]: EnvValue };
  /**
   * Files for the track's container, in a ConfigMap of the track's own, mounted read-only.
   * @default none
   */
  readonly config?: ConfigSpec;
  /**
   * Existing Secrets whose keys become environment variables of the track's container. Secret
   * values never enter the spec or the output.
   * @default none
   * @uniqueItems
   */
  readonly secretEnvFrom?: SecretName[];
  /**
   * Existing Secrets mounted read-only into the track's container.
   * @default none
   */
  readonly secretMounts?: SecretMountSpec[];
  /**
   * A HorizontalPodAutoscaler for the track. In each stage its floor is the track's replica count
   * there, and its ceiling the same multiple of that count as `maxReplicas` is of `replicas`, so the
   * stage's share holds at rest and under load; the Deployment leaves its replica count to it. A
   * stage with no pods of the track has no autoscaler and sets 0 replicas.
   * @default none: the stage's replica count, fixed
   */
  readonly autoscaling?: AutoscalingSpec;
}

/**
 * An http or https URL: a host name or address (IPv6 in brackets), maybe a port, then maybe a path of
 * printable ASCII. No user or password: the spec and the Job it renders are plain text in git (give
 * them to `verify --prometheus` instead). No control character or space anywhere.
 * @maxLength 2048
 * @pattern ^https?://[A-Za-z0-9._~%\[\]:-]+(/[\x21-\x7e]*)?$
 * @message must be an http:// or https:// URL of printable characters without a user or password, such as http://prometheus.monitoring.svc:9090
 */
export type HttpUrl = string;

/**
 * A request path: printable ASCII, as HTTP sends it (other characters percent-encoded), so no control
 * character reaches a request or a terminal.
 * @maxLength 2048
 * @pattern ^/[\x21-\x7e]*$
 * @message must be a path starting with "/", of printable ASCII without spaces (percent-encode other characters)
 */
export type RequestPath = string;

/**
 * A Prometheus duration, such as 30s, 5m or 1h.
 * @pattern ^[0-9]+(ms|s|m|h|d|w|y)$
 * @message must be a Prometheus duration: a whole number and a unit (ms, s, m, h, d, w, y), such as 5m
 */
export type PromDuration = string;

/**
 * A duration in seconds, minutes or hours, such as 30s, 5m or 1h.
 * @pattern ^[0-9]+(s|m|h)$
 * @message must be a duration: a whole number and a unit (s, m or h), such as 30s
 */
export type Duration = string;

/** Where the gate posts a short summary when it does not pass. */
export interface NotifySpec {
  /**
   * The URL it posts to (a chat webhook, say).
   * @default the Secret's, or none
   */
  readonly webhook?: HttpUrl;
  /**
   * A Secret key that holds the URL, so it stays out of the files: the Job reads it from there.
   * @default none
   */
  readonly webhookSecret?: SecretKeySpec;
}

/** A key of a Secret in the app's namespace. */
export interface SecretKeySpec {
  readonly name: SecretName;
  readonly key: ConfigKey;
}

/**
 * Checks of the canary that gate each stage in which it gets traffic: a Job runs them once the stage
 * is applied and healthy (an Argo CD PostSync hook; for kubectl, a step of the plan), and
 * `cdk8s-canary verify` runs the same checks from a laptop or CI.
 */
export interface VerifySpec {
  /**
   * Requests to the canary alone, through its own Service.
   * @default no smoke check
   */
  readonly smoke?: SmokeCheckSpec;
  /**
   * PromQL queries with a bound each, evaluated by a Prometheus server.
   * @default no Prometheus check
   */
  readonly prometheus?: PrometheusCheckSpec;
  /**
   * The Node.js image that runs the checks (the check code itself comes in a ConfigMap). It runs as
   * user 1000, the `node` user of the official images.
   * @default 'node:24.11.1-alpine'
   */
  readonly image?: ImageReference;
  /**
   * How long the checks may take, in seconds: the Job's active deadline.
   * @default 300, or what the Prometheus analysis needs and a minute more
   * @asType integer
   * @minimum 10
   * @maximum 3600
   */
  readonly timeoutSeconds?: number;
  /**
   * Where to say that the gate did not pass.
   * @default nowhere but the Job's log and the sync's status
   */
  readonly notify?: NotifySpec;
  /**
   * Run a baseline track beside the canary: a third Deployment at stable's image and config, with the
   * canary's pod count and the canary's route weight (taken from stable), in each stage where the
   * canary gets up to half the traffic; `compare: baseline` then judges the canary against pods as
   * fresh as its own. Needs routing. With `workload: StatefulSet`, no pods of its own: the baseline is
   * the highest stable ordinals, as many as the canary's pods.
   * @default false
   */
  readonly baseline?: boolean;
}

/** Requests to the canary; the share that answers with the expected status must reach a minimum. */
export interface SmokeCheckSpec {
  /**
   * The path requested.
   * @default '/'
   */
  readonly path?: RequestPath;
  /**
   * How many requests, one after another.
   * @default 20
   * @asType integer
   * @minimum 1
   * @maximum 1000
   */
  readonly requests?: number;
  /**
   * The status a good answer has.
   * @default 200
   * @asType integer
   * @minimum 100
   * @maximum 599
   */
  readonly expectStatus?: number;
  /**
   * The least share of good answers, from 0 to 1.
   * @default 1
   * @minimum 0
   * @maximum 1
   */
  readonly minSuccessRatio?: number;
  /**
   * How long one request may take, in seconds; a slower one counts as bad.
   * @default 5
   * @asType integer
   * @minimum 1
   * @maximum 60
   */
  readonly requestTimeoutSeconds?: number;
}

/** PromQL queries, each with a bound its value must keep. */
export interface PrometheusCheckSpec {
  /** The Prometheus server, as the Job (in the cluster) reaches it. */
  readonly url: HttpUrl;
  /**
   * The window `$window` stands for in the queries.
   * @default '5m'
   */
  readonly window?: PromDuration;
  /**
   * The queries.
   * @minItems 1
   */
  readonly queries: PrometheusQuerySpec[];
  /**
   * Time between measurements.
   * @default '30s'
   */
  readonly interval?: Duration;
  /**
   * How many times each query is measured.
   * @default 1
   * @asType integer
   * @minimum 1
   * @maximum 100
   */
  readonly count?: number;
  /**
   * Failed measurements allowed; the analysis fails with one more. A measurement without data (no
   * requests yet) is inconclusive: it neither passes nor fails.
   * @default 0
   * @asType integer
   * @minimum 0
   * @maximum 99
   */
  readonly failureLimit?: number;
  /**
   * A soak before the first measurement.
   * @default '0s'
   */
  readonly initialDelay?: Duration;
}

/** Which way a worse canary goes, for a comparison. */
export enum Worse {
  /** A higher value is worse (latency, errors). */
  HIGHER = 'higher',
  /** A lower value is worse (throughput, success). */
  LOWER = 'lower',
}

/**
 * One PromQL query and its bound. In the query, `$window` stands for the window, `$namespace` for the
 * app's namespace and `$app` for its `app` label value; tracks are named by the `track` label, for
 * example `sum(rate(http_requests_total{namespace="$namespace",track="canary",code=~"5.."}[$window]))`.
 * A StatefulSet's pods carry no track label: there `$pods` stands for a track's pods in the stage,
 * the canary's (or, in a comparison, each track's in turn) as a regular expression of their names,
 * for example `pod=~"$pods"`.
 */
export interface PrometheusQuerySpec {
  /** A name for the check, in its report. */
  readonly name: DnsLabel;
  /**
   * The query: its result must be one number (a scalar, or a vector of one sample).
   * @minLength 1
   * @maxLength 4096
   */
  readonly query: string;
  /**
   * The greatest value that passes.
   * @default no upper bound: give max, min or both
   */
  readonly max?: number;
  /**
   * The least value that passes.
   * @default no lower bound: give max, min or both
   */
  readonly min?: number;
  /**
   * Judge the canary against stable or the baseline track instead of a bound: the query, with `$track` for the track
   * (a StatefulSet's: `$pods` for its pods), is run over the window for each, and the two samples are compared by a
   * Mann-Whitney U test.
   * @default no comparison: the query has a bound
   */
  readonly compare?: CompareTrack;
  /**
   * With `compare`: the significance level below which a difference fails the canary.
   * @default 0.05
   * @exclusiveMinimum 0
   * @maximum 0.5
   */
  readonly alpha?: number;
  /**
   * With `compare`: which way is worse.
   * @default 'higher'
   */
  readonly worse?: Worse;
}

/** The track a query's canary values are compared with. */
export enum CompareTrack {
  /** The running version. */
  STABLE = 'stable',
  /** The baseline track (`verify.baseline`): the running version, started with the canary. */
  BASELINE = 'baseline',
}

/** A track's HorizontalPodAutoscaler (autoscaling/v2), by resource utilization. */
export interface AutoscalingSpec {
  /**
   * The most pods the track runs at its full size; at least its `replicas`, which is the floor.
   * @asType integer
   * @minimum 1
   * @maximum 1000
   */
  readonly maxReplicas: number;
  /**
   * Average CPU use to hold, in percent of the CPU request.
   * @default none: give cpuUtilization, memoryUtilization or both
   * @asType integer
   * @minimum 1
   * @maximum 100
   */
  readonly cpuUtilization?: number;
  /**
   * Average memory use to hold, in percent of the memory request.
   * @default none: give cpuUtilization, memoryUtilization or both
   * @asType integer
   * @minimum 1
   * @maximum 100
   */
  readonly memoryUtilization?: number;
}

/**
 * A track's files. They go into a ConfigMap named after the Deployment and a hash of the content
 * (`<deployment>-config-<hash>`), marked immutable, so a change makes a new ConfigMap and restarts
 * only that track's pods.
 */
export interface ConfigSpec {
  /** Where the files appear in the container, one file per key. */
  readonly mountPath: AbsolutePath;
  /**
   * The files, by name.
   * @minProperties 1
   */
  readonly files: { [name: ConfigKey]: ConfigFileSpec };
}

/** One file of a track's config: its content, given inline or read from a file beside the spec. */
export interface ConfigFileSpec {
  /**
   * The file's content.
   * @default none: give `content` or `path`
   */
  readonly content?: string;
  /**
   * A file to read the content from, relative to the spec's folder and inside it (for CanaryApp
   * props, the working directory).
   * @default none: give `content` or `path`
   */
  readonly path?: RelativePath;
}

/** An existing Secret mounted read-only. */
export interface SecretMountSpec {
  /** The Secret's name, in the app's namespace. */
  readonly secret: SecretName;
  /** Where its keys appear as files. */
  readonly mountPath: AbsolutePath;
}

/**
 * A PodDisruptionBudget per track, so that a node drain evicts a track's pods one at a time.
 * `maxUnavailable` never blocks a drain for good, as `minAvailable: 1` does with one replica.
 */
export interface DisruptionBudgetSpec {
  /**
   * Emit the budgets.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Pods of a track that a drain may evict at once.
   * @default 1
   * @asType integer
   * @minimum 1
   * @maximum 1000
   */
  readonly maxUnavailable?: number;
}

/**
 * Topology spread of each track's pods. `ScheduleAnyway` makes it a preference, so a one-node lab
 * cluster still schedules every pod.
 */
export interface TopologySpreadSpec {
  /**
   * Spread the pods.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The largest difference in a track's pod count between two domains that the scheduler aims for.
   * @default 1
   * @asType integer
   * @minimum 1
   * @maximum 100
   */
  readonly maxSkew?: number;
  /**
   * The node label whose values are the domains.
   * @default 'kubernetes.io/hostname'
   * @maxLength 317
   * @pattern ^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$
   * @message must be a label key, such as kubernetes.io/hostname or topology.kubernetes.io/zone
   */
  readonly topologyKey?: string;
}

/**
 * The check Argo CD runs between a track's growth and anything that moves traffic: a Sync hook Job in
 * the wave after the tracks that grow, which waits until each Service that carries a growing track's
 * traffic lists the stage's count of its pods as ready endpoints, and fails the sync (so the route
 * never moves and nothing shrinks) when they do not come within 60 s. It reads EndpointSlices and
 * pods through the API server under a ServiceAccount, Role and RoleBinding of its own that may list
 * those two and nothing else. The plan's kubectl steps make the same check from your shell and never
 * apply these objects.
 */
export interface EndpointCheckSpec {
  /**
   * Hold the check in the stage files. An app without a Service (a worker) has no endpoints and never holds it.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The Node.js image that runs the check (its code comes in a ConfigMap), as user 1000, the `node`
   * user of the official images; under waves, the wave guards' Jobs run on it too.
   * @default the gate's image (`verify.image`), else 'node:24.11.1-alpine'
   */
  readonly image?: ImageReference;
}

/** The Service that selects both tracks. */
export interface ServiceSpec {
  /**
   * Service name.
   * @default the app name
   */
  readonly name?: ServiceName;
  /**
   * Service type.
   * @default 'NodePort'
   */
  readonly type?: ServiceType;
  /**
   * Service port.
   * @default the container port
   */
  readonly port?: PortNumber;
  /**
   * Node port, for NodePort and LoadBalancer Services.
   * @default chosen by the cluster
   * @asType integer
   * @minimum 30000
   * @maximum 32767
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
   * @asType integer
   * @minimum 1
   * @maximum 86400
   */
  readonly sessionAffinityTimeoutSeconds?: number;
}

/** What a route attaches to. */
export enum ParentKind {
  /** A Gateway: the route splits the requests that come in through it, north-south (`Gateway`). */
  GATEWAY = 'Gateway',
  /**
   * A Service: the route splits the requests sent to the Service inside the mesh, east-west, as
   * Gateway API's GAMMA defines it (Istio, Linkerd), with no Gateway (`Service`).
   */
  SERVICE = 'Service',
}

/**
 * The API group of a route's parent, as Gateway API spells it: "" (the core group) for a Service,
 * `gateway.networking.k8s.io` for a Gateway.
 * @pattern ^(gateway\.networking\.k8s\.io)?$
 * @message must be "" (a Service's, the core group) or "gateway.networking.k8s.io" (a Gateway's)
 */
export type ParentGroup = string;

/** A Gateway, or for east-west routes a Service, that the route attaches to. */
export interface ParentRefSpec {
  /** Name of the Gateway or Service. */
  readonly name: DnsLabel;
  /**
   * Namespace of the Gateway or Service. A Service in another namespace makes a consumer route,
   * which applies only to requests from the app's namespace.
   * @default the app's namespace
   */
  readonly namespace?: DnsLabel;
  /**
   * The Gateway's listener, or the Service's port, by name.
   * @default every listener that allows the route; every port of the Service
   */
  readonly sectionName?: DnsLabel;
  /**
   * What the parent is.
   * @default 'Gateway'
   */
  readonly kind?: ParentKind;
  /**
   * The parent's API group, which must be its kind's; a Service's is written out even when absent,
   * as Gateway API takes a missing group for a Gateway's.
   * @default the kind's: "" for a Service, 'gateway.networking.k8s.io' for a Gateway
   */
  readonly group?: ParentGroup;
}

/** Routing through the Gateway API: an HTTPRoute and a Service per track. */
export interface GatewayApiRoutingSpec {
  /**
   * The Gateways the route attaches to (north-south), or the Services (east-west, in a mesh that
   * implements GAMMA: the Service the app's clients call, usually the app's own).
   * @minItems 1
   */
  readonly parentRefs: ParentRefSpec[];
  /**
   * Host names the HTTPRoute answers for; not with a Service parent, whose requests a mesh matches
   * by the Service they are sent to.
   * @default every host name of the Gateway's listeners
   * @uniqueItems
   */
  readonly hostnames?: Hostname[];
  /**
   * The protocol of the requests: `grpc` writes a GRPCRoute with the same weights and header match
   * rules (a GRPCRoute cannot match cookies), and marks the Service ports `kubernetes.io/h2c`.
   * @default 'http'
   */
  readonly protocol?: RouteProtocol;
  /**
   * After the route moves, and before a track shrinks, wait until every parent has accepted the
   * route's current generation (its `Accepted` condition, True at `metadata.generation`). On a
   * cluster where no Gateway controller reports on the route, the wait fails after 60 seconds and
   * nothing shrinks: set `false` there.
   * @default true
   */
  readonly waitForAccepted?: boolean;
}

/** Routing through Istio's own API: a VirtualService and a DestinationRule with a subset per track. */
export interface IstioRoutingSpec {
  /**
   * Hosts the VirtualService routes.
   * @default the shared Service's cluster-local name
   * @minItems 1
   * @uniqueItems
   */
  readonly hosts?: Hostname[];
  /**
   * Istio Gateways (`namespace/name`) the VirtualService binds to; add `mesh` to keep in-mesh traffic.
   * @default none: traffic inside the mesh only
   * @minItems 1
   * @uniqueItems
   */
  readonly gateways?: IstioGatewayRef[];
  /**
   * After the VirtualService moves, and before a track shrinks, wait until Istio reports it
   * reconciled at its current generation (`Reconciled` True, `status.observedGeneration` equal to
   * `metadata.generation`): every proxy has the new weights. Istio writes that status only with
   * `PILOT_ENABLE_STATUS` and config distribution tracking on, so the wait is off by default.
   * @default false
   */
  readonly waitForReconciled?: boolean;
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
  readonly header?: HttpToken;
  /**
   * Cookie name to match (through the Cookie header).
   * @default none: give `header` or `cookie`
   */
  readonly cookie?: HttpToken;
  /**
   * The exact value.
   * @default none: give `value` or, for a header, `regex`
   */
  readonly value?: HeaderValue;
  /**
   * A regular expression (RE2) the whole header value must match.
   * @default none: give `value` or `regex`
   */
  readonly regex?: HeaderValue;
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
   * @minItems 1
   */
  readonly match?: MatchRuleSpec[];
  /**
   * With the default plan: a `mirror` stage after `baseline` that copies this percent of requests to
   * the canary, whose answers are dropped, before it gets any traffic of its own.
   * @default no mirror stage
   * @asType integer
   * @minimum 1
   * @maximum 100
   */
  readonly mirrorPercent?: number;
}

/** One stage of the rollout, by replica counts or by canary share of traffic. */
export interface StageSpec {
  /** Stage name; used in the file name `NN-<name>.k8s.yaml`. `rollback` is reserved. */
  readonly name: DnsLabel;
  /**
   * Stable replicas in this stage; given together with `canaryReplicas`.
   * @default none: give replica counts or `canaryPercent`
   */
  readonly stableReplicas?: ReplicaCount;
  /**
   * Canary replicas in this stage; given together with `stableReplicas`.
   * @default none: give replica counts or `canaryPercent`
   */
  readonly canaryReplicas?: ReplicaCount;
  /**
   * Canary share of traffic in percent. Without `routing`, resolved to the nearest share replica
   * counts can carry; with `routing`, the route's weight (a whole percent), and replica counts may be
   * given beside it.
   * @default none: give replica counts or `canaryPercent`
   * @minimum 0
   * @maximum 100
   */
  readonly canaryPercent?: number;
  /**
   * Percent of requests the router copies to the canary, whose answers are dropped: every answer
   * still comes from the route's weights. Needs `routing`, and canary pods in the stage (without
   * counts, the canary runs the share of its size the copies need).
   * @default no mirroring
   * @asType integer
   * @minimum 1
   * @maximum 100
   */
  readonly mirrorPercent?: number;
}

/** CPU and memory amounts, as Kubernetes quantities. */
export interface ResourceAmounts {
  /**
   * CPU, in millicores (`100m`) or cores (`0.5`).
   * @default see `ResourcesSpec`
   */
  readonly cpu?: CpuQuantity;
  /**
   * Memory, in `Mi` or `Gi`.
   * @default see `ResourcesSpec`
   */
  readonly memory?: MemoryQuantity;
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

/** Where an app's Deployment and Service are read from, when the files hold more than the app's. */
export interface FromSpec {
  /** The file, or the files read as one (a kustomize base's `deployment.yaml` and `service.yaml`). */
  readonly file: RelativePath | RelativePath[];
  /**
   * The app's Deployment, or StatefulSet, by name.
   * @default the only Deployment or StatefulSet of the files
   * @minLength 1
   * @maxLength 253
   */
  readonly deployment?: string;
  /**
   * The app's Service, by name (for a StatefulSet, not its headless Service, which its
   * `serviceName` names and which is kept as well).
   * @default the only Service, or the only one that selects the Deployment's pods
   */
  readonly service?: ServiceName;
}

/**
 * A Kubernetes PodTemplateSpec, as Kubernetes writes it: `metadata` (labels, annotations) and `spec`
 * (containers, volumes, service account, scheduling, security context...). Checked against the
 * Kubernetes API's own schema.
 */
export type PodTemplate = { [key: string]: any };

/**
 * A port's name, as Kubernetes names ports (IANA_SVC_NAME).
 * @minLength 1
 * @maxLength 15
 * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
 * @message must be a port name: at most 15 lowercase letters, digits and "-", starting and ending with a letter or digit
 */
export type PortName = string;

/** A port of the app's container besides `port`, and of the Service. */
export interface NamedPortSpec {
  /** The port's name, such as `metrics` or `grpc`; a probe or the Service may name it. */
  readonly name: PortName;
  /** The container's port. */
  readonly port: PortNumber;
  /**
   * The Service's port for it.
   * @default the container's port
   */
  readonly servicePort?: PortNumber;
}

/** An HTTP GET probe. */
export interface HttpProbeSpec {
  /** The path to GET; a status from 200 to 399 is success. */
  readonly path: RequestPath;
  /**
   * The port, by number or by name.
   * @default the app's port
   */
  readonly port?: PortNumber | PortName;
}

/** A gRPC health check probe (grpc.health.v1). */
export interface GrpcProbeSpec {
  /**
   * The port.
   * @default the app's port
   */
  readonly port?: PortNumber;
  /**
   * The service name the health check asks about.
   * @default the server's overall health
   */
  readonly service?: string;
}

/** A TCP probe: the port accepts a connection. */
export interface TcpProbeSpec {
  /**
   * The port, by number or by name.
   * @default the app's port
   */
  readonly port?: PortNumber | PortName;
}

/** A probe: exactly one of http, exec, grpc and tcp, and its timing. */
export interface ProbeSpec {
  readonly http?: HttpProbeSpec;
  /**
   * A command run in the container; exit status 0 is success.
   * @minItems 1
   */
  readonly exec?: string[];
  readonly grpc?: GrpcProbeSpec;
  readonly tcp?: TcpProbeSpec;
  /**
   * Seconds after the container starts before the first probe.
   * @default 0
   * @asType integer
   * @minimum 0
   * @maximum 3600
   */
  readonly initialDelaySeconds?: number;
  /**
   * Seconds between probes.
   * @default 10
   * @asType integer
   * @minimum 1
   * @maximum 3600
   */
  readonly periodSeconds?: number;
  /**
   * Seconds after which a probe times out.
   * @default 1
   * @asType integer
   * @minimum 1
   * @maximum 3600
   */
  readonly timeoutSeconds?: number;
  /**
   * Failed probes in a row that count as a failure.
   * @default 3
   * @asType integer
   * @minimum 1
   * @maximum 100
   */
  readonly failureThreshold?: number;
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
  readonly appLabel?: LabelValue;
  /**
   * The YAML file, or files read as one, holding the app's Deployment and, optionally, its Service:
   * what `kubectl get -o yaml`, a kustomize build or `helm template` gives. Paths are relative to the
   * spec's folder, inside the git repository that holds it. Both tracks run its pod template as it
   * is, the canary with the canary's image, env and config; the Service keeps its ports, settings and
   * selector. Other kinds are left out, with a note. Where the files hold several apps, name the
   * Deployment (and the Service) with `{ file, deployment, service }`.
   * @default none: the pod template is made from the keys of the spec
   */
  readonly from?: RelativePath | RelativePath[] | FromSpec;
  /**
   * The app's pod template, as Kubernetes writes it, in the spec itself (instead of `from`).
   * @default none: the pod template is made from the keys of the spec
   */
  readonly podTemplate?: PodTemplate;
  /**
   * In a pod template of yours (`from` or `podTemplate`): the container the tracks set the image,
   * env and config of.
   * @default the only container, or the only one that runs the app's image (any tag)
   */
  readonly container?: DnsLabel;
  /**
   * How Kubernetes tells that a pod is ready for traffic; without one, a pod counts as ready once it
   * starts, and takes traffic and counts as capacity before it can answer.
   * @default a TCP probe on the app's port
   */
  readonly readinessProbe?: ProbeSpec;
  /**
   * How Kubernetes tells that a container must be restarted.
   * @default none
   */
  readonly livenessProbe?: ProbeSpec;
  /**
   * Ports of the container besides `port` (metrics, gRPC...), each also a port of the Service.
   * @default none
   */
  readonly ports?: NamedPortSpec[];
  /**
   * Annotations on the pods, such as `prometheus.io/scrape`.
   * @default none
   */
  readonly podAnnotations?: { [key: string]: string };
  /**
   * The pods' service account; its token is mounted, as the app asked for an identity.
   * @default none: the namespace's default account, without its token
   */
  readonly serviceAccountName?: SecretName;
  /**
   * The container's command, in place of the image's entrypoint.
   * @default the image's
   */
  readonly command?: string[];
  /**
   * The container's arguments.
   * @default the image's
   */
  readonly args?: string[];
  /**
   * Container port.
   * @default with a pod template of yours, the app container's first port; else 80
   */
  readonly port?: PortNumber;
  /**
   * The Service that selects both tracks.
   * @default a NodePort Service named after the app
   */
  readonly service?: ServiceSpec;
  /**
   * The running version.
   * @default the image and replicas of your `from` Deployment
   */
  readonly stable?: TrackSpec;
  /** The new version. */
  readonly canary: TrackSpec;
  /**
   * The rollout plan, in order. A `rollback` stage is always added.
   * @default baseline, canary, expand, promote; under blueGreen its own: steady, preview, scale, switch, drain, retire
   * @minItems 1
   */
  readonly stages?: StageSpec[];
  /**
   * How the release moves traffic: a canary in stages beside stable, or blue/green.
   * @default canary
   */
  readonly strategy?: Strategy;
  /**
   * What runs the pods: two Deployments, or one StatefulSet whose canary is its highest ordinals (a
   * stage's canary count is the pods past the rolling update's partition).
   * @default the kind of the `from` file's workload, else Deployment
   */
  readonly workload?: WorkloadKind;
  /**
   * The blue/green settings, with `strategy: blueGreen`.
   * @default active blue, previewReplicas 1, scaleDownDelaySeconds 30
   */
  readonly blueGreen?: BlueGreenSpec;
  /**
   * Pod Security Standard the pods meet.
   * @default 'restricted'
   */
  readonly securityProfile?: SecurityProfile;
  /**
   * Paths mounted as emptyDir volumes, writable where the root filesystem is read-only.
   * @default ['/tmp'] for pods made from the spec's keys (read-only root filesystem); none for a pod template of yours
   * @uniqueItems
   */
  readonly writablePaths?: AbsolutePath[];
  /**
   * UID the containers run as, for images whose USER is not numeric.
   * @default the image's own user
   * @asType integer
   * @minimum 0
   * @maximum 2147483647
   */
  readonly runAsUser?: number;
  /**
   * Requests and limits of the app's container, where it declares none.
   * @default requests cpu 100m, memory 64Mi; limits memory 128Mi for pods made from the spec's keys, none for a pod template of yours
   */
  readonly resources?: ResourcesSpec;
  /**
   * A PodDisruptionBudget per track.
   * @default { maxUnavailable: 1 }
   */
  readonly disruptionBudget?: DisruptionBudgetSpec;
  /**
   * Spread each track's pods across nodes.
   * @default { maxSkew: 1, topologyKey: 'kubernetes.io/hostname' }
   */
  readonly topologySpread?: TopologySpreadSpec;
  /**
   * Checks of the canary that gate each stage in which it gets traffic.
   * @default none
   */
  readonly verify?: VerifySpec;
  /**
   * Route by weight and request attributes through the Gateway API or Istio.
   * @default none: traffic splits by replica ratio through the shared Service
   */
  readonly routing?: RoutingSpec;
  /**
   * The Argo CD Sync hook that waits until a growing track's pods are ready endpoints before traffic moves.
   * @default on for an app with a Service
   */
  readonly endpointCheck?: EndpointCheckSpec;
  /**
   * Release each stage across clusters in waves, with Argo CD's ApplicationSet (RollingSync): a
   * stage's gate becomes a plain Job named after the stage, whose outcome is the Application's health,
   * and each wave after the first opens behind a guard that confirms the waves before run the stage.
   * @default the spec's top-level `waves`; none for a CanaryApp
   * @minItems 1
   */
  readonly waves?: WaveSpec[];
}

/** One app's release, as written in canary.yaml. */
export interface AppSpec extends AppSettings {
  /** App name: the output folder `<outdir>/<name>/` and the `app.kubernetes.io/instance` label. */
  readonly name: DnsLabel;
  /** Namespace of every object of this app. */
  readonly namespace: DnsLabel;
  /**
   * The current stage, written to `<outdir>/<name>/current/`.
   * @default the first stage
   */
  readonly stage?: DnsLabel;
}

/** One or more apps, each released as a canary in stages. Each stage becomes one complete YAML file. */
export interface CanarySpec {
  /**
   * The apps, each released as a canary in stages.
   * @minItems 1
   */
  readonly apps: AppSpec[];
  /**
   * Where Argo CD finds the output folder: needed by `waves`.
   * @default none
   */
  readonly argocd?: ArgoCdSpec;
  /**
   * The waves of every app that gives none of its own.
   * @default none
   * @minItems 1
   */
  readonly waves?: WaveSpec[];
}
