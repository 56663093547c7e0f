import { BASELINE, SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION, TRACK_LABEL, podLabels, serviceSelector, trackSelector, type Track, type TrackValue } from '../../model/labels';
import { laneLabel } from '../../model/blue-green';
import { canonicalCpu, canonicalMemory } from '../../model/quantities';
import { baselineName } from '../../model/gate';
import type { ResolvedAppSpec } from '../../model/resolved';
import type { StatefulApp } from '../../model/stateful';
import { SecurityProfile, type ResourceAmounts } from '../../spec/types';
import { appMetadata, withUserMetadata, type Manifest } from './manifest';

// Capabilities an image that starts as root (nginx's master process) needs under the baseline level.
const ROOT_WEB_SERVER_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'];

/** `/var/cache/nginx` -> `var-cache-nginx` */
function volumeName(path: string): string {
  // Cut, then trimmed again: a DNS label does not end in "-" (nor does it with the "-x" a clash adds).
  return path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50).replace(/-+$/, '') || 'root';
}

/** Requests and limits in canonical form (`1Gi`, not `1024Mi`), as the API server stores them. */
function resources(requests: ResourceAmounts, limits: ResourceAmounts) {
  const amounts = (given: ResourceAmounts) => ({
    ...(given.cpu === undefined ? {} : { cpu: canonicalCpu(given.cpu) }),
    ...(given.memory === undefined ? {} : { memory: canonicalMemory(given.memory) }),
  });
  return { ...nonEmpty('limits', amounts(limits)), ...nonEmpty('requests', amounts(requests)) };
}

type Data = { [key: string]: any };

/**
 * The track's config, Secrets and writable paths: its volumes and the container's mounts of them,
 * named apart from the volumes the pod template declares.
 */
function volumes(app: ResolvedAppSpec, track: Track, taken: readonly string[]) {
  const spec = app[track];
  const names = new Set<string>(taken);
  // Volume names are DNS labels, unique in the pod.
  const unique = (wanted: string) => {
    let name = wanted;
    while (names.has(name)) name = `${name}-x`;
    names.add(name);
    return name;
  };
  const list: { mount: Data; volume: Data }[] = [];
  if (spec.config) {
    const name = unique('config');
    list.push({ mount: { mountPath: spec.config.mountPath, name, readOnly: true }, volume: { configMap: { name: spec.config.name }, name } });
  }
  for (const { secret, mountPath } of spec.secretMounts) {
    const name = unique(`secret-${volumeName(secret)}`);
    list.push({ mount: { mountPath, name, readOnly: true }, volume: { name, secret: { secretName: secret } } });
  }
  for (const path of app.writablePaths) {
    const name = unique(volumeName(path));
    list.push({ mount: { mountPath: path, name }, volume: { emptyDir: {}, name } });
  }
  return { mounts: list.map((each) => each.mount), volumes: list.map((each) => each.volume) };
}

/** `{ [key]: value }`, or nothing for an empty object. */
function nonEmpty(key: string, value: Data): Data {
  return Object.keys(value).length ? { [key]: value } : {};
}

/** `list` with `added` after it, or nothing when both are empty. */
function joined(key: string, list: unknown, added: readonly unknown[]): Data {
  const all = [...(Array.isArray(list) ? list : []), ...added];
  return all.length ? { [key]: all } : {};
}

/**
 * The security context a container gets: what it declares, and where it declares nothing, what the
 * app's Pod Security level needs (under restricted: no privilege escalation, all capabilities
 * dropped). A hardened app's own container also gets those under baseline (with the capabilities an
 * image that starts as root needs), a read-only root filesystem, and non-root under restricted; the
 * app's user goes on the app's own container.
 */
function securityContext(app: ResolvedAppSpec, declared: Data | undefined, own: boolean): Data {
  const restricted = app.securityProfile === SecurityProfile.RESTRICTED;
  const hardened = own && app.hardened;
  const given: Data | undefined = declared?.capabilities ?? undefined;
  // Capabilities a container declares are its own: nothing is added to them; restricted needs them all
  // dropped, which is filled in where the container does not say what it drops.
  const capabilities = given !== undefined
    ? { ...(restricted && given.drop === undefined ? { drop: ['ALL'] } : {}), ...given }
    : { ...(hardened && !restricted ? { add: ROOT_WEB_SERVER_CAPABILITIES } : {}), ...(hardened || restricted ? { drop: ['ALL'] } : {}) };
  const filled: Data = {
    ...(hardened || restricted ? { allowPrivilegeEscalation: false } : {}),
    ...(Object.keys(capabilities).length ? { capabilities } : {}),
    ...(hardened ? { readOnlyRootFilesystem: true } : {}),
    ...(hardened && restricted ? { runAsNonRoot: true } : {}),
    ...(own && app.runAsUser !== undefined ? { runAsUser: app.runAsUser } : {}),
  };
  const { capabilities: _capabilities, ...rest } = declared ?? {};
  return { ...filled, ...rest };
}

/**
 * The track's own container: the template's, with the track's image, env, config and Secrets; a port,
 * a readiness probe and requests where the template gives none.
 */
function appContainer(app: ResolvedAppSpec, track: Track, given: Data, mounts: readonly Data[]): Data {
  const spec = app[track];
  const env = Object.entries(spec.env).map(([name, value]) => ({ name, value }));
  // The track's env wins over the template's for the same name.
  const kept = (Array.isArray(given.env) ? given.env : []).filter((each: Data) => !(each.name in spec.env));
  const securityContextOf = securityContext(app, given.securityContext, true);
  return {
    ...given,
    ...joined('env', kept, env),
    ...joined('envFrom', given.envFrom, spec.secretEnvFrom.map((name) => ({ secretRef: { name } }))),
    image: spec.image,
    // A worker serves no port: none is invented, nor a probe of one.
    ...(app.worker ? {} : { ports: given.ports ?? [{ containerPort: app.port }], readinessProbe: given.readinessProbe ?? { tcpSocket: { port: app.port } } }),
    resources: given.resources ?? resources(app.resources.requests, app.resources.limits),
    securityContext: securityContextOf,
    ...joined('volumeMounts', given.volumeMounts, mounts),
  };
}

/**
 * A track's pod template: the app's (as the user gave it, or made from the spec), with the track's
 * labels, image (on the app's container, and on any other that runs the same image) and config, and
 * the tool's defaults where it declares nothing: what the Pod Security level requires (under
 * restricted: non-root and the RuntimeDefault seccomp profile), pods spread over nodes as a
 * preference (ScheduleAnyway, so a one-node cluster still schedules every pod), and for a hardened
 * app no service account token unless it names an account. The same in every stage, so moving
 * between stages restarts no pod.
 */
export function podTemplate(app: ResolvedAppSpec, track: Track, label: TrackValue = laneLabel(app, track)) {
  const { pod, container } = app.workload;
  const given: Data = pod.spec ?? {};
  const restricted = app.securityProfile === SecurityProfile.RESTRICTED;
  const taken = (Array.isArray(given.volumes) ? given.volumes : []).map((volume: Data) => volume.name);
  const { mounts, volumes: podVolumes } = volumes(app, track, taken);
  const spread = app.topologySpread;
  // Other containers that run the app's image (a migration, say) run the track's version too.
  const appImage = (Array.isArray(given.containers) ? given.containers : []).find((each: Data) => each.name === container)?.image;
  const other = (each: Data) => ({
    ...each,
    ...(appImage !== undefined && each.image === appImage ? { image: app[track].image } : {}),
    ...(restricted ? { securityContext: securityContext(app, each.securityContext, false) } : {}),
  });
  const containers = (Array.isArray(given.containers) ? given.containers : [])
    .map((each: Data) => (each.name === container ? appContainer(app, track, each, mounts) : other(each)));
  // One StatefulSet runs both tracks: its pods carry no track label (see podLabels).
  const own = app.statefulSet ? undefined : label;
  return {
    metadata: { ...pod.metadata, labels: podLabels(app.name, app.appLabel, own, pod.metadata?.labels) },
    spec: {
      ...given,
      ...(app.hardened && given.automountServiceAccountToken === undefined && given.serviceAccountName === undefined ? { automountServiceAccountToken: false } : {}),
      containers,
      ...(Array.isArray(given.initContainers) ? { initContainers: given.initContainers.map(other) } : {}),
      ...nonEmpty('securityContext', {
        ...(restricted ? { runAsNonRoot: true } : {}),
        ...(app.runAsUser === undefined ? {} : { runAsUser: app.runAsUser }),
        ...(restricted || app.hardened ? { seccompProfile: { type: 'RuntimeDefault' } } : {}),
        ...given.securityContext,
      }),
      ...(spread && given.topologySpreadConstraints === undefined ? {
        topologySpreadConstraints: [{
          labelSelector: { matchLabels: own === undefined ? serviceSelector(app.appLabel) : trackSelector(app.appLabel, own) },
          maxSkew: spread.maxSkew,
          topologyKey: spread.topologyKey,
          whenUnsatisfiable: 'ScheduleAnyway',
        }],
      } : {}),
      ...joined('volumes', given.volumes, podVolumes),
    },
  };
}

/**
 * A track's Deployment in a stage: `replicas` pods (absent while an autoscaler owns the count), in
 * sync wave `wave`, selecting its own track's pods only. The canary's is pruned last by Argo CD, once
 * stable is back at full size. Everything but the count and the wave is the same in every stage; a
 * `from` Deployment's labels, annotations and settings (strategy, minReadySeconds, ...) are kept.
 */
export function deployment(
  app: ResolvedAppSpec, track: Track, replicas: number | undefined, wave: number, template: object = podTemplate(app, track), label: TrackValue = laneLabel(app, track),
): Manifest {
  const { workload } = app;
  // The baseline track runs stable's pods under a name and label of its own, and leaves with the canary.
  const name = label === BASELINE ? baselineName(app) : app[track].name;
  const own = appMetadata(app, name, { [TRACK_LABEL]: label }, {
    [SYNC_WAVE_ANNOTATION]: String(wave),
    ...(track === 'canary' || label === BASELINE ? { [SYNC_OPTIONS_ANNOTATION]: 'PruneLast=true' } : {}),
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: withUserMetadata(own, workload.labels, workload.annotations),
    spec: {
      ...workload.deployment,
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: trackSelector(app.appLabel, label) },
      template,
    },
  };
}

/** The StatefulSet's selector: a `from` file's, which a running StatefulSet cannot change; else the app's pods. */
export function statefulSelector(app: ResolvedAppSpec): { [key: string]: any } {
  return app.workload.selector ?? { matchLabels: serviceSelector(app.appLabel) };
}

/**
 * A StatefulSet app's one StatefulSet in a stage: every pod at or past `partition` runs `template`'s
 * track (see model/stateful.ts), in the grow wave, since every move may replace pods. Its size,
 * selector, headless Service and claims are the same in every stage; a `from` file's labels,
 * annotations and settings (podManagementPolicy, volumeClaimTemplates, minReadySeconds, ...) are
 * kept, and of its update strategy its maxUnavailable.
 */
export function statefulSet(app: StatefulApp, template: Track, partition: number, wave: number): Manifest {
  const { workload, statefulSet: own } = app;
  const { updateStrategy, ...kept } = workload.deployment;
  const maxUnavailable = updateStrategy?.rollingUpdate?.maxUnavailable;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: withUserMetadata(appMetadata(app, own.name, {}, { [SYNC_WAVE_ANNOTATION]: String(wave) }), workload.labels, workload.annotations),
    spec: {
      ...kept,
      replicas: app.stable.replicas,
      selector: statefulSelector(app),
      serviceName: own.serviceName,
      updateStrategy: { rollingUpdate: { ...(maxUnavailable === undefined ? {} : { maxUnavailable }), partition }, type: 'RollingUpdate' },
      template: podTemplate(app, template),
    },
  };
}
