/**
 * Rules a real cluster enforces, as test helpers: the OpenAPI schema of each object
 * (kubernetes-models, and the Gateway API and Istio CRD schemas) and the Pod Security Standards (a transcription of the checks that the
 * PodSecurity admission controller runs for the baseline and restricted levels).
 */
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { runCommand } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = any;

const MODELS: Record<string, new (data: Manifest) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/ServiceAccount': ServiceAccount,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'apps/v1/Deployment': Deployment,
  'networking.istio.io/v1beta1/VirtualService': VirtualService,
  'networking.istio.io/v1beta1/DestinationRule': DestinationRule,
};

const GATEWAY_API = 'gateway.networking.k8s.io/';
const gatewayApiResults = new Map<string, string | null>();

/**
 * Checks the Gateway API objects among `manifests` against their schemas (@kubernetes-models/gateway-api,
 * ES modules only) in one process of their own, and keeps each result for validateAgainstSchema. A
 * test file calls it once for all its objects (in a beforeAll, with PROCESS_TEST_TIMEOUT) rather than
 * start a process for each object it validates.
 */
export function checkGatewayApiSchemas(manifests: readonly Manifest[]): void {
  const unchecked = new Map<string, Manifest>();
  for (const manifest of manifests) {
    const key = JSON.stringify(manifest);
    if (String(manifest.apiVersion).startsWith(GATEWAY_API) && !gatewayApiResults.has(key)) unchecked.set(key, manifest);
  }
  if (!unchecked.size) return;
  const result = runCommand([process.execPath, join(__dirname, 'fixtures', 'validate-gateway-api.mjs')], { input: JSON.stringify([...unchecked.values()]) });
  if (result.status !== 0) throw new Error(`validate-gateway-api.mjs: exit ${result.status ?? result.signal}\n${result.stderr}`);
  const errors = JSON.parse(result.stdout) as (string | null)[];
  [...unchecked.keys()].forEach((key, i) => gatewayApiResults.set(key, errors[i]));
}

function gatewayApiError(manifest: Manifest): string | null {
  checkGatewayApiSchemas([manifest]);
  return gatewayApiResults.get(JSON.stringify(manifest))!;
}

/** Throws with the schema's message when an object is not valid Kubernetes. */
export function validateAgainstSchema(manifest: Manifest): void {
  if (String(manifest.apiVersion).startsWith(GATEWAY_API)) {
    const error = gatewayApiError(manifest);
    if (error) throw new Error(error);
    return;
  }
  const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest).validate();
}

/** The objects of a file as kubectl and Argo CD read them: as YAML 1.1 (sigs.k8s.io/yaml), where `on` is a boolean. */
export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text, { version: '1.1' }).map((doc) => doc.toJS());
}

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
const RESTRICTED_VOLUMES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);

/** Violations of a Pod Security Standard level by a pod spec; empty when it complies. */
export function podSecurityViolations(pod: Manifest, level: 'baseline' | 'restricted'): string[] {
  const violations: string[] = [];
  const containers: Manifest[] = [...(pod.containers ?? []), ...(pod.initContainers ?? [])];
  const podContext = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) violations.push('host namespaces');
  for (const volume of pod.volumes ?? []) if (volume.hostPath) violations.push(`hostPath volume ${volume.name}`);
  if (podContext.seccompProfile?.type === 'Unconfined') violations.push('pod seccomp Unconfined');
  for (const c of containers) {
    const context = c.securityContext ?? {};
    if (context.privileged) violations.push(`${c.name}: privileged`);
    for (const cap of context.capabilities?.add ?? []) {
      if (!BASELINE_CAPABILITIES.has(cap)) violations.push(`${c.name}: capability ${cap} beyond baseline`);
    }
    for (const port of c.ports ?? []) if (port.hostPort) violations.push(`${c.name}: hostPort`);
    if (context.seccompProfile?.type === 'Unconfined') violations.push(`${c.name}: seccomp Unconfined`);
    if (context.procMount && context.procMount !== 'Default') violations.push(`${c.name}: procMount`);
  }
  if (level === 'baseline') return violations;

  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (!type || !RESTRICTED_VOLUMES.has(type)) violations.push(`volume type ${type}`);
  }
  const podSeccomp = podContext.seccompProfile?.type;
  for (const c of containers) {
    const context = c.securityContext ?? {};
    if (context.allowPrivilegeEscalation !== false) violations.push(`${c.name}: allowPrivilegeEscalation not false`);
    const nonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
    if (nonRoot !== true) violations.push(`${c.name}: runAsNonRoot not true`);
    if ((context.runAsUser ?? podContext.runAsUser) === 0) violations.push(`${c.name}: runAsUser 0`);
    const seccomp = context.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') violations.push(`${c.name}: seccomp not set`);
    if (!(context.capabilities?.drop ?? []).includes('ALL')) violations.push(`${c.name}: capabilities not dropping ALL`);
    for (const cap of context.capabilities?.add ?? []) {
      if (cap !== 'NET_BIND_SERVICE') violations.push(`${c.name}: capability ${cap} beyond restricted`);
    }
  }
  return violations;
}
