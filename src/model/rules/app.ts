import { posix } from 'node:path';
import { RE2JS } from 're2js';
import type { ResolvedAppSpec } from '../resolved';
import { resolvePlan } from '../plan';
import { ROLLBACK_STAGE } from '../stage';
import { TRACKS, type Track } from '../labels';
import { hasTrackServices, trackServiceName } from '../routing';
import { verifyJobName } from '../gate';
import { CPU_MILLICORES, MEMORY_MEBIBYTES, mebibytes, millicores } from '../quantities';
import { RouteProtocol, SecurityProfile, ServiceType, SessionAffinity } from '../../spec/types';
import { CONFIG_MAP_MAX_BYTES, configDataBytes } from '../../spec/config-files';
import { formatPath, formatValue, type Problem, type SpecPath } from '../../spec/problems';

/*
 * The rules of one app that a schema cannot say: across its fields, its stages and their capacity,
 * its routing.
 */

/** What validation found: problems stop the run, warnings are printed. */
export interface ValidationResult {
  readonly problems: Problem[];
  readonly warnings: Problem[];
}

/** `nginx`, `nginx:latest` and `registry:5000/nginx` float; a tag other than latest or a digest pins. */
export function isFloatingImage(image: string): boolean {
  if (image.includes('@')) return false;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon === -1 || lastSegment.slice(colon + 1) === 'latest';
}

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** The longest name a Service or label value may have (DNS-1123 and DNS-1035 labels). */
const NAME_MAX = 63;

/**
 * Each path a track's container mounts (writable paths, config, Secrets) is a normalised absolute path
 * other than `/`, and is mounted once: Kubernetes refuses a container with two mounts at one path.
 * Each track's config fits in a ConfigMap.
 */
function checkMounts(app: ResolvedAppSpec, at: SpecPath, problems: Problem[]): void {
  // Mount path -> where the spec mounts it, as a message names it.
  const mount = (mounts: Map<string, string>, path: string, where: SpecPath) => {
    const normal = posix.normalize(path).replace(/(.)\/$/, '$1');
    if (normal === '/') problems.push({ path: where, message: `is ${formatValue(path)}: the root folder cannot be a volume` });
    else if (normal !== path) problems.push({ path: where, message: `is ${formatValue(path)}: must be written normalised, as ${formatValue(normal)}` });
    else if (mounts.has(normal)) problems.push({ path: where, message: `is ${formatValue(path)}: already mounted by ${mounts.get(normal)}` });
    if (!mounts.has(normal)) mounts.set(normal, formatPath(where.slice(at.length)));
  };
  // Both tracks mount the writable paths: they are checked once.
  const writable = new Map<string, string>();
  app.writablePaths.forEach((path, i) => mount(writable, path, [...at, 'writablePaths', i]));
  for (const track of TRACKS) {
    const spec = app[track];
    const mounts = new Map(writable);
    if (spec.config) mount(mounts, spec.config.mountPath, [...at, track, 'config', 'mountPath']);
    spec.secretMounts.forEach((secret, i) => mount(mounts, secret.mountPath, [...at, track, 'secretMounts', i, 'mountPath']));
    if (spec.config && configDataBytes(spec.config.files) > CONFIG_MAP_MAX_BYTES) {
      problems.push({
        path: [...at, track, 'config', 'files'],
        message: `come to ${configDataBytes(spec.config.files)} bytes: a ConfigMap holds at most ${CONFIG_MAP_MAX_BYTES} (1 MiB); mount larger files from a volume of their own`,
      });
    }
  }
}

/** A gate checks something, each query has a bound, and the Job's name fits in a label. */
function checkVerify(app: ResolvedAppSpec, at: SpecPath, problems: Problem[]): void {
  const verify = app.verify!;
  const where = [...at, 'verify'];
  if (!verify.smoke && !verify.prometheus) problems.push({ path: where, message: 'checks nothing: give smoke, prometheus or both' });
  if (verifyJobName(app.name).length > NAME_MAX) {
    problems.push({ path: [...at, 'name'], message: `is ${formatValue(app.name)}: with verify it must be at most ${NAME_MAX - verifyJobName('').length} characters, to name the Job ${formatValue(verifyJobName(app.name))} within ${NAME_MAX}` });
  }
  const names = new Set<string>();
  verify.prometheus?.queries.forEach((query, i) => {
    const path = [...where, 'prometheus', 'queries', i];
    if (query.max === undefined && query.min === undefined) problems.push({ path, message: 'has no bound: give max, min or both' });
    if (query.max !== undefined && query.min !== undefined && query.min > query.max) {
      problems.push({ path: [...path, 'min'], message: `is ${query.min}: must not be above max (${query.max})` });
    }
    if (names.has(query.name)) problems.push({ path: [...path, 'name'], message: `is ${formatValue(query.name)}: another query has this name` });
    names.add(query.name);
  });
}

/** An autoscaler scales by at least one resource, and its ceiling is not below its floor. */
function checkAutoscaling(app: ResolvedAppSpec, track: Track, at: SpecPath, problems: Problem[]): void {
  const { autoscaling, replicas } = app[track];
  if (!autoscaling) return;
  const where = [...at, track, 'autoscaling'];
  if (autoscaling.cpuUtilization === undefined && autoscaling.memoryUtilization === undefined) {
    problems.push({ path: where, message: 'gives no target: give cpuUtilization, memoryUtilization or both (percent of the request)' });
  }
  if (autoscaling.maxReplicas < replicas) {
    problems.push({
      path: [...where, 'maxReplicas'],
      message: `is ${autoscaling.maxReplicas}: must be at least the track's replicas (${replicas}), the autoscaler's floor at full size`,
    });
  }
}

/** Rules that span fields of one app: names, stages, ports, security, capacity. */
export function checkApp(app: ResolvedAppSpec, at: SpecPath, result: ValidationResult): void {
  const { problems, warnings } = result;
  if (app.canary.name === app.stable.name) {
    problems.push({ path: [...at, 'canary', 'name'], message: `is ${formatValue(app.canary.name)}: must differ from the stable Deployment's name` });
  }
  if (app.service.name === app.name && !DNS_1035.test(app.name)) {
    problems.push({
      path: [...at, 'name'],
      message: `is ${formatValue(app.name)}: the Service is named after the app, and a Service name must start with a letter (DNS-1035); give service.name`,
    });
  }
  checkMounts(app, at, problems);
  for (const track of TRACKS) checkAutoscaling(app, track, at, problems);
  if (hasTrackServices(app) && app.service.name.length > TRACK_SERVICE_NAME_MAX) {
    problems.push({
      path: [...at, 'service', 'name'],
      message: `is ${formatValue(app.service.name)}: with gatewayApi routing or verify it must be at most ${TRACK_SERVICE_NAME_MAX} characters, to leave room for the per-track Services' "-stable" and "-canary"`,
    });
  }
  if (app.verify) checkVerify(app, at, problems);
  if (app.service.nodePort !== undefined && app.service.type === ServiceType.CLUSTER_IP) {
    problems.push({ path: [...at, 'service', 'nodePort'], message: `is ${app.service.nodePort}: only NodePort and LoadBalancer Services have a node port` });
  }
  if (app.securityProfile === SecurityProfile.RESTRICTED && app.runAsUser === 0) {
    problems.push({ path: [...at, 'runAsUser'], message: 'is 0: the restricted profile forbids running as root; use securityProfile: baseline for root images' });
  }
  for (const kind of ['cpu', 'memory'] as const) {
    const request = app.resources.requests[kind];
    const limit = app.resources.limits[kind];
    const amount = kind === 'cpu' ? millicores : mebibytes;
    const bounds = kind === 'cpu' ? CPU_MILLICORES : MEMORY_MEBIBYTES;
    const range = kind === 'cpu' ? 'from 1m to 256 cores' : 'from 1Mi to 1024Gi';
    for (const [which, value] of [['requests', request], ['limits', limit]] as const) {
      if (value !== undefined && (amount(value) < bounds.min || amount(value) > bounds.max)) {
        problems.push({ path: [...at, 'resources', which, kind], message: `is ${formatValue(value)}: must be ${range}` });
      }
    }
    if (request !== undefined && limit !== undefined && amount(request) > amount(limit)) {
      problems.push({ path: [...at, 'resources', 'limits', kind], message: `is ${formatValue(limit)}: must be at least the request, ${request}` });
    }
  }
  for (const track of TRACKS) {
    if (isFloatingImage(app[track].image)) {
      warnings.push({ path: [...at, track, 'image'], message: `is ${formatValue(app[track].image)}: untagged or :latest images change under you; pin a tag or digest` });
    }
  }
  if (app.securityProfile === SecurityProfile.RESTRICTED && app.port < 1024) {
    warnings.push({ path: [...at, 'port'], message: `is ${app.port}: under the restricted profile the container runs as non-root and may not bind a port below 1024` });
  }

  if (app.createNamespace && SYSTEM_NAMESPACES.has(app.namespace)) {
    problems.push({
      path: [...at, 'createNamespace'],
      message: `is true: "${app.namespace}" is a system namespace, never created or relabelled here; set createNamespace: false`,
    });
  }
  const sizes = { stable: app.stable.replicas, canary: app.canary.replicas };
  for (const track of TRACKS) {
    if (sizes[track] === 0) {
      problems.push({ path: [...at, track, 'replicas'], message: 'is 0: a track\'s full size must be at least 1' });
    }
  }

  const routed = app.routing !== undefined;
  const problemsBefore = problems.length;
  const stageNames = new Map<string, number>();
  app.stages.forEach((stage, i) => {
    const path = [...at, 'stages', i];
    const hasCounts = stage.stableReplicas !== undefined || stage.canaryReplicas !== undefined;
    if (stage.name === ROLLBACK_STAGE) {
      problems.push({ path: [...path, 'name'], message: `is "${ROLLBACK_STAGE}": that name is reserved for the stage that is always added` });
    } else if (stageNames.has(stage.name)) {
      problems.push({ path: [...path, 'name'], message: `is ${formatValue(stage.name)}: already used by stages[${stageNames.get(stage.name)}]` });
    }
    stageNames.set(stage.name, i);
    if (stage.canaryPercent !== undefined && hasCounts && !routed) {
      problems.push({ path, message: 'gives both canaryPercent and replica counts: give one or the other (with routing, counts may stand beside a percent)' });
    } else if (stage.canaryPercent === undefined && (stage.stableReplicas === undefined || stage.canaryReplicas === undefined)) {
      problems.push({ path, message: 'must give both stableReplicas and canaryReplicas, or canaryPercent' });
    } else if (stage.stableReplicas === 0 && stage.canaryReplicas === 0) {
      problems.push({ path, message: 'has 0 stable and 0 canary replicas: that stage is an outage' });
    }
    if (stage.mirrorPercent !== undefined && !routed) {
      problems.push({ path: [...path, 'mirrorPercent'], message: `is ${stage.mirrorPercent}: mirroring needs routing (gatewayApi or istio): only a router copies requests` });
    } else if (stage.mirrorPercent !== undefined && stage.canaryReplicas === 0) {
      problems.push({ path: [...path, 'mirrorPercent'], message: `is ${stage.mirrorPercent}: the stage runs 0 canary replicas, so the copies would go to no pod; give canaryReplicas of at least 1` });
    }
  });
  // The default plan always has the mirror stage it asks for: without one, the spec gave its own stages.
  if (app.routing?.mirrorPercent !== undefined && !app.stages.some((stage) => stage.mirrorPercent !== undefined)) {
    problems.push({ path: [...at, 'routing', 'mirrorPercent'], message: 'adds a mirror stage to the default plan only: with stages of your own, give mirrorPercent on a stage' });
  }
  if (app.stage !== ROLLBACK_STAGE && !stageNames.has(app.stage)) {
    const allowed = [...stageNames.keys(), ROLLBACK_STAGE].join(', ');
    problems.push({ path: [...at, 'stage'], message: `is ${formatValue(app.stage)}: must be a stage of the plan: ${allowed}` });
  }
  if (app.service.sessionAffinity !== SessionAffinity.CLIENT_IP && app.service.sessionAffinityTimeoutSeconds !== undefined) {
    problems.push({ path: [...at, 'service', 'sessionAffinityTimeoutSeconds'], message: `is ${app.service.sessionAffinityTimeoutSeconds}: only applies with sessionAffinity: ClientIP` });
  }
  if (routed) checkRouting(app, at, problems);
  if (problems.length === problemsBefore) checkStageCapacity(app, at, problems);
}

/** Namespaces the cluster owns: never emitted, never labelled. */
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * Every stage carries full traffic. Without a router, the pods share it by count, so the tracks'
 * capacity, stable/stableSize + canary/canarySize, must be at least 1. With a router, each track gets
 * its weight, so each track's capacity must cover its weight, and a track with weight needs a pod.
 *
 *   no router, sizes 3 and 3: (3, 1) carries 133%, (2, 1) 100%, (1, 1) 67%: an error
 *   router, sizes 3 and 3: 50% with (3, 2) is fine; 50% with (3, 1) gives 1/3 of the canary 50%: an error
 */
function checkStageCapacity(app: ResolvedAppSpec, at: SpecPath, problems: Problem[]): void {
  const routed = app.routing !== undefined;
  const sizes = { stable: app.stable.replicas, canary: app.canary.replicas };
  const { stages } = resolvePlan(app.stages, sizes.stable, sizes.canary, undefined, routed);
  stages.forEach((stage, i) => {
    if (stage.name === ROLLBACK_STAGE) return;
    const path = [...at, 'stages', i];
    const replicas = { stable: stage.stableReplicas, canary: stage.canaryReplicas };
    const capacity = (track: Track) => replicas[track] / sizes[track];
    const counts = `${replicas.stable} stable and ${replicas.canary} canary replicas`;
    if (!routed) {
      if (capacity('stable') + capacity('canary') < 1 - 1e-9) {
        const carried = Math.floor(100 * (capacity('stable') + capacity('canary')));
        problems.push({
          path,
          message: `runs ${counts}, which carry ${carried}% of the traffic (stable ${replicas.stable}/${sizes.stable} + canary ${replicas.canary}/${sizes.canary}): the tracks together must carry at least 100%`,
        });
      }
      return;
    }
    const weights = { stable: 100 - stage.canaryWeight!, canary: stage.canaryWeight! };
    for (const track of ['canary', 'stable'] as const) {
      if (weights[track] > 0 && replicas[track] === 0) {
        problems.push({ path, message: `sends ${weights[track]}% to ${track} but runs 0 ${track} replicas: give ${track}Replicas of at least 1` });
      } else if (100 * capacity(track) < weights[track] - 1e-9) {
        const needed = Math.ceil((weights[track] * sizes[track]) / 100 - 1e-9);
        problems.push({
          path,
          message: `sends ${weights[track]}% to ${track} but runs ${replicas[track]} of its ${sizes[track]} replicas: give ${track}Replicas of at least ${needed}`,
        });
      }
    }
  });
}

// Room for the "-stable" and "-canary" suffixes of the per-track Services within NAME_MAX characters.
const TRACK_SERVICE_NAME_MAX = NAME_MAX - trackServiceName('', 'canary').length;

/** The routing block: a router to carry it, well-formed match rules, names that fit. */
function checkRouting(app: ResolvedAppSpec, at: SpecPath, problems: Problem[]): void {
  const routing = app.routing!;
  const path = [...at, 'routing'];
  if (!routing.gatewayApi && !routing.istio) {
    problems.push({ path, message: 'needs gatewayApi or istio (or both): weights and match rules need a router that sees requests' });
  }
  (routing.match ?? []).forEach((rule, i) => {
    const rulePath = [...path, 'match', i];
    if ((rule.header === undefined) === (rule.cookie === undefined)) {
      problems.push({ path: rulePath, message: 'must name either a header or a cookie' });
    } else if (rule.cookie !== undefined && (rule.value === undefined || rule.regex !== undefined)) {
      problems.push({ path: rulePath, message: `matches cookie ${formatValue(rule.cookie)}: give its exact value (a cookie takes value, not regex)` });
    } else if (rule.header !== undefined && (rule.value === undefined) === (rule.regex === undefined)) {
      problems.push({ path: rulePath, message: `matches header ${formatValue(rule.header)}: give either value or regex` });
    } else if (rule.cookie !== undefined && routing.gatewayApi?.protocol === RouteProtocol.GRPC) {
      problems.push({ path: rulePath, message: `matches cookie ${formatValue(rule.cookie)}: a GRPCRoute matches gRPC metadata (headers) only; match a header instead` });
    } else if (rule.cookie !== undefined && /[\s;,"\\]/.test(rule.value!)) {
      problems.push({ path: [...rulePath, 'value'], message: `is ${formatValue(rule.value)}: a cookie value has no spaces, ";", ",", quotes or backslashes` });
    } else if (rule.regex !== undefined) {
      // Envoy (Istio and most Gateway API implementations) compiles RE2, which has no look-around
      // or back-references.
      try {
        RE2JS.compile(rule.regex);
      } catch (error) {
        problems.push({ path: [...rulePath, 'regex'], message: `is ${formatValue(rule.regex)}: not an RE2 regular expression (${(error as Error).message.replace(/^error parsing regexp: /, '')})` });
      }
    }
  });
}
