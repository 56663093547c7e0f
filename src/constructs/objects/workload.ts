import { SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION, TRACK_LABEL, podLabels, trackSelector, type Track } from '../../model/labels';
import { canonicalCpu, canonicalMemory } from '../../model/quantities';
import type { ResolvedAppSpec } from '../../model/resolved';
import { SecurityProfile, type ResourceAmounts } from '../../spec/types';
import { appMetadata, type Manifest } from './manifest';

// Capabilities an image that starts as root (nginx's master process) needs under the baseline level.
const ROOT_WEB_SERVER_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'];

/** `/var/cache/nginx` -> `var-cache-nginx` */
function volumeName(path: string): string {
  return path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'root';
}

/** Requests and limits in canonical form (`1Gi`, not `1024Mi`), as the API server stores them. */
function resources(requests: ResourceAmounts, limits: ResourceAmounts) {
  const amounts = (given: ResourceAmounts) => ({
    ...(given.cpu === undefined ? {} : { cpu: canonicalCpu(given.cpu) }),
    ...(given.memory === undefined ? {} : { memory: canonicalMemory(given.memory) }),
  });
  return { limits: amounts(limits), requests: amounts(requests) };
}

/** The track's config, Secrets and writable paths: its volumes and the container's mounts of them. */
function volumes(app: ResolvedAppSpec, track: Track) {
  const spec = app[track];
  const names = new Set<string>();
  // Volume names are DNS labels, unique in the pod.
  const unique = (wanted: string) => {
    let name = wanted;
    while (names.has(name)) name = `${name}-x`;
    names.add(name);
    return name;
  };
  const list: { mount: Record<string, unknown>; volume: Record<string, unknown> }[] = [];
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

/**
 * The track's one container: its image, config and Secrets, a TCP readiness probe on the app's port,
 * and a security context that meets the app's Pod Security level.
 */
function container(app: ResolvedAppSpec, track: Track, mounts: readonly Record<string, unknown>[]) {
  const spec = app[track];
  const restricted = app.securityProfile === SecurityProfile.RESTRICTED;
  const env = Object.entries(spec.env).map(([name, value]) => ({ name, value }));
  return {
    ...(env.length ? { env } : {}),
    ...(spec.secretEnvFrom.length ? { envFrom: spec.secretEnvFrom.map((name) => ({ secretRef: { name } })) } : {}),
    image: spec.image,
    name: 'main',
    ports: [{ containerPort: app.port }],
    readinessProbe: { tcpSocket: { port: app.port } },
    resources: resources(app.resources.requests, app.resources.limits),
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { ...(restricted ? {} : { add: ROOT_WEB_SERVER_CAPABILITIES }), drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      ...(restricted ? { runAsNonRoot: true } : {}),
      ...(app.runAsUser === undefined ? {} : { runAsUser: app.runAsUser }),
    },
    ...(mounts.length ? { volumeMounts: mounts } : {}),
  };
}

/**
 * A track's pod template: the same in every stage, so moving between stages restarts no pod. Its
 * labels are the track's selector and the app's labels; the service account token is not mounted
 * (the app needs no API access); pods spread over nodes as a preference (ScheduleAnyway), so a
 * one-node cluster still schedules every pod.
 */
export function podTemplate(app: ResolvedAppSpec, track: Track) {
  const restricted = app.securityProfile === SecurityProfile.RESTRICTED;
  const { mounts, volumes: podVolumes } = volumes(app, track);
  const spread = app.topologySpread;
  return {
    metadata: { labels: podLabels(app.name, app.appLabel, track) },
    spec: {
      automountServiceAccountToken: false,
      containers: [container(app, track, mounts)],
      securityContext: {
        ...(restricted ? { runAsNonRoot: true } : {}),
        ...(app.runAsUser === undefined ? {} : { runAsUser: app.runAsUser }),
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(spread ? {
        topologySpreadConstraints: [{
          labelSelector: { matchLabels: trackSelector(app.appLabel, track) },
          maxSkew: spread.maxSkew,
          topologyKey: spread.topologyKey,
          whenUnsatisfiable: 'ScheduleAnyway',
        }],
      } : {}),
      ...(podVolumes.length ? { volumes: podVolumes } : {}),
    },
  };
}

/**
 * A track's Deployment in a stage: `replicas` pods (absent while an autoscaler owns the count), in
 * sync wave `wave`, selecting its own track's pods only. The canary's is pruned last by Argo CD, once
 * stable is back at full size. Everything but the count and the wave is the same in every stage.
 */
export function deployment(app: ResolvedAppSpec, track: Track, replicas: number | undefined, wave: number, template: object = podTemplate(app, track)): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: appMetadata(app, app[track].name, { [TRACK_LABEL]: track }, {
      [SYNC_WAVE_ANNOTATION]: String(wave),
      ...(track === 'canary' ? { [SYNC_OPTIONS_ANNOTATION]: 'PruneLast=true' } : {}),
    }),
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: trackSelector(app.appLabel, track) },
      template,
    },
  };
}
