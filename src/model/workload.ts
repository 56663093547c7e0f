import { fromParts, type WorkloadFile } from '../spec/workload-file';
import type { ReadApp } from '../spec/config-files';
import type { AppSpec, ProbeSpec } from '../spec/types';
import type { ResolvedServicePort, ResolvedWorkloadSpec } from './resolved';

/*
 * The app's workload as the user gives it: a `from` file's Deployment and Service, a `podTemplate`, or
 * the spec's own keys (ports, probes, annotations, service account, command). The tool's labels,
 * images, config and defaults go on later (constructs/manifests/workload.ts), over what is given here.
 */

// The Deployment settings of a `from` file that both tracks keep.
const DEPLOYMENT_SETTINGS = ['minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds', 'strategy', 'paused'];
// A StatefulSet's settings of a `from` file that it keeps (its updateStrategy is the tool's, but for maxUnavailable).
const STATEFUL_SET_SETTINGS = [
  'minReadySeconds', 'revisionHistoryLimit', 'podManagementPolicy', 'serviceName', 'volumeClaimTemplates', 'persistentVolumeClaimRetentionPolicy', 'ordinals',
  'updateStrategy',
];
const DEFAULT_CONTAINER = 'main';

/** A probe of the spec as Kubernetes writes it; a port not given is the app's. */
export function probe(spec: ProbeSpec, port: number): { [key: string]: unknown } {
  const { http, exec, grpc, tcp, ...timing } = spec;
  return {
    ...(http ? { httpGet: { path: http.path, port: http.port ?? port } } : {}),
    ...(exec ? { exec: { command: exec } } : {}),
    ...(grpc ? { grpc: { port: grpc.port ?? port, ...(grpc.service === undefined ? {} : { service: grpc.service }) } } : {}),
    ...(tcp ? { tcpSocket: { port: tcp.port ?? port } } : {}),
    ...timing,
  };
}

/** Whether the app gives its workload in the spec's own keys. */
export function shortcutKeys(app: AppSpec): string[] {
  const keys = ['readinessProbe', 'livenessProbe', 'ports', 'podAnnotations', 'serviceAccountName', 'command', 'args'] as const;
  return keys.filter((key) => app[key] !== undefined);
}

/** The pod template the spec's own keys make: one container, `main`. */
function templateOfKeys(app: AppSpec, port: number) {
  const container = {
    name: DEFAULT_CONTAINER,
    ...(app.command ? { command: app.command } : {}),
    ...(app.args ? { args: app.args } : {}),
    ...(app.ports ? { ports: [{ containerPort: port }, ...app.ports.map((each) => ({ containerPort: each.port, name: each.name }))] } : {}),
    ...(app.readinessProbe ? { readinessProbe: probe(app.readinessProbe, port) } : {}),
    ...(app.livenessProbe ? { livenessProbe: probe(app.livenessProbe, port) } : {}),
  };
  return {
    ...(app.podAnnotations ? { metadata: { annotations: app.podAnnotations } } : {}),
    spec: { ...(app.serviceAccountName ? { serviceAccountName: app.serviceAccountName } : {}), containers: [container] },
  };
}

/** The containers of a template, as given (possibly malformed: the rules say so). */
export function containersOf(pod: { [key: string]: any }): { [key: string]: any }[] {
  const containers = pod.spec?.containers;
  return Array.isArray(containers) ? containers : [];
}

/** `registry:5000/shop/web:1.2@sha256:...` -> repository `registry:5000/shop/web`, tag `1.2`, digest `sha256:...`. */
export function imageParts(image: string): { readonly repository: string; readonly tag?: string; readonly digest?: string } {
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  const digest = at < 0 ? undefined : image.slice(at + 1);
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest } : { repository: name, digest };
}

/** An image without its tag or digest, Docker Hub's implied names spelled out alike: `nginx` and `docker.io/library/nginx` are one. */
export function imageRepository(image: string): string {
  return imageParts(image).repository.replace(/^(?:index\.)?docker\.io\//, '').replace(/^library\//, '');
}

/**
 * The container a template runs the app in, where the spec does not name one: the only container, or
 * the only one whose image is the app's (the repository of `stable.image` or `canary.image`, any
 * tag). None where that does not pick one: a sidecar listed first is never taken for the app.
 */
function appContainer(app: ReadApp, containers: readonly { [key: string]: any }[]): string | undefined {
  if (!containers.length) return DEFAULT_CONTAINER;
  if (containers.length === 1) return containers[0].name;
  const repositories = [app.stable.image, app.canary.image].filter((image): image is string => typeof image === 'string').map(imageRepository);
  const running = containers.filter((each) => typeof each.image === 'string' && repositories.includes(imageRepository(each.image)));
  return running.length === 1 ? running[0].name : undefined;
}

/** The paths the template's app container mounts, as it writes them (each with its index in its `volumeMounts`). */
export function templateMounts(workload: Pick<ResolvedWorkloadSpec, 'pod' | 'container'>): { readonly path: string; readonly index: number }[] {
  const own = containersOf(workload.pod).find((each) => each.name === workload.container);
  const mounts: unknown[] = Array.isArray(own?.volumeMounts) ? own.volumeMounts : [];
  return mounts.flatMap((mount, index) => {
    const path = (mount as { mountPath?: unknown } | null)?.mountPath;
    return typeof path === 'string' ? [{ path, index }] : [];
  });
}

/**
 * The app's workload and its container port: the port given, else the app container's first port in
 * a template of the user's, else 80; `declaresPort` says whether the spec or the template gives one.
 */
export function resolveWorkload(app: ReadApp, file: WorkloadFile | undefined, defaults: { readonly port: number; readonly replicas: number }): {
  readonly workload: ResolvedWorkloadSpec; readonly port: number; readonly declaresPort: boolean; readonly image: string; readonly replicas: number;
} {
  const defaultPort = defaults.port;
  const given = file?.deployment.spec?.template ?? app.podTemplate;
  const pod: { [key: string]: any } = given ?? templateOfKeys(app, app.port ?? defaultPort);
  const containers = containersOf(pod);
  const container = app.container ?? appContainer(app, containers) ?? '';
  const own = containers.find((each) => each.name === container);
  const firstPort = Array.isArray(own?.ports) ? own.ports.find((each: { containerPort?: unknown }) => typeof each.containerPort === 'number')?.containerPort : undefined;
  const port = app.port ?? (given ? firstPort : undefined) ?? defaultPort;
  const spec = file?.deployment.spec ?? {};
  const meta = file?.deployment.metadata ?? {};
  // What the spec leaves out, the user's Deployment says: the image its app container runs, its replicas.
  const image = app.stable.image ?? (given && typeof own?.image === 'string' ? own.image : undefined);
  const replicas = app.stable.replicas ?? (typeof spec.replicas === 'number' ? spec.replicas : undefined);
  return {
    port,
    declaresPort: !given || app.port !== undefined || firstPort !== undefined,
    image: image ?? '',
    replicas: replicas ?? defaults.replicas,
    workload: {
      pod,
      container,
      origin: file ? `from: ${fromParts(app.from).files.join(', ')}` : app.podTemplate ? 'podTemplate' : 'the spec',
      taken: [
        ...(app.stable.image === undefined && image !== undefined ? ['stable.image' as const] : []),
        ...(app.stable.replicas === undefined && replicas !== undefined ? ['stable.replicas' as const] : []),
      ],
      deployment: Object.fromEntries((file?.deployment.kind === 'StatefulSet' ? STATEFUL_SET_SETTINGS : DEPLOYMENT_SETTINGS)
        .filter((key) => spec[key] !== undefined).map((key) => [key, spec[key]])),
      labels: meta.labels ?? {},
      annotations: meta.annotations ?? {},
      ...(file ? { kind: file.deployment.kind } : {}),
      ...(spec.selector ? { selector: spec.selector } : {}),
    },
  };
}

/**
 * The shared Service's ports: a `from` file's Service's as written; else the app's port (`http`) and
 * each named port of the spec, by name.
 */
export function servicePorts(app: AppSpec, file: WorkloadFile | undefined, port: number): ResolvedServicePort[] {
  const given = file?.service?.spec?.ports;
  if (Array.isArray(given) && given.length) return given as ResolvedServicePort[];
  return [
    { name: 'http', port: app.service?.port ?? port, targetPort: port, ...(app.service?.nodePort === undefined ? {} : { nodePort: app.service.nodePort }) },
    ...(app.ports ?? []).map((each) => ({ name: each.name, port: each.servicePort ?? each.port, targetPort: each.name })),
  ];
}
