import type { SpecPath } from '../../spec/problems';

/*
 * What the API server refuses in a Deployment the tool writes from a user's pod template, checked
 * before anything is written. Each family cites the upstream function (k8s.io/kubernetes
 * pkg/apis/core/validation and pkg/apis/apps/validation, k8s.io/apimachinery pkg/util/validation, at
 * 1.36) whose rule it states; test-cluster/api-validation.test.ts holds them against the real API
 * server. A breach is said at its place below the template, with the value and the rule.
 */

type Data = { [key: string]: any };
/** A refused value: where (below the Deployment's spec), what it is, and the API server's rule. */
export interface Refusal { readonly path: SpecPath; readonly value: unknown; readonly rule: string }

// IsDNS1123Label
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// IsValidPortName: an IANA service name.
const PORT_NAME = /^[-a-z0-9]+$/;
// IsQualifiedName's name part, and IsValidLabelValue.
const QUALIFIED_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// resource.ParseQuantity: a signed decimal number and an optional suffix (binary, decimal or an exponent).
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
// ValidateObjectMetaAccessor: the most all of an object's annotations may take, keys and values.
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

const list = (value: unknown): Data[] => (Array.isArray(value) ? value : []);

/** ValidateLabelName / IsQualifiedName: `[prefix/]name`, the prefix a DNS subdomain. */
export function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_1123_SUBDOMAIN.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_PART.test(name);
}

/** ValidateLabels and ValidateAnnotations of one object's metadata, at `at`. */
export function metadataRefusals(metadata: Data | undefined, at: SpecPath): Refusal[] {
  const labels: Record<string, unknown> = metadata?.labels ?? {};
  const annotations: Record<string, unknown> = metadata?.annotations ?? {};
  const size = Object.entries(annotations).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(String(value)), 0);
  return [
    ...Object.entries(labels).flatMap(([key, value]) => [
      ...(isQualifiedName(key) ? [] : [{ path: [...at, 'labels', key], value: key, rule: 'a label key is a qualified name: an optional DNS subdomain prefix and "/", then at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit' }]),
      ...(typeof value === 'string' && (value === '' || (value.length <= 63 && QUALIFIED_PART.test(value))) ? [] : [{ path: [...at, 'labels', key], value, rule: 'a label value is at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, or empty' }]),
    ]),
    ...Object.keys(annotations).filter((key) => !isQualifiedName(key.toLowerCase()))
      .map((key) => ({ path: [...at, 'annotations', key], value: key, rule: 'an annotation key is a qualified name, as a label key is' })),
    ...(size > ANNOTATIONS_MAX_BYTES ? [{ path: [...at, 'annotations'], value: `${size} bytes`, rule: 'annotations take at most 256 KiB in all' }] : []),
  ];
}

/** ValidateResourceRequirements: quantities as the API parses them, none negative, no request above its limit. */
function resourceRefusals(resources: Data | undefined, at: SpecPath): Refusal[] {
  const parsed: Record<string, Record<string, number>> = { requests: {}, limits: {} };
  const refusals: Refusal[] = [];
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, value] of Object.entries<unknown>(resources?.[kind] ?? {})) {
      const path = [...at, 'resources', kind, name];
      const match = QUANTITY.exec(String(value));
      if (!match || (typeof value !== 'string' && typeof value !== 'number')) {
        refusals.push({ path, value, rule: 'a quantity is a number with an optional suffix (Ki, Mi, Gi, m, k, M, G, an exponent)' });
        continue;
      }
      const amount = quantityValue(match[1], match[2] ?? '');
      if (amount < 0) refusals.push({ path, value, rule: 'a quantity of a resource must be at least 0' });
      parsed[kind][name] = amount;
    }
  }
  for (const [name, request] of Object.entries(parsed.requests)) {
    const limit = parsed.limits[name];
    if (limit !== undefined && request > limit) {
      refusals.push({ path: [...at, 'resources', 'requests', name], value: resources!.requests[name], rule: `a request may not be above its limit (${resources!.limits[name]})` });
    }
  }
  return refusals;
}

const SUFFIXES: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A parsed quantity's value, for comparing a request with its limit. */
function quantityValue(number: string, suffix: string): number {
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIXES[suffix];
  return Number(number) * factor;
}

/** validateContainerPorts */
function portRefusals(ports: unknown, at: SpecPath): Refusal[] {
  const names = new Set<string>();
  return list(ports).flatMap((port, i) => {
    const where = [...at, 'ports', i];
    const refusals: Refusal[] = [];
    if (typeof port.name === 'string' && port.name !== '') {
      if (port.name.length > 15 || !PORT_NAME.test(port.name) || !/[a-z]/.test(port.name) || port.name.includes('--') || /^-|-$/.test(port.name)) {
        refusals.push({ path: [...where, 'name'], value: port.name, rule: 'a port name is at most 15 lowercase letters, digits and single "-", with a letter, not starting or ending with "-"' });
      } else if (names.has(port.name)) {
        refusals.push({ path: [...where, 'name'], value: port.name, rule: 'port names are unique in a container' });
      } else {
        names.add(port.name);
      }
    }
    for (const key of ['containerPort', 'hostPort'] as const) {
      const value = port[key];
      if (value === undefined || (key === 'hostPort' && value === 0)) continue;
      if (!Number.isInteger(value) || value < 1 || value > 65535) refusals.push({ path: [...where, key], value, rule: 'a port number is from 1 to 65535' });
    }
    return refusals;
  });
}

// validEnvDownwardAPIFieldPathExpressions and validContainerResourceFieldPathExpressions.
const ENV_FIELD_PATHS = new Set(['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs']);
const ENV_RESOURCES = new Set(['limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage']);

/** validateObjectFieldSelector and validateContainerResourceFieldSelector, for env. */
function sourceRefusals(valueFrom: Data, at: SpecPath): Refusal[] {
  const { fieldRef, resourceFieldRef } = valueFrom;
  const refusals: Refusal[] = [];
  if (fieldRef !== undefined) {
    const path = String(fieldRef.fieldPath ?? '');
    const subscripted = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
    const fine = subscripted ? isQualifiedName(subscripted[1] === 'annotations' ? subscripted[2].toLowerCase() : subscripted[2]) : ENV_FIELD_PATHS.has(path);
    if (!fine) refusals.push({ path: [...at, 'fieldRef', 'fieldPath'], value: fieldRef.fieldPath, rule: `an env fieldRef names one of ${[...ENV_FIELD_PATHS].join(', ')}, or metadata.labels['<key>'] or metadata.annotations['<key>']` });
  }
  if (resourceFieldRef !== undefined) {
    const resource = String(resourceFieldRef.resource ?? '');
    if (!ENV_RESOURCES.has(resource) && !/^(requests|limits)\.hugepages-/.test(resource)) {
      refusals.push({ path: [...at, 'resourceFieldRef', 'resource'], value: resourceFieldRef.resource, rule: `an env resourceFieldRef names one of ${[...ENV_RESOURCES].join(', ')}, or hugepages` });
    }
  }
  return refusals;
}

/** validateSeccompProfileField and validateAppArmorProfileField: a Localhost profile names its file, below the profiles' folder; no other type names one. */
export function profileRefusals(context: Data | undefined, at: SpecPath): Refusal[] {
  return (['seccompProfile', 'appArmorProfile'] as const).flatMap((key) => {
    const profile = context?.[key];
    if (profile === undefined) return [];
    const where = [...at, key, 'localhostProfile'];
    const file = profile.localhostProfile;
    if (profile.type !== 'Localhost') return file === undefined ? [] : [{ path: where, value: file, rule: `a ${key} names a localhostProfile only with type Localhost` }];
    if (typeof file !== 'string' || file.trim() === '' || file.trim() !== file) return [{ path: where, value: file, rule: `a Localhost ${key} names its profile, unpadded` }];
    if (key === 'seccompProfile' && (file.startsWith('/') || file.split('/').includes('..'))) return [{ path: where, value: file, rule: 'a Localhost seccomp profile is a path below the kubelet\'s profiles folder: relative, without ".."' }];
    return [];
  });
}

/** ValidateEnv and validateEnvVarValueFrom: a name (printable ASCII, no "="), and a value or one source of it. */
function envRefusals(env: unknown, at: SpecPath): Refusal[] {
  return list(env).flatMap((each, i) => {
    const where = [...at, 'env', i];
    const name = String(each.name ?? '');
    const sources = Object.keys(each.valueFrom ?? {});
    return [
      ...(name === '' || !/^[\x20-\x7e]+$/.test(name) || name.includes('=')
        ? [{ path: [...where, 'name'], value: each.name, rule: 'an environment variable name is printable ASCII without "="' }] : []),
      ...(each.valueFrom !== undefined && each.value !== undefined && each.value !== ''
        ? [{ path: [...where, 'valueFrom'], value: each.valueFrom, rule: 'valueFrom may not be given with a value' }] : []),
      ...(each.valueFrom !== undefined && sources.length !== 1
        ? [{ path: [...where, 'valueFrom'], value: each.valueFrom, rule: 'valueFrom gives exactly one source (fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef or fileKeyRef)' }] : []),
      ...(each.valueFrom !== undefined ? sourceRefusals(each.valueFrom, [...where, 'valueFrom']) : []),
    ];
  });
}

/** validateProbe and validateHandler: exactly one handler. */
function probeRefusals(container: Data, at: SpecPath): Refusal[] {
  return (['livenessProbe', 'readinessProbe', 'startupProbe'] as const).filter((key) => container[key] !== undefined).flatMap((key) => {
    const handlers = PROBE_HANDLERS.filter((handler) => container[key]?.[handler] !== undefined);
    return handlers.length === 1 ? [] : [{ path: [...at, key], value: handlers, rule: 'a probe has exactly one handler: exec, httpGet, tcpSocket or grpc' }];
  });
}

/**
 * validateContainers, validateInitContainers and ValidateVolumes: names that are DNS labels, unique in
 * the pod; mounts of declared volumes, each path once per container.
 */
function containerRefusals(spec: Data, claims: readonly string[]): Refusal[] {
  const refusals: Refusal[] = [];
  const volumes = new Set<string>(claims);
  list(spec.volumes).forEach((volume, i) => {
    const name = volume.name;
    if (typeof name !== 'string' || !DNS_1123_LABEL.test(name) || name.length > 63) refusals.push({ path: ['volumes', i, 'name'], value: name, rule: 'a volume name is a DNS label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit' });
    else if (volumes.has(name)) refusals.push({ path: ['volumes', i, 'name'], value: name, rule: 'volume names are unique in a pod' });
    volumes.add(name);
  });
  const containers = new Set<string>();
  for (const group of ['initContainers', 'containers'] as const) {
    list(spec[group]).forEach((container, i) => {
      const at = [group, i];
      const name = container.name;
      if (typeof name !== 'string' || !DNS_1123_LABEL.test(name) || name.length > 63) refusals.push({ path: [...at, 'name'], value: name, rule: 'a container name is a DNS label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit' });
      else if (containers.has(name)) refusals.push({ path: [...at, 'name'], value: name, rule: 'container names are unique in a pod, init containers included' });
      containers.add(name);
      const paths = new Set<string>();
      list(container.volumeMounts).forEach((mount, j) => {
        if (!volumes.has(mount.name)) refusals.push({ path: [...at, 'volumeMounts', j, 'name'], value: mount.name, rule: 'a mount names a volume of the pod' });
        if (paths.has(mount.mountPath)) refusals.push({ path: [...at, 'volumeMounts', j, 'mountPath'], value: mount.mountPath, rule: 'a container mounts each path once' });
        paths.add(mount.mountPath);
      });
      refusals.push(
        ...portRefusals(container.ports, at), ...envRefusals(container.env, at), ...probeRefusals(container, at), ...resourceRefusals(container.resources, at),
        ...profileRefusals(container.securityContext, [...at, 'securityContext']),
      );
    });
  }
  return refusals;
}

/**
 * ValidatePodTemplateSpecForReplicaSet: a Deployment's pods always restart, run without a deadline
 * and hold no ephemeral containers; and the rules of their containers and volumes, a StatefulSet's
 * `claims` (its volumeClaimTemplates' names) among the volumes, as its pods have them. Paths are
 * below the pod template.
 */
export function podTemplateRefusals(template: Data, claims: readonly string[] = []): Refusal[] {
  const spec: Data = template.spec ?? {};
  return [
    ...metadataRefusals(template.metadata, ['metadata']),
    ...(spec.restartPolicy !== undefined && spec.restartPolicy !== 'Always' ? [{ path: ['spec', 'restartPolicy'], value: spec.restartPolicy, rule: 'a Deployment\'s pods restart Always' }] : []),
    ...(spec.activeDeadlineSeconds !== undefined ? [{ path: ['spec', 'activeDeadlineSeconds'], value: spec.activeDeadlineSeconds, rule: 'a Deployment\'s pods run without a deadline' }] : []),
    ...(list(spec.ephemeralContainers).length ? [{ path: ['spec', 'ephemeralContainers'], value: spec.ephemeralContainers.length, rule: 'a pod template holds no ephemeral containers' }] : []),
    ...profileRefusals(spec.securityContext, ['spec', 'securityContext']),
    ...containerRefusals(spec, claims).map((refusal) => ({ ...refusal, path: ['spec', ...refusal.path] })),
  ];
}

/**
 * validateServicePort, for the ports of a `from` Service the shared Service keeps: names that are DNS
 * labels, unique, and given when there are several; port numbers; a target port by number or by a
 * port name; the protocol and the appProtocol. Paths are below the Service's spec.
 */
export function servicePortRefusals(ports: unknown): Refusal[] {
  const all = list(ports);
  const names = new Set<string>();
  return all.flatMap((port, i) => {
    const where = ['ports', i];
    const refusals: Refusal[] = [];
    if (typeof port.name === 'string' && port.name !== '') {
      if (!DNS_1123_LABEL.test(port.name) || port.name.length > 63) refusals.push({ path: [...where, 'name'], value: port.name, rule: 'a Service port name is a DNS label' });
      else if (names.has(port.name)) refusals.push({ path: [...where, 'name'], value: port.name, rule: 'Service port names are unique' });
      names.add(port.name);
    } else if (all.length > 1) {
      refusals.push({ path: [...where, 'name'], value: port.name ?? null, rule: 'each port of a Service with several is named' });
    }
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) refusals.push({ path: [...where, 'port'], value: port.port, rule: 'a port number is from 1 to 65535' });
    const target = port.targetPort;
    // A target port of 0 is the port itself: the API server sets it so (SetDefaults_Service).
    if (target !== undefined && !(typeof target === 'number' ? Number.isInteger(target) && target >= 0 && target <= 65535
      : typeof target === 'string' && target.length <= 15 && PORT_NAME.test(target) && /[a-z]/.test(target) && !target.includes('--') && !/^-|-$/.test(target))) {
      refusals.push({ path: [...where, 'targetPort'], value: target, rule: 'a target port is a number from 1 to 65535 or a container port\'s name' });
    }
    if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) refusals.push({ path: [...where, 'protocol'], value: port.protocol, rule: 'a protocol is TCP, UDP or SCTP' });
    if (port.appProtocol !== undefined && !isQualifiedName(String(port.appProtocol))) refusals.push({ path: [...where, 'appProtocol'], value: port.appProtocol, rule: 'an appProtocol is a qualified name, as a label key is' });
    return refusals;
  });
}

/** ValidateDeploymentSpec and ValidateDeploymentStrategy, for the settings a `from` Deployment keeps. Paths are below its spec. */
export function deploymentRefusals(settings: Data): Refusal[] {
  const { strategy, minReadySeconds, progressDeadlineSeconds, revisionHistoryLimit } = settings;
  const count = (key: string, value: unknown) => (value !== undefined && (!Number.isInteger(value) || (value as number) < 0)
    ? [{ path: [key], value, rule: `${key} is a whole number, at least 0` }] : []);
  return [
    ...(strategy?.type === 'Recreate' && strategy.rollingUpdate !== undefined ? [{ path: ['strategy', 'rollingUpdate'], value: strategy.rollingUpdate, rule: 'a Recreate strategy has no rollingUpdate' }] : []),
    ...count('minReadySeconds', minReadySeconds),
    ...count('revisionHistoryLimit', revisionHistoryLimit),
    ...(progressDeadlineSeconds !== undefined && progressDeadlineSeconds <= (minReadySeconds ?? 0)
      ? [{ path: ['progressDeadlineSeconds'], value: progressDeadlineSeconds, rule: `progressDeadlineSeconds must be above minReadySeconds (${minReadySeconds ?? 0})` }] : []),
  ];
}
