import { readFileSync } from 'node:fs';
import { configHash } from '../../model/defaults';
import { canaryUrl, RUNNER_PATH, verifyChecks, verifyJobName } from '../../model/gate';
import { COMPONENT_LABEL, SYNC_OPTIONS_ANNOTATION, VERIFY_COMPONENT } from '../../model/labels';
import type { ResolvedAppSpec, ResolvedVerifySpec } from '../../model/resolved';
import { appMetadata, type Manifest } from './manifest';

// The check code's name in the ConfigMap, and where the Job mounts it.
const RUNNER = 'run-checks.js';
const CHECKS = 'checks.json';
const MOUNT = '/verify';
// The official Node.js images' `node` user.
const NODE_USER = 1000;
const GATE_LABELS = { [COMPONENT_LABEL]: VERIFY_COMPONENT };

/** The check code and the app's checks, as the gate's ConfigMap holds them. */
function gateData(app: ResolvedAppSpec, verify: ResolvedVerifySpec): Record<string, string> {
  return { [RUNNER]: readFileSync(RUNNER_PATH, 'utf8'), [CHECKS]: `${JSON.stringify(verifyChecks(app, verify), null, 2)}\n` };
}

/** The gate's ConfigMap's name: the Job's, and a hash of what it holds. */
function gateConfigName(app: ResolvedAppSpec, data: Record<string, string>): string {
  return `${verifyJobName(app.name)}-${configHash(data)}`;
}

/**
 * The ConfigMap with the check code and the app's checks, the same in every stage; named by a hash
 * of both and immutable, like a track's config.
 */
export function gateConfigMap(app: ResolvedAppSpec, verify: ResolvedVerifySpec): Manifest {
  const data = gateData(app, verify);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: appMetadata(app, gateConfigName(app, data), GATE_LABELS, { [SYNC_OPTIONS_ANNOTATION]: 'PruneLast=true' }),
    data,
    immutable: true,
  };
}

/** The gate Job's pod: restricted, small, reading the checks from the gate's ConfigMap. */
function gatePod(app: ResolvedAppSpec, verify: ResolvedVerifySpec, stage: string, configName: string) {
  return {
    automountServiceAccountToken: false,
    containers: [{
      command: ['node', `${MOUNT}/${RUNNER}`, `${MOUNT}/${CHECKS}`],
      env: [{ name: 'CANARY_URL', value: canaryUrl(app) }, { name: 'STAGE', value: stage }],
      image: verify.image,
      name: 'verify',
      resources: { limits: { memory: '128Mi' }, requests: { cpu: '50m', memory: '64Mi' } },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
      volumeMounts: [{ mountPath: MOUNT, name: 'checks', readOnly: true }],
    }],
    restartPolicy: 'Never',
    securityContext: { runAsNonRoot: true, runAsUser: NODE_USER, seccompProfile: { type: 'RuntimeDefault' } },
    volumes: [{ configMap: { name: configName }, name: 'checks' }],
  };
}

/**
 * The Job that runs the checks against the canary once a gated stage is applied and healthy: an Argo
 * CD PostSync hook (deleted before the next one is made, so a re-sync runs it again; a failure fails
 * the sync), and for kubectl a step of the plan. It meets the restricted Pod Security level, asks
 * for little, and stops at the gate's deadline; its pods carry no `app` label, so no Service of the
 * app selects them.
 */
export function gateJob(app: ResolvedAppSpec, verify: ResolvedVerifySpec, stage: string): Manifest {
  const metadata = appMetadata(app, verifyJobName(app.name), GATE_LABELS);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...metadata, annotations: { 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' } },
    spec: {
      activeDeadlineSeconds: verify.timeoutSeconds,
      // A failed check is an answer, not a fault to retry.
      backoffLimit: 0,
      template: { metadata: { labels: metadata.labels }, spec: gatePod(app, verify, stage, gateConfigName(app, gateData(app, verify))) },
    },
  };
}
