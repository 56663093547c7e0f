import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ResolvedAppSpec } from '../model/resolved';
import { statedReplicas } from '../model/autoscaling';
import type { ResolvedStage, RolloutPlan } from '../model/stage';
import { CanaryRoutes } from './canary-routes';
import { hasTrackServices, trackServiceName } from '../model/routing';
import { createAutoscaler } from './autoscaler';
import { isGated } from '../model/gate';
import { createVerifyConfigMap, createVerifyJob } from './verify-job';
import {
  COMPONENT_LABEL, CONFIG_COMPONENT, CONFIG_LABEL, configLabel, objectLabels, podLabels, serviceSelector, SYNC_OPTIONS_ANNOTATION,
  SYNC_WAVE_ANNOTATION, TRACK_LABEL, trackSelector, type Track,
} from '../model/labels';
import { canonicalCpu, canonicalMemory } from '../model/quantities';
import { resolveApp, type ResolvedApp } from '../model/resolve';
import type { CanaryReleaseProps } from './canary-release';
import { RouteProtocol, SecurityProfile, SessionAffinity, type ResourceAmounts } from '../spec/types';
import { SpecError } from '../spec/problems';
import type { ValidationResult } from '../model/rules/app';
import { checkAcrossApps } from '../model/rules/across-apps';

/**
 * Props of a CanaryApp: the keys of one app in canary.yaml, with `stage` naming the stage to render.
 */
export interface CanaryAppProps extends CanaryReleaseProps {
  /**
   * The stage to render.
   * @default the first stage of the plan
   */
  readonly stage?: string;
}

/** A track's ConfigMap (of its `config` files) and its PodDisruptionBudget, where it has them. */
export interface TrackObjects {
  readonly configMap?: kplus.ConfigMap;
  readonly disruptionBudget?: kplus.k8s.KubePodDisruptionBudget;
}

/** With Gateway API routing or `verify`: the Service of each track (the route's backends, the gate's target). */
export interface TrackServices {
  readonly stable: kplus.Service;
  readonly canary: kplus.Service;
}

// Capabilities are written as plain names: cdk8s-plus spells them CAP_CHOWN, which Pod Security
// admission does not recognise, and it has no ALL to drop.
const ROOT_WEB_SERVER_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'];

/** Where Pod Security admission reads the level a Namespace enforces. */
export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/**
 * Requests and limits in canonical form, as a JSON patch value. cdk8s-plus writes memory in Mi only
 * (1Gi as 1024Mi); the patch goes in before the generated converter, which reads each quantity's
 * `value`, as it does of a Quantity.
 */
function resources(requests: ResourceAmounts, limits: ResourceAmounts) {
  const amounts = (given: ResourceAmounts) => Object.fromEntries([
    ...(given.cpu === undefined ? [] : [['cpu', { value: canonicalCpu(given.cpu) }]]),
    ...(given.memory === undefined ? [] : [['memory', { value: canonicalMemory(given.memory) }]]),
  ]);
  return { requests: amounts(requests), limits: amounts(limits) };
}

// Props made by `resolvedProps` from an app that went through the resolve step already.
const RESOLVED = new WeakMap<CanaryAppProps, ResolvedApp>();

/**
 * Props for a CanaryApp of an app resolved already, at one of its stages: the construct takes the
 * resolved app as it is instead of resolving it again (render makes one per app of a large spec).
 */
export function resolvedProps(app: ResolvedApp, stage: string): CanaryAppProps {
  const { name, namespace, stable, canary } = app.spec;
  // Only a key for the resolved app: the construct reads nothing else of it.
  const props: CanaryAppProps = { name, namespace, stable: { image: stable.image }, canary: { image: canary.image }, stage };
  const current = app.plan.stages.find((each) => each.name === stage);
  if (!current) throw new Error(`stage "${stage}" is not in the plan`);
  RESOLVED.set(props, { ...app, plan: { ...app.plan, current } });
  return props;
}

/** `/var/cache/nginx` -> `var-cache-nginx` */
function volumeName(path: string): string {
  return path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'root';
}

/**
 * One stage of one app's canary release: the Namespace, the stable and the canary Deployment, and
 * one Service that selects both, so traffic splits by replica ratio.
 *
 * Selectors and pod templates are the same in every stage; only replica counts change, so moving
 * from one stage to the next restarts no pod.
 */
export class CanaryApp extends Construct {
  /** The app's settings with every default filled in. */
  public readonly spec: ResolvedAppSpec;
  /** The rollout plan this stage belongs to. */
  public readonly plan: RolloutPlan;
  /** The stage rendered. */
  public readonly stage: ResolvedStage;
  /** The Namespace, unless `createNamespace` is false. */
  public readonly namespace?: kplus.Namespace;
  /** The Service that selects both tracks. */
  public readonly service: kplus.Service;
  /** The stable track's Deployment. */
  public readonly stable: kplus.Deployment;
  /** The canary track's Deployment; absent in stages before the canary starts. */
  public readonly canary?: kplus.Deployment;
  /** The stable track's ConfigMap and PodDisruptionBudget. */
  public readonly stableObjects: TrackObjects;
  /** The canary track's ConfigMap and PodDisruptionBudget, in stages with the canary Deployment. */
  public readonly canaryObjects?: TrackObjects;
  /** The stable track's HorizontalPodAutoscaler, with `autoscaling`, in stages with stable pods. */
  public readonly stableAutoscaler?: kplus.k8s.KubeHorizontalPodAutoscalerV2;
  /** The canary track's HorizontalPodAutoscaler, with `autoscaling`, in stages with canary pods. */
  public readonly canaryAutoscaler?: kplus.k8s.KubeHorizontalPodAutoscalerV2;
  /** With `verify`: the ConfigMap with the check code and the checks, in every stage. */
  public readonly verifyConfigMap?: kplus.k8s.KubeConfigMap;
  /** With `verify`: the Job that checks the canary, in stages where it gets traffic. */
  public readonly verifyJob?: kplus.k8s.KubeJob;
  /** With Gateway API routing or `verify`: a Service per track, the route's backends and the gate's target. */
  public readonly trackServices?: TrackServices;
  /** With `routing`: the HTTPRoute or GRPCRoute, and/or the VirtualService and DestinationRule, of this stage. */
  public readonly routes?: CanaryRoutes;

  /** What is worth a warning, such as an untagged image: one line each. */
  public readonly warnings: string[];

  constructor(scope: Construct, id: string, props: CanaryAppProps) {
    super(scope, id);
    const chart = Chart.of(this);
    const earlier = chart.node.findAll().filter((c): c is CanaryApp => c instanceof CanaryApp && c !== this);
    let resolved: ResolvedApp;
    try {
      resolved = RESOLVED.get(props) ?? resolveApp(props, {
        at: [], name: { value: id, from: 'the construct id' }, namespace: chart.namespace, namespaceFrom: 'the enclosing Chart',
      });
      // The rules across the apps of one spec hold across the CanaryApps of one chart.
      const across: ValidationResult = { problems: [], warnings: [] };
      checkAcrossApps([...earlier.map((app) => app.spec), resolved.spec], [...earlier.map((app) => [app.node.path]), []], across);
      if (across.problems.length) throw new SpecError(across.problems);
    } catch (error) {
      throw error instanceof SpecError ? new SpecError(error.problems, `CanaryApp "${id}"`) : error;
    }
    ({ spec: this.spec, plan: this.plan } = resolved);
    this.stage = this.plan.current;
    this.warnings = resolved.warnings.map((warning) => new SpecError([warning], `CanaryApp "${id}"`).message);

    // A namespace that an earlier app of the chart creates has that one owner.
    const owner = earlier.find((app) => app.namespace && app.spec.namespace === this.spec.namespace);
    if (this.spec.createNamespace && !owner) this.namespace = this.createNamespace();
    const { service } = this.spec;
    this.service = this.createService('service', service.name, serviceSelector(this.spec.appLabel), service.type as kplus.ServiceType, service.nodePort);
    if (service.sessionAffinity === SessionAffinity.CLIENT_IP) {
      // cdk8s-plus has no session affinity setting. The patch goes in before the generated KubeService
      // converter, which writes the jsii name clientIp as clientIP and drops keys it does not know.
      ApiObject.of(this.service).addJsonPatch(
        JsonPatch.add('/spec/sessionAffinity', 'ClientIP'),
        JsonPatch.add('/spec/sessionAffinityConfig', { clientIp: { timeoutSeconds: service.sessionAffinityTimeoutSeconds } }),
      );
    }
    if (hasTrackServices(this.spec)) {
      // Both exist in every stage, so the route's backends resolve even at 0%.
      const trackService = (track: Track) =>
        this.createService(`${track}-service`, trackServiceName(service.name, track), trackSelector(this.spec.appLabel, track));
      this.trackServices = { stable: trackService('stable'), canary: trackService('canary') };
    }
    // A track's ConfigMap and budget come and go with its Deployment.
    this.stableObjects = this.createTrackObjects('stable');
    if (this.stage.canaryDeployed) this.canaryObjects = this.createTrackObjects('canary');
    this.stable = this.createDeployment('stable', this.stage.stableReplicas);
    this.stableAutoscaler = createAutoscaler(this, 'stable-autoscaler', this.spec, 'stable', this.stage.stableReplicas, this.stage.syncWaves.stable);
    if (this.stage.canaryDeployed) {
      this.canary = this.createDeployment('canary', this.stage.canaryReplicas);
      this.canaryAutoscaler = createAutoscaler(this, 'canary-autoscaler', this.spec, 'canary', this.stage.canaryReplicas, this.stage.syncWaves.canary);
    }
    if (this.spec.verify) this.verifyConfigMap = createVerifyConfigMap(this, 'verify-config', this.spec);
    // Last, so that render can swap in each stage's routes after the objects every stage shares.
    if (this.spec.routing) this.routes = new CanaryRoutes(this, 'routes', { spec: this.spec, stage: this.stage });
    if (this.verifyConfigMap && isGated(this.spec, this.stage)) {
      this.verifyJob = createVerifyJob(this, 'verify', this.spec, this.stage, this.verifyConfigMap);
    }
  }

  private createNamespace(): kplus.Namespace {
    const namespace = new kplus.Namespace(this, 'namespace', {
      metadata: {
        name: this.spec.namespace,
        labels: { [POD_SECURITY_ENFORCE_LABEL]: this.spec.securityProfile },
        // Deleting a namespace deletes everything in it, other apps' objects too: Argo CD never prunes it.
        annotations: { [SYNC_OPTIONS_ANNOTATION]: 'Prune=false' },
      },
    });
    ApiObject.of(namespace).addJsonPatch(JsonPatch.remove('/spec'));
    // A chart's default namespace is stamped on every object, but a Namespace is cluster-scoped.
    if (Chart.of(this).namespace !== undefined) {
      ApiObject.of(namespace).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    return namespace;
  }

  private createService(id: string, name: string, selector: Record<string, string>, type = kplus.ServiceType.CLUSTER_IP, nodePort?: number): kplus.Service {
    const created = new kplus.Service(this, id, {
      metadata: this.metadata(name),
      type,
      ports: [{ name: 'http', port: this.spec.service.port, targetPort: this.spec.port, nodePort }],
    });
    for (const [key, value] of Object.entries(selector)) created.selectLabel(key, value);
    ApiObject.of(created).addJsonPatch(JsonPatch.remove('/spec/externalIPs'));
    // gRPC is HTTP/2 in clear text: the Gateway API's way to tell a backend's protocol.
    if (this.spec.routing?.gatewayApi?.protocol === RouteProtocol.GRPC) {
      ApiObject.of(created).addJsonPatch(JsonPatch.add('/spec/ports/0/appProtocol', 'kubernetes.io/h2c'));
    }
    return created;
  }

  private createTrackObjects(track: Track): TrackObjects {
    const { config, name } = this.spec[track];
    const configMap = config && new kplus.ConfigMap(this, `${track}-config`, {
      metadata: {
        ...this.metadata(config.name),
        labels: { ...objectLabels(this.spec.name, this.spec.appLabel), [COMPONENT_LABEL]: CONFIG_COMPONENT, [CONFIG_LABEL]: configLabel(track, config.hash) },
        // A ConfigMap a new version no longer names goes only after its pods are replaced.
        annotations: { [SYNC_OPTIONS_ANNOTATION]: 'PruneLast=true' },
      },
      data: config.files,
      // Its name carries its content's hash: a change is a new ConfigMap, never an edit of this one.
      immutable: true,
    });
    const budget = this.spec.disruptionBudget;
    const disruptionBudget = budget && new kplus.k8s.KubePodDisruptionBudget(this, `${track}-budget`, {
      metadata: this.metadata(name),
      spec: {
        maxUnavailable: kplus.k8s.IntOrString.fromNumber(budget.maxUnavailable),
        selector: { matchLabels: trackSelector(this.spec.appLabel, track) },
      },
    });
    return { configMap, disruptionBudget };
  }

  /** The track's config, Secrets and writable paths as read-only or emptyDir volume mounts. */
  private mounts(track: Track, configMap: kplus.ConfigMap | undefined): kplus.VolumeMount[] {
    const spec = this.spec[track];
    const names = new Set<string>();
    // Volume names are DNS labels, unique in the pod.
    const unique = (wanted: string) => {
      let name = wanted;
      while (names.has(name)) name = `${name}-x`;
      names.add(name);
      return name;
    };
    const mounts: kplus.VolumeMount[] = [];
    if (spec.config && configMap) {
      const volume = kplus.Volume.fromConfigMap(this, `${track}-config-volume`, configMap, { name: unique('config') });
      mounts.push({ path: spec.config.mountPath, volume, readOnly: true });
    }
    spec.secretMounts.forEach(({ secret, mountPath }, i) => {
      const ref = kplus.Secret.fromSecretName(this, `${track}-secret-${i}`, secret);
      const volume = kplus.Volume.fromSecret(this, `${track}-secret-volume-${i}`, ref, { name: unique(`secret-${volumeName(secret)}`) });
      mounts.push({ path: mountPath, volume, readOnly: true });
    });
    for (const path of this.spec.writablePaths) {
      const name = unique(volumeName(path));
      mounts.push({ path, volume: kplus.Volume.fromEmptyDir(this, `${track}-${name}`, name) });
    }
    return mounts;
  }

  private createDeployment(track: Track, replicas: number): kplus.Deployment {
    const { spec } = this;
    const restricted = spec.securityProfile === SecurityProfile.RESTRICTED;
    const objects = track === 'stable' ? this.stableObjects : this.canaryObjects;
    const metadata = this.metadata(spec[track].name);
    const deployment = new kplus.Deployment(this, track, {
      metadata: {
        ...metadata,
        // The track label lets the plan's kubectl commands apply one track first.
        labels: { ...metadata.labels, [TRACK_LABEL]: track },
        annotations: {
          [SYNC_WAVE_ANNOTATION]: String(this.stage.syncWaves[track]),
          // The canary leaves the output at the end of a release; Argo CD prunes it only after the
          // rest of that sync (stable back at full size) is healthy.
          ...(track === 'canary' ? { [SYNC_OPTIONS_ANNOTATION]: 'PruneLast=true' } : {}),
        },
      },
      replicas,
      // Select by our own labels, not by the construct-path label cdk8s-plus would add.
      select: false,
      podMetadata: { labels: podLabels(spec.name, spec.appLabel, track) },
      securityContext: { ensureNonRoot: restricted, user: spec.runAsUser },
      containers: [{
        name: 'main',
        image: spec[track].image,
        portNumber: spec.port,
        readiness: kplus.Probe.fromTcpSocket({ port: spec.port }),
        securityContext: {
          ensureNonRoot: restricted,
          user: spec.runAsUser,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        },
        envVariables: Object.fromEntries(Object.entries(spec[track].env).map(([name, value]) => [name, kplus.EnvValue.fromValue(value)])),
        envFrom: spec[track].secretEnvFrom.map((secret, i) => kplus.Env.fromSecret(kplus.Secret.fromSecretName(this, `${track}-env-secret-${i}`, secret))),
        volumeMounts: this.mounts(track, objects?.configMap),
      }],
    });
    deployment.select(kplus.LabelSelector.of({ labels: trackSelector(spec.appLabel, track) }));

    const container = '/spec/template/spec/containers/0';
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.remove(`/spec/template/metadata/labels/${kplus.Pod.ADDRESS_LABEL.replace('/', '~1')}`),
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.replace(`${container}/resources`, resources(spec.resources.requests, spec.resources.limits)),
      JsonPatch.add(`${container}/securityContext/capabilities`, {
        drop: ['ALL'],
        ...(restricted ? {} : { add: ROOT_WEB_SERVER_CAPABILITIES }),
      }),
      // cdk8s-plus adds a TCP startup probe; without a liveness probe it only adds restarts for slow starters.
      JsonPatch.remove(`${container}/startupProbe`),
      ...(statedReplicas(spec, track, replicas) === undefined ? [JsonPatch.remove('/spec/replicas')] : []),
      // A preference, not a rule (ScheduleAnyway): a one-node cluster still schedules every pod.
      ...(spec.topologySpread ? [JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [{
        maxSkew: spec.topologySpread.maxSkew,
        topologyKey: spec.topologySpread.topologyKey,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: trackSelector(spec.appLabel, track) },
      }])] : []),
      // Fields cdk8s-plus writes that restate what Kubernetes does anyway: noise in every review.
      ...[
        '/spec/minReadySeconds', '/spec/progressDeadlineSeconds', '/spec/strategy',
        '/spec/template/spec/dnsPolicy', '/spec/template/spec/hostNetwork', '/spec/template/spec/restartPolicy',
        // setHostnameAsFQDN, by its jsii name: the patch runs before the converter spells it.
        '/spec/template/spec/setHostnameAsFqdn', '/spec/template/spec/terminationGracePeriodSeconds',
        // Only means something with an fsGroup, which is never set.
        '/spec/template/spec/securityContext/fsGroupChangePolicy',
        // Kubernetes' own rule gives the same policy: Always for untagged and :latest, else IfNotPresent.
        `${container}/imagePullPolicy`,
        `${container}/readinessProbe/failureThreshold`,
        `${container}/securityContext/privileged`,
        ...(restricted ? [] : ['/spec/template/spec/securityContext/runAsNonRoot', `${container}/securityContext/runAsNonRoot`]),
      ].map((path) => JsonPatch.remove(path)),
    );
    return deployment;
  }

  private metadata(name: string) {
    return { name, namespace: this.spec.namespace, labels: objectLabels(this.spec.name, this.spec.appLabel) };
  }
}
