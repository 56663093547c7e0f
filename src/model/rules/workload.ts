import { formatPath, formatValue, type Problem, type SpecPath } from '../../spec/problems';
import { SecurityProfile, type AppSpec } from '../../spec/types';
import { deploymentRefusals, metadataRefusals, podTemplateRefusals, servicePortRefusals } from './api-server';
import { COMPONENT_LABEL, CONFIG_COMPONENT, givenAppLabel, podLabels, ROUTER_COMPONENT, selectorArg, TRACK_LABEL, VERIFY_COMPONENT } from '../labels';
import type { ResolvedAppSpec } from '../resolved';
import { containersOf, imageRepository, shortcutKeys } from '../workload';

/*
 * The rules of a workload the user brings: one source of it, a container to set, and the Pod Security
 * level the app's namespace enforces, held by what the user declared (the tool's defaults fill only
 * what is unset, and always meet the level).
 */

// Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards), as
// k8s.io/pod-security-admission/policy checks them at its latest version (1.36): one line per check,
// named by its file there.
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
// check_sysctls.go, 1.32.
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
]);
// check_seLinuxOptions.go, 1.31.
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const APPARMOR_TYPES = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_RESTRICTED = new Set(['RuntimeDefault', 'Localhost']);
const HANDLERS = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

type Data = { [key: string]: any };
/** A declared value that breaks the level: where (below the pod template), what it is, and the rule. */
interface Breach { readonly path: SpecPath; readonly value: unknown; readonly rule: string }

/** The checks a pod's and a container's security contexts share: Windows host processes, SELinux, AppArmor, seccomp. */
function contextBreaches(context: Data, where: SpecPath, restricted: boolean): Breach[] {
  const selinux: Data = context.seLinuxOptions ?? {};
  const seccomp = context.seccompProfile?.type;
  return [
    ...(context.windowsOptions?.hostProcess === true ? [{ path: [...where, 'windowsOptions', 'hostProcess'], value: true, rule: 'Windows host processes' }] : []),
    ...(typeof selinux.type === 'string' && !SELINUX_TYPES.has(selinux.type) ? [{ path: [...where, 'seLinuxOptions', 'type'], value: selinux.type, rule: 'an SELinux type other than container_t, container_init_t, container_kvm_t or container_engine_t' }] : []),
    ...(['user', 'role'] as const).filter((key) => selinux[key]).map((key) => ({ path: [...where, 'seLinuxOptions', key], value: selinux[key], rule: `setting an SELinux ${key}` })),
    ...(context.appArmorProfile?.type !== undefined && !APPARMOR_TYPES.has(context.appArmorProfile.type)
      ? [{ path: [...where, 'appArmorProfile', 'type'], value: context.appArmorProfile.type, rule: 'an AppArmor profile other than RuntimeDefault or Localhost' }] : []),
    ...(seccomp === 'Unconfined' ? [{ path: [...where, 'seccompProfile', 'type'], value: 'Unconfined', rule: 'an Unconfined seccomp profile' }] : []),
    ...(restricted && seccomp !== undefined && seccomp !== 'Unconfined' && !SECCOMP_RESTRICTED.has(seccomp) ? [{ path: [...where, 'seccompProfile', 'type'], value: seccomp, rule: 'a seccomp profile other than RuntimeDefault or Localhost' }] : []),
    ...(restricted && context.runAsNonRoot === false ? [{ path: [...where, 'runAsNonRoot'], value: false, rule: 'running as root' }] : []),
    ...(restricted && context.runAsUser === 0 ? [{ path: [...where, 'runAsUser'], value: 0, rule: 'running as root (uid 0)' }] : []),
  ];
}

function containerBreaches(container: Data, at: SpecPath, restricted: boolean, userNamespace: boolean): Breach[] {
  const context: Data = container.securityContext ?? {};
  const where = [...at, 'securityContext'];
  const adds: unknown[] = Array.isArray(context.capabilities?.add) ? context.capabilities.add : [];
  const drops: unknown[] | undefined = context.capabilities?.drop;
  // Probes and lifecycle handlers must not name a host (check_hostProbesAndhostLifecycle.go, 1.34).
  const handlers: [SpecPath, Data | undefined][] = [
    ...HANDLERS.map((key): [SpecPath, Data | undefined] => [[...at, key], container[key]]),
    ...(['postStart', 'preStop'] as const).map((key): [SpecPath, Data | undefined] => [[...at, 'lifecycle', key], container.lifecycle?.[key]]),
  ];
  return [
    ...(context.privileged === true ? [{ path: [...where, 'privileged'], value: true, rule: 'privileged containers' }] : []),
    ...adds.flatMap((cap, i) => (!BASELINE_CAPABILITIES.has(String(cap)) || (restricted && cap !== 'NET_BIND_SERVICE')
      ? [{ path: [...where, 'capabilities', 'add', i], value: cap, rule: restricted ? 'adding capabilities other than NET_BIND_SERVICE' : 'capabilities beyond the baseline set' }] : [])),
    ...(Array.isArray(container.ports) ? container.ports : []).flatMap((port: Data, i: number) => (port.hostPort
      ? [{ path: [...at, 'ports', i, 'hostPort'], value: port.hostPort, rule: 'host ports' }] : [])),
    ...handlers.flatMap(([path, handler]) => (['httpGet', 'tcpSocket'] as const).filter((kind) => handler?.[kind]?.host)
      .map((kind) => ({ path: [...path, kind, 'host'], value: handler![kind].host, rule: 'probes and lifecycle handlers that name a host' }))),
    // Baseline lets a pod in a user namespace (hostUsers: false) unmask /proc; restricted never does (check_procMount_*.go, 1.35).
    ...(context.procMount !== undefined && context.procMount !== 'Default' && (restricted || !userNamespace)
      ? [{ path: [...where, 'procMount'], value: context.procMount, rule: 'a non-default /proc mount' }] : []),
    ...(restricted && context.allowPrivilegeEscalation === true ? [{ path: [...where, 'allowPrivilegeEscalation'], value: true, rule: 'privilege escalation' }] : []),
    ...(restricted && Array.isArray(drops) && !drops.includes('ALL') ? [{ path: [...where, 'capabilities', 'drop'], value: drops, rule: 'keeping capabilities: drop must hold ALL' }] : []),
    ...contextBreaches(context, where, restricted),
  ];
}

/** What the user declared in a pod template that breaks `level`. */
function podSecurityBreaches(pod: Data, level: SecurityProfile): Breach[] {
  const restricted = level === SecurityProfile.RESTRICTED;
  const spec: Data = pod.spec ?? {};
  const context: Data = spec.securityContext ?? {};
  const volumes: Data[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  const sysctls: Data[] = Array.isArray(context.sysctls) ? context.sysctls : [];
  const annotations: Record<string, unknown> = pod.metadata?.annotations ?? {};
  const groups = ['containers', 'initContainers', 'ephemeralContainers'] as const;
  const userNamespace = spec.hostUsers === false;
  return [
    ...(['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((key) => spec[key] === true)
      .map((key) => ({ path: ['spec', key], value: true, rule: 'sharing the host\'s namespaces' })),
    // Every source a volume names counts, not only its first.
    ...volumes.flatMap((volume, i) => Object.keys(volume ?? {}).filter((key) => key !== 'name').flatMap((type) => {
      if (type === 'hostPath') return [{ path: ['spec', 'volumes', i, 'hostPath'], value: volume.hostPath, rule: 'hostPath volumes' }];
      return restricted && !RESTRICTED_VOLUMES.has(type) ? [{ path: ['spec', 'volumes', i, type], value: volume[type], rule: `${type} volumes` }] : [];
    })),
    ...sysctls.flatMap((sysctl, i) => (SAFE_SYSCTLS.has(sysctl?.name) ? [] : [{ path: ['spec', 'securityContext', 'sysctls', i, 'name'], value: sysctl?.name, rule: 'sysctls outside the safe set' }])),
    ...Object.entries(annotations).filter(([key, value]) => key.startsWith(APPARMOR_ANNOTATION)
      && !(value === '' || value === 'runtime/default' || (typeof value === 'string' && value.startsWith('localhost/'))))
      .map(([key, value]) => ({ path: ['metadata', 'annotations', key], value, rule: 'an AppArmor profile other than runtime/default or localhost/*' })),
    ...contextBreaches(context, ['spec', 'securityContext'], restricted),
    ...groups.flatMap((group) => (Array.isArray(spec[group]) ? spec[group] : [])
      .flatMap((container: Data, i: number) => containerBreaches(container, ['spec', group, i], restricted, userNamespace))),
  ];
}

/** The kind of the app's workload, for a message. */
function workloadKind(app: ResolvedAppSpec): string {
  return app.workload.kind ?? 'Deployment';
}

/** Where a field of the user's pod template stands, for a message: in the spec, or in the `from` file. */
function placeOf(app: ResolvedAppSpec, given: AppSpec, at: SpecPath, path: SpecPath): { path: SpecPath; prefix: string } {
  if (given.from === undefined) return { path: [...at, 'podTemplate', ...path], prefix: '' };
  return { path: [...at, 'from'], prefix: `is ${formatValue(given.from)}: its ${workloadKind(app)}'s spec.template.${formatPath(path)}` };
}

/** A value the user's pod template declares, for a message: where it is reported, and the words `… is <value>` that open the message. */
function declared(app: ResolvedAppSpec, given: AppSpec, at: SpecPath, path: SpecPath, value: unknown): { path: SpecPath; is: string } {
  const place = placeOf(app, given, at, path);
  return { path: place.path, is: `${place.prefix ? `${place.prefix} is` : 'is'} ${formatValue(value)}` };
}

/**
 * The template's pod labels kept: its `app` label is the app's (the tracks select by it), it has no
 * `track` label (the tracks are told apart by it), and a `from` file's Service, whose selector is kept,
 * selects the tracks' pods.
 */
function labelProblems(app: ResolvedAppSpec, given: AppSpec, at: SpecPath): Problem[] {
  const labels: Record<string, string> = app.workload.pod.metadata?.labels ?? {};
  const own = givenAppLabel(labels);
  const problems: Problem[] = [];
  if (own !== undefined && own !== app.appLabel) {
    problems.push({
      path: [...at, 'appLabel'],
      message: `is ${formatValue(app.appLabel)}: the pod template labels its pods app=${own}, which the tracks' selectors would change; set appLabel to ${formatValue(own)}, or leave it out`,
    });
  }
  if (labels[TRACK_LABEL] !== undefined) {
    const { path, is } = declared(app, given, at, ['metadata', 'labels', TRACK_LABEL], labels[TRACK_LABEL]);
    problems.push({ path, message: `${is}: the tracks are told apart by this label; leave it out of the template` });
  }
  if (app.service.given !== undefined && !problems.length) {
    const pods = podLabels(app.name, app.appLabel, 'stable', labels);
    const missed = Object.entries(app.service.selector).filter(([key, value]) => key === TRACK_LABEL || pods[key] !== value);
    if (missed.length) {
      problems.push({
        path: [...at, 'from'],
        message: `is ${formatValue(given.from)}: its Service ${app.service.name} selects ${selectorArg(app.service.selector)}, which the tracks' pods do not carry (${selectorArg(Object.fromEntries(missed))}); its selector is kept, so it must select the Deployment's pod template`,
      });
    }
  }
  return problems;
}

/**
 * What of a `from` Deployment would change what the plan's steps select or wait for: the component
 * label by which they tell the tool's own objects apart, and `paused`, under which a rollout never ends.
 */
function stepProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  const component = app.workload.labels[COMPONENT_LABEL];
  return [
    ...([ROUTER_COMPONENT, VERIFY_COMPONENT, CONFIG_COMPONENT].includes(component) ? [{
      path: [...at, 'from'],
      message: `holds a Deployment labelled ${COMPONENT_LABEL}=${component}, the label by which the plan's kubectl steps tell the tool's ${component} objects apart; change or remove it`,
    }] : []),
    ...(app.workload.deployment.paused === true ? [{
      path: [...at, 'from'],
      message: 'holds a Deployment with paused: true: no rollout of its tracks would ever finish, and the plan waits for each; remove it',
    }] : []),
  ];
}

/** A worker serves no port: nothing can route to it or request it. */
function workerProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  if (!app.worker) return [];
  const why = `the app is a worker: its container ${app.workload.container} declares no port, and no Service is given`;
  return [
    ...(app.routing ? [{ path: [...at, 'routing'], message: `is given, but ${why}; give port (the container's) to route its traffic` }] : []),
    ...(app.verify?.smoke ? [{ path: [...at, 'verify', 'smoke'], message: `is given, but ${why}, so there is nothing to request; check it by its metrics (verify.prometheus)` }] : []),
  ];
}

/** One source of the workload, a container to set, and a template that meets the app's level. */
export function workloadProblems(app: ResolvedAppSpec, given: AppSpec, at: SpecPath): Problem[] {
  const problems: Problem[] = [];
  const template = given.from !== undefined || given.podTemplate !== undefined;
  if (given.from !== undefined && given.podTemplate !== undefined) {
    problems.push({ path: [...at, 'podTemplate'], message: 'is given with from: give the pod template in one place' });
  }
  if (template) {
    for (const key of shortcutKeys(given)) {
      problems.push({ path: [...at, key], message: `is given with ${given.from !== undefined ? 'from' : 'podTemplate'}: set it in your pod template instead` });
    }
  }
  const names = containersOf(app.workload.pod).map((container) => container.name);
  if (template && !names.length) {
    const { path, prefix } = placeOf(app, given, at, ['spec', 'containers']);
    problems.push({ path, message: `${prefix ? `${prefix} ` : ''}must list at least one container` });
  } else if (app.workload.container === '') {
    problems.push({
      path: [...at, 'container'],
      message: `is not set, and the pod template's containers (${names.join(', ')}) do not say which is the app's: none or several run ${formatValue(imageRepository(app.stable.image || app.canary.image))}; name the app's container`,
    });
  } else if (!names.includes(app.workload.container)) {
    problems.push({ path: [...at, 'container'], message: `is ${formatValue(app.workload.container)}: must be a container of the pod template: ${names.join(', ')}` });
  }
  if (template) problems.push(...labelProblems(app, given, at), ...nonRootProblems(app, at), ...workerProblems(app, at), ...stepProblems(app, at));
  if (app.workload.pod.spec?.os?.name === 'windows') {
    // The API server refuses Linux-only settings in a Windows pod, and every track gets some (seccomp, non-root).
    const { path, is } = declared(app, given, at, ['spec', 'os', 'name'], 'windows');
    problems.push({ path, message: `${is}: Windows pods are not supported here, since each track's pods get Linux security settings (seccomp, capabilities) the API server refuses for them; nothing was written` });
  }
  if (app.stable.image === '' && app.workload.container !== '') {
    problems.push({ path: [...at, 'stable', 'image'], message: template ? `is required: the pod template's container ${app.workload.container} names no image either` : 'is required' });
  }
  if (app.canary.image === '') problems.push({ path: [...at, 'canary', 'image'], message: 'is required' });
  // What the API server refuses, said as it would, before anything is written.
  // A StatefulSet's claims are volumes of its pods, as the controller makes them.
  for (const refusal of template ? podTemplateRefusals(app.workload.pod, app.statefulSet?.claims) : []) {
    const { path, is } = declared(app, given, at, refusal.path, refusal.value);
    problems.push({ path, message: `${is}: the API server refuses it (${refusal.rule}); nothing was written` });
  }
  if (given.from !== undefined) {
    const refused = [
      ...deploymentRefusals(app.workload.deployment).map((refusal) => ({ ...refusal, what: `its ${workloadKind(app)}'s spec.${formatPath(refusal.path)}` })),
      ...metadataRefusals({ labels: app.workload.labels, annotations: app.workload.annotations }, []).map((refusal) => ({ ...refusal, what: `its ${workloadKind(app)}'s metadata.${formatPath(refusal.path)}` })),
      ...metadataRefusals({ labels: app.service.labels, annotations: app.service.annotations }, []).map((refusal) => ({ ...refusal, what: `its Service's metadata.${formatPath(refusal.path)}` })),
      ...(app.service.given ? servicePortRefusals(app.service.ports) : []).map((refusal) => ({ ...refusal, what: `its Service's spec.${formatPath(refusal.path)}` })),
    ];
    for (const refusal of refused) {
      problems.push({ path: [...at, 'from'], message: `is ${formatValue(given.from)}: ${refusal.what} is ${formatValue(refusal.value)}: the API server refuses it (${refusal.rule}); nothing was written` });
    }
  }
  for (const breach of template ? podSecurityBreaches(app.workload.pod, app.securityProfile) : []) {
    const { path, is } = declared(app, given, at, breach.path, breach.value);
    problems.push({ path, message: `${is}: not allowed under ${app.securityProfile} (${breach.rule}); nothing was written` });
  }
  return problems;
}

/**
 * Under restricted, pods run as non-root, which the kubelet can only check for a numeric user: an image
 * whose USER is a name (`USER app`), or root, fails to start. A template of the user's that neither
 * gives a user nor says it runs as non-root would get `runAsNonRoot` from the tool, which may stop it:
 * refused before anything is written, saying what to set.
 */
function nonRootProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  if (app.securityProfile !== SecurityProfile.RESTRICTED || app.runAsUser !== undefined || app.hardened) return [];
  const pod = app.workload.pod;
  const own = containersOf(pod).find((container) => container.name === app.workload.container);
  const contexts = [pod.spec?.securityContext, own?.securityContext];
  if (contexts.some((context) => context?.runAsUser !== undefined || context?.runAsNonRoot === true)) return [];
  return [{
    path: [...at, 'runAsUser'],
    message: `is not set, nor a user or runAsNonRoot in the pod template: under restricted the pods must run as non-root, and the kubelet refuses to start an image whose USER is root or a name (USER app); set runAsUser to the image's numeric user, declare runAsNonRoot: true in the template if its USER is numeric, or set securityProfile: baseline; nothing was written`,
  }];
}

/**
 * A worker, which gets no Service; and a `from` without the app's Service: the tool makes one, and a Service of that name that runs today
 * would be taken over with the tool's settings and selector, unseen in review.
 */
function serviceWarnings(app: ResolvedAppSpec, given: AppSpec, at: SpecPath): Problem[] {
  if (app.worker) {
    const { path } = placeOf(app, given, at, ['spec', 'containers']);
    return [{
      path,
      message: `${given.from === undefined ? '' : `is ${formatValue(given.from)}: `}the app's container ${app.workload.container} declares no port, and no Service is given, so the app is a worker: Deployments only, with no Service, no port and no readiness probe added; give port if it serves one`,
    }];
  }
  if (given.from === undefined || app.service.given !== undefined) return [];
  return [{
    path: [...at, 'from'],
    message: `is ${formatValue(given.from)}: it holds no Service that selects the Deployment's pods, so the tool makes Service ${app.service.name} (${app.service.type}, port ${app.service.port}, selecting ${selectorArg(app.service.selector)}); if a Service of the app runs, add its file (from: [deployment.yaml, service.yaml]) so its settings and selector are kept`,
  }];
}

export function workloadWarnings(app: ResolvedAppSpec, given: AppSpec, at: SpecPath): Problem[] {
  return serviceWarnings(app, given, at);
}
