import { readFileSync } from 'node:fs';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { configHash } from '../model/defaults';
import type { ResolvedAppSpec } from '../model/resolved';
import type { ResolvedStage } from '../model/stage';
import { COMPONENT_LABEL, objectLabels, SYNC_OPTIONS_ANNOTATION, VERIFY_COMPONENT } from '../model/labels';
import { canaryUrl, RUNNER_PATH, verifyChecks, verifyJobName } from '../model/gate';

// The check code's name in the ConfigMap.
const RUNNER = 'run-checks.js';
const CHECKS = 'checks.json';
const MOUNT = '/verify';
// The official Node.js images' `node` user.
const NODE_USER = 1000;

function labels(spec: ResolvedAppSpec): Record<string, string> {
  return { ...objectLabels(spec.name, spec.appLabel), [COMPONENT_LABEL]: VERIFY_COMPONENT };
}

/**
 * The ConfigMap with the check code and the app's checks, the same in every stage; named by a hash
 * of both and immutable, like a track's config.
 */
export function createVerifyConfigMap(scope: Construct, id: string, spec: ResolvedAppSpec): kplus.k8s.KubeConfigMap {
  const data = { [RUNNER]: readFileSync(RUNNER_PATH, 'utf8'), [CHECKS]: `${JSON.stringify(verifyChecks(spec), null, 2)}\n` };
  return new kplus.k8s.KubeConfigMap(scope, id, {
    metadata: {
      name: verifyConfigMapName(spec, data),
      namespace: spec.namespace,
      labels: labels(spec),
      annotations: { [SYNC_OPTIONS_ANNOTATION]: 'PruneLast=true' },
    },
    data,
    immutable: true,
  });
}

function verifyConfigMapName(spec: ResolvedAppSpec, data: Record<string, string>): string {
  return `${verifyJobName(spec.name)}-${configHash(data)}`;
}

/**
 * The Job that runs the checks against the canary once a gated stage is applied and healthy: an Argo
 * CD PostSync hook (deleted before the next one is made, so a re-sync runs it again; a failure fails
 * the sync), and for kubectl a step of the plan. It meets the restricted Pod Security level, asks
 * for little, and stops at the gate's deadline; its pods carry no `app` label, so no Service of the
 * app selects them.
 */
export function createVerifyJob(scope: Construct, id: string, spec: ResolvedAppSpec, stage: ResolvedStage, configMap: kplus.k8s.KubeConfigMap): kplus.k8s.KubeJob {
  const verify = spec.verify!;
  return new kplus.k8s.KubeJob(scope, id, {
    metadata: {
      name: verifyJobName(spec.name),
      namespace: spec.namespace,
      labels: labels(spec),
      annotations: { 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' },
    },
    spec: {
      activeDeadlineSeconds: verify.timeoutSeconds,
      // A failed check is an answer, not a fault to retry.
      backoffLimit: 0,
      template: {
        metadata: { labels: labels(spec) },
        spec: {
          automountServiceAccountToken: false,
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, runAsUser: NODE_USER, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'verify',
            image: verify.image,
            command: ['node', `${MOUNT}/${RUNNER}`, `${MOUNT}/${CHECKS}`],
            env: [{ name: 'CANARY_URL', value: canaryUrl(spec) }, { name: 'STAGE', value: stage.name }],
            resources: {
              requests: { cpu: kplus.k8s.Quantity.fromString('50m'), memory: kplus.k8s.Quantity.fromString('64Mi') },
              limits: { memory: kplus.k8s.Quantity.fromString('128Mi') },
            },
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
            },
            volumeMounts: [{ name: 'checks', mountPath: MOUNT, readOnly: true }],
          }],
          volumes: [{ name: 'checks', configMap: { name: configMap.name } }],
        },
      },
    },
  });
}
