import { formatPath, formatValue, type Problem, type SpecPath } from '../../spec/problems';
import { SecurityProfile, type AppSpec } from '../../spec/types';
import { COMPONENT_LABEL, CONFIG_COMPONENT, givenAppLabel, podLabels, ROUTER_COMPONENT, selectorArg, TRACK_LABEL, VERIFY_COMPONENT } from '../labels';
import type { ResolvedAppSpec } from '../resolved';
import { containersOf, imageRepository, shortcutKeys } from '../workload';

/*
 * The rules of a workload the user brings: one source of it, a container to set, and the Pod Security
 * level the app's namespace enforces, held by what the user declared (the tool's defaults fill only
 * what is unset, and always meet the level).
 */

// Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards).
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

type Data = { [key: string]: any };
/** A declared value that breaks the level: where (below the pod template), what it is, and the rule. */
interface Breach { readonly path: SpecPath; readonly value: unknown; readonly rule: string }

function containerBreaches(container: Data, at: SpecPath, restricted: boolean): Breach[] {
  const context: Data = container.securityContext ?? {};
  const where = [...at, 'securityContext'];
  const adds: unknown[] = Array.isArray(context.capabilities?.add) ? context.capabilities.add : [];
  const drops: unknown[] | undefined = context.capabilities?.drop;
  return [
    ...(context.privileged === true ? [{ path: [...where, 'privileged'], value: true, rule: 'privileged containers' }] : []),
    ...adds.flatMap((cap, i) => (!BASELINE_CAPABILITIES.has(String(cap)) || (restricted && cap !== 'NET_BIND_SERVICE')
      ? [{ path: [...where, 'capabilities', 'add', i], value: cap, rule: restricted ? 'adding capabilities other than NET_BIND_SERVICE' : 'capabilities beyond the baseline set' }] : [])),
    ...(Array.isArray(container.ports) ? container.ports : []).flatMap((port: Data, i: number) => (port.hostPort
      ? [{ path: [...at, 'ports', i, 'hostPort'], value: port.hostPort, rule: 'host ports' }] : [])),
    ...(context.seccompProfile?.type === 'Unconfined' ? [{ path: [...where, 'seccompProfile', 'type'], value: 'Unconfined', rule: 'an Unconfined seccomp profile' }] : []),
    ...(context.procMount !== undefined && context.procMount !== 'Default' ? [{ path: [...where, 'procMount'], value: context.procMount, rule: 'a non-default /proc mount' }] : []),
    ...(restricted && context.allowPrivilegeEscalation === true ? [{ path: [...where, 'allowPrivilegeEscalation'], value: true, rule: 'privilege escalation' }] : []),
    ...(restricted && context.runAsNonRoot === false ? [{ path: [...where, 'runAsNonRoot'], value: false, rule: 'running as root' }] : []),
    ...(restricted && context.runAsUser === 0 ? [{ path: [...where, 'runAsUser'], value: 0, rule: 'running as root (uid 0)' }] : []),
    ...(restricted && Array.isArray(drops) && !drops.includes('ALL') ? [{ path: [...where, 'capabilities', 'drop'], value: drops, rule: 'keeping capabilities: drop must hold ALL' }] : []),
  ];
}

/** What the user declared in a pod template that breaks `level`. */
function podSecurityBreaches(pod: Data, level: SecurityProfile): Breach[] {
  const restricted = level === SecurityProfile.RESTRICTED;
  const spec: Data = pod.spec ?? {};
  const context: Data = spec.securityContext ?? {};
  const volumes: Data[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  const groups = ['containers', 'initContainers', 'ephemeralContainers'] as const;
  return [
    ...(['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((key) => spec[key] === true)
      .map((key) => ({ path: ['spec', key], value: true, rule: 'sharing the host\'s namespaces' })),
    ...volumes.flatMap((volume, i) => {
      const type = Object.keys(volume).find((key) => key !== 'name');
      if (volume.hostPath) return [{ path: ['spec', 'volumes', i, 'hostPath'], value: volume.hostPath, rule: 'hostPath volumes' }];
      return restricted && type && !RESTRICTED_VOLUMES.has(type) ? [{ path: ['spec', 'volumes', i, type], value: volume[type], rule: `${type} volumes` }] : [];
    }),
    ...(context.seccompProfile?.type === 'Unconfined' ? [{ path: ['spec', 'securityContext', 'seccompProfile', 'type'], value: 'Unconfined', rule: 'an Unconfined seccomp profile' }] : []),
    ...(restricted && context.runAsNonRoot === false ? [{ path: ['spec', 'securityContext', 'runAsNonRoot'], value: false, rule: 'running as root' }] : []),
    ...(restricted && context.runAsUser === 0 ? [{ path: ['spec', 'securityContext', 'runAsUser'], value: 0, rule: 'running as root (uid 0)' }] : []),
    ...groups.flatMap((group) => (Array.isArray(spec[group]) ? spec[group] : [])
      .flatMap((container: Data, i: number) => containerBreaches(container, ['spec', group, i], restricted))),
  ];
}

/** Where a field of the user's pod template stands, for a message: in the spec, or in the `from` file. */
function placeOf(given: AppSpec, at: SpecPath, path: SpecPath): { path: SpecPath; prefix: string } {
  if (given.from === undefined) return { path: [...at, 'podTemplate', ...path], prefix: '' };
  return { path: [...at, 'from'], prefix: `is ${formatValue(given.from)}: its Deployment's spec.template.${formatPath(path)}` };
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
    const { path, prefix } = placeOf(given, at, ['metadata', 'labels', TRACK_LABEL]);
    problems.push({ path, message: `${prefix ? `${prefix} is` : 'is'} ${formatValue(labels[TRACK_LABEL])}: the tracks are told apart by this label; leave it out of the template` });
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
    const { path, prefix } = placeOf(given, at, ['spec', 'containers']);
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
  if (app.stable.image === '' && app.workload.container !== '') {
    problems.push({ path: [...at, 'stable', 'image'], message: template ? `is required: the pod template's container ${app.workload.container} names no image either` : 'is required' });
  }
  if (app.canary.image === '') problems.push({ path: [...at, 'canary', 'image'], message: 'is required' });
  for (const breach of template ? podSecurityBreaches(app.workload.pod, app.securityProfile) : []) {
    const { path, prefix } = placeOf(given, at, breach.path);
    const what = `${prefix ? `${prefix} is` : 'is'} ${formatValue(breach.value)}`;
    problems.push({ path, message: `${what}: not allowed under ${app.securityProfile} (${breach.rule}); nothing was written` });
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
 * A `from` without the app's Service: the tool makes one, and a Service of that name that runs today
 * would be taken over with the tool's settings and selector, unseen in review.
 */
function madeServiceWarnings(app: ResolvedAppSpec, given: AppSpec, at: SpecPath): Problem[] {
  if (app.worker) {
    const { path } = placeOf(given, at, ['spec', 'containers']);
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
  return madeServiceWarnings(app, given, at);
}
