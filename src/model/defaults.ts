import { resolveWaves } from './waves';
import { Colour, SecurityProfile, Strategy, ServiceType, SessionAffinity, WorkloadKind, type AppSpec, type ResourceAmounts, type TrackSpec, type VerifySpec } from '../spec/types';
import { defaultStages } from './replicas';
import { blueGreenStages, otherColour } from './blue-green';
import type { ReadApp } from '../spec/config-files';
import type { WorkloadFile } from '../spec/workload-file';
import type { ResolvedAppSpec, ResolvedStatefulSetSpec, ResolvedTrackSpec, ResolvedVerifySpec } from './resolved';
import { statefulStages } from './stateful';
import { configHash } from './config-hash';
import { defaultGateTimeout } from './gate';
import { durationSeconds } from './quantities';
import { givenAppLabel, serviceSelector } from './labels';
import { serviceHost } from './routing';
import { resolveWorkload, servicePorts, templateMounts } from './workload';

/** The image that runs the verification and endpoint check Jobs: the official Node.js image of an LTS line (24, supported to April 2028), small, at a pinned version. */
const DEFAULT_VERIFY_IMAGE = 'node:24.11.1-alpine';

const DEFAULT_REPLICAS = 3;
const DEFAULT_PORT = 80;
/** Kubernetes' own default for sessionAffinityConfig.clientIP.timeoutSeconds. */
const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
// Sized for a small web server, so a lab cluster schedules every pod of every stage; the limit only for hardened pods.
const DEFAULT_REQUESTS: ResourceAmounts = { cpu: '100m', memory: '64Mi' };
const DEFAULT_LIMITS: ResourceAmounts = { memory: '128Mi' };
/** Writable under the read-only root filesystem of a hardened pod, where the template does not mount it already. */
const DEFAULT_WRITABLE_PATHS = ['/tmp'];

/**
 * A track with its defaults filled in; `name` is the Deployment's, and its config's name starts with
 * `configOwner`'s. Config files must have been read.
 */
function resolveTrack(track: TrackSpec, name: string, image: string, replicas: number, configOwner = name): ResolvedTrackSpec {
  const files = track.config && Object.fromEntries(Object.entries(track.config.files).map(([key, file]) => [key, file.content ?? '']));
  const hash = files && configHash(files);
  return {
    name,
    image,
    replicas,
    env: Object.fromEntries(Object.entries(track.env ?? {}).map(([key, value]) => [key, String(value)])),
    ...(track.config ? { config: { name: `${configOwner}-config-${hash}`, hash: hash!, mountPath: track.config.mountPath, files: files! } } : {}),
    secretEnvFrom: track.secretEnvFrom ?? [],
    secretMounts: track.secretMounts ?? [],
    ...(track.autoscaling ? { autoscaling: track.autoscaling } : {}),
  };
}

function resolveVerify(verify: VerifySpec): ResolvedVerifySpec {
  const { smoke, prometheus } = verify;
  const resolvedPrometheus = prometheus && {
    url: prometheus.url,
    window: prometheus.window ?? '5m',
    queries: prometheus.queries,
    intervalSeconds: durationSeconds(prometheus.interval ?? '30s'),
    count: prometheus.count ?? 1,
    failureLimit: prometheus.failureLimit ?? 0,
    initialDelaySeconds: durationSeconds(prometheus.initialDelay ?? '0s'),
  };
  return {
    ...(smoke ? {
      smoke: {
        path: smoke.path ?? '/',
        requests: smoke.requests ?? 20,
        expectStatus: smoke.expectStatus ?? 200,
        minSuccessRatio: smoke.minSuccessRatio ?? 1,
        requestTimeoutSeconds: smoke.requestTimeoutSeconds ?? 5,
      },
    } : {}),
    ...(resolvedPrometheus ? { prometheus: resolvedPrometheus } : {}),
    image: verify.image ?? DEFAULT_VERIFY_IMAGE,
    timeoutSeconds: verify.timeoutSeconds ?? defaultGateTimeout(resolvedPrometheus),
    ...(verify.notify ? { notify: verify.notify } : {}),
    baseline: verify.baseline ?? false,
  };
}

/** The shared Service: the spec's settings, over those of a `from` file's Service. */
function resolveService(app: AppSpec, file: WorkloadFile | undefined, port: number, appLabel: string, stateful: boolean): ResolvedAppSpec['service'] {
  const { selector, ports: _ports, type: givenType, ...given } = file?.service?.spec ?? {};
  const ports = servicePorts(app, file, port);
  const affinity = app.service?.sessionAffinity ?? given.sessionAffinity ?? SessionAffinity.NONE;
  return {
    name: app.service?.name ?? file?.service?.metadata?.name ?? app.name,
    // A Service that gives no type is a ClusterIP one, as the API server reads it; one the tool makes is a NodePort.
    // A StatefulSet's clients are most often in the cluster: a store is not opened on every node's port.
    type: app.service?.type ?? givenType ?? (file?.service || stateful ? ServiceType.CLUSTER_IP : ServiceType.NODE_PORT),
    port: ports[0].port,
    nodePort: ports[0].nodePort,
    sessionAffinity: affinity,
    sessionAffinityTimeoutSeconds: app.service?.sessionAffinityTimeoutSeconds
      ?? given.sessionAffinityConfig?.clientIP?.timeoutSeconds
      ?? (affinity === SessionAffinity.CLIENT_IP ? DEFAULT_AFFINITY_TIMEOUT_SECONDS : undefined),
    ports,
    selector: selector && Object.keys(selector).length ? selector : serviceSelector(appLabel),
    ...(file?.service ? { given } : {}),
    labels: file?.service?.metadata?.labels ?? {},
    annotations: file?.service?.metadata?.annotations ?? {},
  };
}

function resolveBlueGreen(app: ReadApp) {
  const active = app.blueGreen?.active ?? Colour.BLUE;
  return {
    active,
    preview: otherColour(active),
    previewReplicas: app.blueGreen?.previewReplicas ?? 1,
    scaleDownDelaySeconds: app.blueGreen?.scaleDownDelaySeconds ?? 30,
  };
}

/** A StatefulSet app's StatefulSet: a `from` file's name, headless Service, first ordinal and maxUnavailable, else the tool's. */
function resolveStatefulSet(app: ReadApp, file: WorkloadFile | undefined, replicas: number): ResolvedStatefulSetSpec {
  const given = file?.deployment.kind === 'StatefulSet' ? file.deployment : undefined;
  const spec = given?.spec ?? {};
  const maxUnavailable = spec.updateStrategy?.rollingUpdate?.maxUnavailable;
  const templates: unknown[] = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
  const percent = typeof maxUnavailable === 'string' ? /^(\d+)%$/.exec(maxUnavailable) : null;
  return {
    name: given?.metadata?.name ?? app.name,
    serviceName: spec.serviceName ?? `${app.name}-headless`,
    firstOrdinal: spec.ordinals?.start ?? 0,
    // As the controller scales a percent: rounded up, at least 1.
    maxUnavailable: Math.max(1, typeof maxUnavailable === 'number' ? maxUnavailable : percent ? Math.ceil((replicas * Number(percent[1])) / 100) : 1),
    claims: templates.map((claim) => (claim as { metadata?: { name?: unknown } } | null)?.metadata?.name).filter((name): name is string => typeof name === 'string'),
    ...(file?.headless ? { headless: file.headless } : {}),
  };
}

/** Fills in every default of an app spec (with its `from` file, read); the one place defaults live. */
export function resolveAppDefaults(app: ReadApp, file?: WorkloadFile): ResolvedAppSpec {
  const { workload, port, declaresPort, image, replicas: stableReplicas } = resolveWorkload(app, file, { port: DEFAULT_PORT, replicas: DEFAULT_REPLICAS });
  const canaryReplicas = app.canary.replicas ?? stableReplicas;
  const blueGreen = app.strategy === Strategy.BLUE_GREEN ? resolveBlueGreen(app) : undefined;
  const kind = app.workload ?? (file?.deployment.kind === 'StatefulSet' ? WorkloadKind.STATEFUL_SET : WorkloadKind.DEPLOYMENT);
  const statefulSet = kind === WorkloadKind.STATEFUL_SET ? resolveStatefulSet(app, file, stableReplicas) : undefined;
  const stages = app.stages ?? (blueGreen
    ? blueGreenStages(stableReplicas, Math.min(blueGreen.previewReplicas, stableReplicas))
    : statefulSet ? statefulStages(stableReplicas) : defaultStages(stableReplicas, canaryReplicas, app.routing?.mirrorPercent));
  // Under blue/green each track is a colour's Deployment.
  const names = blueGreen ? { stable: `${app.name}-${blueGreen.active}`, canary: `${app.name}-${blueGreen.preview}` } : { stable: `${app.name}-stable`, canary: `${app.name}-canary` };
  // A template of the user's gets only what its Pod Security level requires (see ResolvedAppSpec.hardened).
  const hardened = app.from === undefined && app.podTemplate === undefined;
  // A template's pods labelled `app` keep it: the tracks select by it.
  const appLabel = app.appLabel ?? givenAppLabel(workload.pod.metadata?.labels) ?? app.name;
  const service = resolveService(app, file, port, appLabel, statefulSet !== undefined);
  // A template without a port, and no Service given or brought: a worker (see ResolvedAppSpec.worker).
  const worker = !declaresPort && file?.service === undefined && app.service === undefined;
  // The image of the Jobs that run the package's code in the cluster: the endpoint check's, the wave guards', the drain's.
  const checkImage = app.endpointCheck?.image ?? app.verify?.image ?? DEFAULT_VERIFY_IMAGE;
  return {
    name: app.name,
    namespace: app.namespace,
    createNamespace: app.createNamespace ?? false,
    appLabel,
    port,
    service,
    // One StatefulSet runs both tracks: a config's name is the same for either, so `finish` changes no pod.
    stable: resolveTrack(app.stable, app.stable.name ?? names.stable, image, stableReplicas, statefulSet?.name),
    canary: resolveTrack(app.canary, app.canary.name ?? names.canary, app.canary.image ?? '', canaryReplicas, statefulSet?.name),
    stages,
    stage: app.stage ?? stages[0].name,
    securityProfile: app.securityProfile ?? SecurityProfile.RESTRICTED,
    workload,
    writablePaths: app.writablePaths ?? (hardened ? DEFAULT_WRITABLE_PATHS.filter((path) => !templateMounts(workload).some((mount) => mount.path === path)) : []),
    hardened,
    worker,
    runAsUser: app.runAsUser,
    resources: {
      requests: { ...DEFAULT_REQUESTS, ...app.resources?.requests },
      limits: { ...hardened ? DEFAULT_LIMITS : {}, ...app.resources?.limits },
    },
    disruptionBudget: app.disruptionBudget?.enabled === false ? undefined : { maxUnavailable: app.disruptionBudget?.maxUnavailable ?? 1 },
    topologySpread: app.topologySpread?.enabled === false ? undefined : {
      maxSkew: app.topologySpread?.maxSkew ?? 1,
      topologyKey: app.topologySpread?.topologyKey ?? 'kubernetes.io/hostname',
    },
    ...(app.verify ? { verify: resolveVerify(app.verify) } : {}),
    routing: app.routing && {
      ...app.routing,
      istio: app.routing.istio && { ...app.routing.istio, hosts: app.routing.istio.hosts ?? [serviceHost(service.name, app.namespace)] },
    },
    // A worker has no Service, so no endpoints to wait for.
    ...(worker || app.endpointCheck?.enabled === false ? {} : { endpointCheck: { image: checkImage } }),
    checkImage,
    ...(app.waves ? { waves: resolveWaves(app.waves) } : {}),
    ...(blueGreen ? { blueGreen } : {}),
    ...(statefulSet ? { statefulSet } : {}),
  };
}
