import { posix } from 'node:path';
import { CONFIG_MAP_MAX_BYTES, configDataBytes } from '../../spec/config-files';
import { formatPath, formatValue, type Problem, type SpecPath } from '../../spec/problems';
import { TRACKS, type Track } from '../labels';
import type { ResolvedAppSpec } from '../resolved';
import { imageParts, templateMounts } from '../workload';

/** `nginx`, `nginx:latest` and `registry:5000/nginx` float; a tag other than latest or a digest pins. */
export function isFloatingImage(image: string): boolean {
  const { tag, digest } = imageParts(image);
  return digest === undefined && (tag === undefined || tag === 'latest');
}

/** `/srv/data/` -> `/srv/data`, `/a/../b` -> `/b`: the path a mount takes. */
const normalised = (path: string) => posix.normalize(path).replace(/(.)\/$/, '$1');

/**
 * Each path a track's container mounts (writable paths, config, Secrets) is a normalised absolute path
 * other than `/`, and is mounted once, the template's own mounts included: Kubernetes refuses a
 * container with two mounts at one path. Each track's config fits in a ConfigMap.
 */
export function mountProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  const problems: Problem[] = [];
  // Mount path -> where the spec mounts it, as a message names it.
  const mount = (mounts: Map<string, string>, path: string, where: SpecPath) => {
    const normal = normalised(path);
    if (normal === '/') problems.push({ path: where, message: `is ${formatValue(path)}: the root folder cannot be a volume` });
    else if (normal !== path) problems.push({ path: where, message: `is ${formatValue(path)}: must be written normalised, as ${formatValue(normal)}` });
    else if (mounts.has(normal)) problems.push({ path: where, message: `is ${formatValue(path)}: already mounted by ${mounts.get(normal)}` });
    if (!mounts.has(normal)) mounts.set(normal, formatPath(where.slice(at.length)));
  };
  // The template's mounts are the user's: they are not checked here, but nothing may mount over them.
  const template = new Map(templateMounts(app.workload).map(({ path, index }) =>
    [normalised(path), `the template's container ${app.workload.container} (volumeMounts[${index}], ${app.workload.origin})`]));
  // Both tracks mount the writable paths: they are checked once.
  const writable = new Map(template);
  app.writablePaths.forEach((path, i) => mount(writable, path, [...at, 'writablePaths', i]));
  for (const track of TRACKS) {
    const spec = app[track];
    const mounts = new Map(writable);
    if (spec.config) mount(mounts, spec.config.mountPath, [...at, track, 'config', 'mountPath']);
    spec.secretMounts.forEach((secret, i) => mount(mounts, secret.mountPath, [...at, track, 'secretMounts', i, 'mountPath']));
    const envBytes = configDataBytes(spec.env);
    if (envBytes > CONFIG_MAP_MAX_BYTES) {
      problems.push({
        path: [...at, track, 'env'],
        message: `comes to ${envBytes} bytes: at most ${CONFIG_MAP_MAX_BYTES} (1 MiB) of names and values fit in a Deployment; put larger values in a config file`,
      });
    }
    if (spec.config && configDataBytes(spec.config.files) > CONFIG_MAP_MAX_BYTES) {
      problems.push({
        path: [...at, track, 'config', 'files'],
        message: `come to ${configDataBytes(spec.config.files)} bytes: a ConfigMap holds at most ${CONFIG_MAP_MAX_BYTES} (1 MiB); mount larger files from a volume of their own`,
      });
    }
  }
  return problems;
}

/** An autoscaler scales by at least one resource, and its ceiling is not below its floor. */
function autoscalingProblems(app: ResolvedAppSpec, track: Track, at: SpecPath): Problem[] {
  const { autoscaling, replicas } = app[track];
  if (!autoscaling) return [];
  const where = [...at, track, 'autoscaling'];
  return [
    ...(autoscaling.cpuUtilization === undefined && autoscaling.memoryUtilization === undefined
      ? [{ path: where, message: 'gives no target: give cpuUtilization, memoryUtilization or both (percent of the request)' }] : []),
    ...(autoscaling.maxReplicas < replicas ? [{
      path: [...where, 'maxReplicas'],
      message: `is ${autoscaling.maxReplicas}: must be at least the track's replicas (${replicas}), the autoscaler's floor at full size`,
    }] : []),
  ];
}

/** Each track's autoscaler can work. */
export function autoscalerProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  return TRACKS.flatMap((track) => autoscalingProblems(app, track, at));
}

/** Each track's full size is at least one pod. */
export function sizeProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  return TRACKS.filter((track) => app[track].replicas === 0)
    .map((track) => ({ path: [...at, track, 'replicas'], message: 'is 0: a track\'s full size must be at least 1' }));
}

/** Images that float (untagged or :latest) are worth a warning: a restart may run another version. */
export function imageWarnings(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  return TRACKS.filter((track) => isFloatingImage(app[track].image)).map((track) => ({
    path: [...at, track, 'image'],
    message: `is ${formatValue(app[track].image)}: untagged or :latest images change under you; pin a tag or digest`,
  }));
}
