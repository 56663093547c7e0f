import { configHash } from '../../model/config-hash';
import { canaryUrl, gateJobName, smokeJobName, verifyChecks, verifyJobName } from '../../model/gate';
import { CHECK_LABEL, COMPONENT_LABEL, SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION, VERIFY_COMPONENT } from '../../model/labels';
import { SYNC_WAVE } from '../../model/moves';
import type { ResolvedAppSpec, ResolvedVerifySpec } from '../../model/resolved';
import type { TrackPods } from '../../model/stateful';
import { checkCode } from '../check-code';
import { appMetadata, type Manifest } from './manifest';
import { NODE_CONTAINER_SECURITY, NODE_POD_SECURITY, NODE_RESOURCES } from './node-job';

// The checks' names in the ConfigMap (all, and the smoke check alone), and where the Job mounts them.
const CHECKS = 'checks.json';
const SMOKE_CHECKS = 'smoke.json';
const MOUNT = '/verify';
const GATE_LABELS = { [COMPONENT_LABEL]: VERIFY_COMPONENT };


/** The check code and the app's checks, as the gate's ConfigMap holds them. */
function gateData(app: ResolvedAppSpec, verify: ResolvedVerifySpec): Record<string, string> {
  const json = (checks: object) => `${JSON.stringify(checks, null, 2)}\n`;
  return {
    ...checkCode('gate').files,
    [CHECKS]: json(verifyChecks(app, verify)),
    // Before traffic moves, only the smoke check runs: there are no requests yet to measure.
    ...(verify.smoke && app.routing ? { [SMOKE_CHECKS]: json(verifyChecks(app, verify, 'smoke')) } : {}),
  };
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

/** The gate Job's pod: restricted, small, reading its checks from the gate's ConfigMap (and a StatefulSet's pods of each track from its env). */
function gatePod(app: ResolvedAppSpec, verify: ResolvedVerifySpec, stage: string, configName: string, checks: string, pods?: TrackPods) {
  const secret = verify.notify?.webhookSecret;
  return {
    automountServiceAccountToken: false,
    containers: [{
      command: ['node', `${MOUNT}/${checkCode('gate').fileName}`, `${MOUNT}/${checks}`],
      env: [
        ...(app.worker ? [] : [{ name: 'CANARY_URL', value: canaryUrl(app) }]),
        { name: 'STAGE', value: stage },
        ...(pods ? [{ name: 'TRACK_PODS', value: JSON.stringify(pods) }] : []),
        ...(secret ? [{ name: 'NOTIFY_WEBHOOK', valueFrom: { secretKeyRef: { key: secret.key, name: secret.name } } }] : []),
      ],
      image: verify.image,
      name: 'verify',
      resources: NODE_RESOURCES,
      securityContext: NODE_CONTAINER_SECURITY,
      volumeMounts: [{ mountPath: MOUNT, name: 'checks', readOnly: true }],
    }],
    restartPolicy: 'Never',
    securityContext: NODE_POD_SECURITY,
    volumes: [{ configMap: { name: configName }, name: 'checks' }],
  };
}

/**
 * A gate Job: for Argo CD a hook it deletes before it makes the next, or under waves a plain object in
 * the last sync wave (`annotations` say which); for kubectl a step of the plan.
 */
function job(app: ResolvedAppSpec, verify: ResolvedVerifySpec, name: string, check: 'analysis' | 'smoke', annotations: Record<string, string>, pod: object): Manifest {
  const metadata = appMetadata(app, name, { ...GATE_LABELS, [CHECK_LABEL]: check });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...metadata, annotations },
    spec: {
      activeDeadlineSeconds: verify.timeoutSeconds,
      // A failed check is an answer, not a fault to retry.
      backoffLimit: 0,
      template: { metadata: { labels: metadata.labels }, spec: pod },
    },
  };
}

// A hook Job goes before Argo CD makes the next of its name.
const HOOK_DELETE_POLICY = { 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' };

/**
 * The Job that runs the checks against the canary once a gated stage is applied and healthy: an Argo
 * CD PostSync hook (a re-sync runs it again; a failure fails the sync), and for kubectl a step of the
 * plan. Under waves a plain Job named after the stage in the last sync wave instead (see gateJobName):
 * Argo CD applies it last and ends the sync, and its outcome is the Application's health until the
 * next stage prunes it. It meets the restricted Pod Security level, asks for little, and stops at the gate's
 * deadline; its pods carry no `app` label, so no Service of the app selects them.
 */
export function gateJob(app: ResolvedAppSpec, verify: ResolvedVerifySpec, stage: string, pods?: TrackPods): Manifest {
  const pod = gatePod(app, verify, stage, gateConfigName(app, gateData(app, verify)), CHECKS, pods);
  const annotations: Record<string, string> = app.waves ? { [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVE.gate) } : { 'argocd.argoproj.io/hook': 'PostSync', ...HOOK_DELETE_POLICY };
  return job(app, verify, gateJobName(app, stage), 'analysis', annotations, pod);
}

/**
 * The Job that runs the smoke check against the canary alone before the route gives it more traffic:
 * an Argo CD Sync hook in the wave between the growing canary's and the route's (a failure stops the
 * sync, so the route never moves), and for kubectl a step of the plan before the router step.
 */
export function smokeJob(app: ResolvedAppSpec, verify: ResolvedVerifySpec, stage: string): Manifest {
  const pod = gatePod(app, verify, stage, gateConfigName(app, gateData(app, verify)), SMOKE_CHECKS);
  return job(app, verify, smokeJobName(app.name), 'smoke', { 'argocd.argoproj.io/hook': 'Sync', [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVE.smoke), ...HOOK_DELETE_POLICY }, pod);
}
