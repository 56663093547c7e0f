import type { Findings, Problem, SpecPath } from '../../spec/problems';
import { formatValue } from '../../spec/problems';
import { SecurityProfile, ServiceType, type AppSpec } from '../../spec/types';
import { CPU_MILLICORES, MEMORY_MEBIBYTES, mebibytes, millicores } from '../quantities';
import type { ResolvedAppSpec } from '../resolved';
import type { RolloutPlan } from '../stage';
import { blueGreenProblems } from './blue-green';
import { statefulPlanProblems, statefulProblems } from './stateful';
import { isStateful } from '../stateful';
import { gateProblems } from './gate';
import { nameProblems, trackServiceProblems } from './names';
import { routingProblems } from './routing';
import { capacityProblems, repeatedStageWarnings, stageListProblems } from './stages';
import { autoscalerProblems, imageWarnings, mountProblems, sizeProblems } from './tracks';
import { waveGuardProblems, wavesProblems } from './waves';
import { workloadProblems, workloadWarnings } from './workload';

/*
 * The rules of one app that a schema cannot say, one family per function, each returning what it
 * finds; `appFindings` runs them in order.
 */

/**
 * Namespaces the cluster owns, never emitted, never labelled: `default` and every `kube-` one (the
 * `kube-` prefix is reserved for Kubernetes and its add-ons: kube-system, kube-flannel, ...).
 */
function isSystemNamespace(namespace: string): boolean {
  return namespace === 'default' || namespace.startsWith('kube-');
}

/** A node port needs a Service that has one; root needs the baseline level. */
function serviceAndSecurityProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  return [
    // The API server's rule: a headless Service (clusterIP None) is of type ClusterIP.
    ...(app.service.given?.clusterIP === 'None' && app.service.type !== ServiceType.CLUSTER_IP
      ? [{ path: [...at, 'service', 'type'], message: `is ${formatValue(app.service.type)}: the from file's Service is headless (clusterIP: None), which only a ClusterIP Service may be` }] : []),
    ...(app.service.nodePort !== undefined && app.service.type === ServiceType.CLUSTER_IP
      ? [{ path: [...at, 'service', 'nodePort'], message: `is ${app.service.nodePort}: only NodePort and LoadBalancer Services have a node port` }] : []),
    ...(app.securityProfile === SecurityProfile.RESTRICTED && app.runAsUser === 0
      ? [{ path: [...at, 'runAsUser'], message: 'is 0: the restricted profile forbids running as root; use securityProfile: baseline for root images' }] : []),
  ];
}

/** Requests and limits within what a node can have, and no request above its limit. */
function resourceProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  const problems: Problem[] = [];
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
  return problems;
}

function namespaceProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  if (!app.createNamespace || !isSystemNamespace(app.namespace)) return [];
  return [{
    path: [...at, 'createNamespace'],
    message: `is true: "${app.namespace}" is a system namespace, never created or relabelled here; set createNamespace: false`,
  }];
}

function appWarnings(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  return [
    ...imageWarnings(app, at),
    ...(app.namespace !== 'default' && isSystemNamespace(app.namespace) ? [{
      path: [...at, 'namespace'],
      message: `is ${formatValue(app.namespace)}: a kube- namespace is the cluster's own (its system components and add-ons); give the app a namespace of its own`,
    }] : []),
    ...(app.securityProfile === SecurityProfile.RESTRICTED && !app.worker && app.port < 1024
      ? [{ path: [...at, 'port'], message: `is ${app.port}: under the restricted profile the container runs as non-root and may not bind a port below 1024` }] : []),
  ];
}

/**
 * Every rule of one app, and its plan: `plan` makes the plan once the stages and routing are sound
 * (the capacity rules read it). The plan is absent when any rule fails.
 */
export function appFindings(app: ResolvedAppSpec, at: SpecPath, plan: () => RolloutPlan, given: AppSpec): Findings & { readonly plan?: RolloutPlan } {
  const problems = [
    ...nameProblems(app, at),
    ...mountProblems(app, at),
    ...autoscalerProblems(app, at),
    ...trackServiceProblems(app, at),
    ...gateProblems(app, at),
    ...serviceAndSecurityProblems(app, at),
    ...resourceProblems(app, at),
    ...namespaceProblems(app, at),
    ...sizeProblems(app, at),
    ...workloadProblems(app, given, at),
    // Waves from the spec's top level are checked there, once.
    ...(given.waves ? wavesProblems(given.waves, [...at, 'waves']) : []),
    ...waveGuardProblems(app, at),
    ...blueGreenProblems(app, given, at),
    ...statefulProblems(app, given, at),
  ];
  const stageProblems = [...stageListProblems(app, at), ...routingProblems(app, at)];
  const warnings = [...appWarnings(app, at), ...workloadWarnings(app, given, at)];
  if (stageProblems.length) return { problems: [...problems, ...stageProblems], warnings };
  const made = plan();
  // A StatefulSet's stages are partitions of one set of pods: their own rule, not the tracks' capacity.
  const all = [...problems, ...(isStateful(app) ? statefulPlanProblems(app, made, at) : capacityProblems(app, made, at))];
  return { problems: all, warnings: [...warnings, ...repeatedStageWarnings(made, at)], ...(all.length ? {} : { plan: made }) };
}
