import { configHash } from '../../model/config-hash';
import { SYNC_OPTIONS_ANNOTATION } from '../../model/labels';
import { checkCode } from '../check-code';
import type { Manifest, ObjectMeta } from './manifest';

/*
 * What the Jobs that run the package's code (the gate's checks, the endpoint check, the wave guards)
 * share: the official Node.js images' `node` user, and the restricted Pod Security level's settings,
 * so a namespace at any level admits them.
 */

const NODE_USER = 1000;

/** A Job pod's securityContext. */
export const NODE_POD_SECURITY = { runAsNonRoot: true, runAsUser: NODE_USER, seccompProfile: { type: 'RuntimeDefault' } } as const;

/** A Job container's securityContext: nothing to escalate to, nothing written. */
export const NODE_CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true } as const;

/** A Job container's resources: small; the memory is bounded, as the level does not require. */
export const NODE_RESOURCES = { limits: { memory: '128Mi' }, requests: { cpu: '50m', memory: '64Mi' } } as const;

const MOUNT = '/check';
// The service account's token and CA, where the kubelet mounts them in every pod that has them.
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** What a Job's deadline leaves beyond its own seconds: time to pull the image and start. */
export const JOB_START_SECONDS = 60;

/** The kinds of a check's access to the API server. */
export type AccessKind = 'ServiceAccount' | 'Role' | 'RoleBinding';

/**
 * A check's access to the API server, each object named and labelled by `metadata`: its
 * ServiceAccount, a Role that allows `rules` and nothing else, and the binding of the one to the other.
 */
export function accessObjects(metadata: ObjectMeta, rules: readonly object[]): Record<AccessKind, Manifest> {
  const { name, namespace } = metadata;
  // Each its own copy: a construct's patch of one changes no other.
  return {
    ServiceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { ...metadata } },
    Role: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { ...metadata }, rules },
    RoleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { ...metadata },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  };
}

/** The code of a Job that uses the API server: the endpoint check's, a wave guard's, a StatefulSet's revert. */
export type ApiCheckCode = 'endpoints' | 'waves' | 'revert';

const codeFiles = (code: ApiCheckCode): Record<string, string> => ({ ...checkCode(code).files });

/** The name of the ConfigMap that holds a Job's code: `base` and the code's hash, so new code is a new ConfigMap. */
export function codeConfigMapName(base: string, code: ApiCheckCode): string {
  return `${base}-${configHash(codeFiles(code))}`;
}

/**
 * The ConfigMap of a Job's code, in every stage: named by its hash (codeConfigMapName) and
 * immutable, and pruned last, so a Job of the stage before can still mount it. `metadata` makes its
 * metadata from its name and annotations.
 */
export function codeConfigMap(code: ApiCheckCode, base: string, metadata: (name: string, annotations: Record<string, string>) => ObjectMeta): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(codeConfigMapName(base, code), { [SYNC_OPTIONS_ANNOTATION]: 'PruneLast=true' }),
    data: codeFiles(code),
    immutable: true,
  };
}

/** A Job that runs one of the checks that use the API server (check-endpoints.js, check-waves.js, revert-pods.js). */
export interface ApiCheckJobProps {
  /** The Job's metadata; its labels are its pods' too. */
  readonly metadata: ObjectMeta;
  /** The ServiceAccount whose token the check reads. */
  readonly serviceAccount: string;
  readonly code: ApiCheckCode;
  /** What the check reads, passed as its first argument. */
  readonly input: { readonly seconds: number };
  readonly image: string;
  /** The ConfigMap that holds the check's code (checkCode's files). */
  readonly configMap: string;
}

/**
 * The Job: once, no retry (an answer that did not come is an answer, not a fault to retry), within
 * the check's time and a start; restricted Pod Security, small, bounded.
 */
export function apiCheckJob({ metadata, serviceAccount, code, input, image, configMap }: ApiCheckJobProps): Manifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      activeDeadlineSeconds: input.seconds + JOB_START_SECONDS,
      backoffLimit: 0,
      template: {
        metadata: { labels: metadata.labels },
        spec: {
          automountServiceAccountToken: true,
          containers: [{
            args: [JSON.stringify(input), SERVICE_ACCOUNT_DIR],
            command: ['node', `${MOUNT}/${checkCode(code).fileName}`],
            image,
            name: 'check',
            resources: NODE_RESOURCES,
            securityContext: NODE_CONTAINER_SECURITY,
            volumeMounts: [{ mountPath: MOUNT, name: 'code', readOnly: true }],
          }],
          restartPolicy: 'Never',
          securityContext: NODE_POD_SECURITY,
          serviceAccountName: serviceAccount,
          volumes: [{ configMap: { name: configMap }, name: 'code' }],
        },
      },
    },
  };
}
