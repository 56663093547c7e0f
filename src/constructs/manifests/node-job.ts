/*
 * What the Jobs that run the package's code (the gate's checks, the endpoint check) share: the
 * official Node.js images' `node` user, and the restricted Pod Security level's settings, so a
 * namespace at any level admits them.
 */

const NODE_USER = 1000;

/** A Job pod's securityContext. */
export const NODE_POD_SECURITY = { runAsNonRoot: true, runAsUser: NODE_USER, seccompProfile: { type: 'RuntimeDefault' } } as const;

/** A Job container's securityContext: nothing to escalate to, nothing written. */
export const NODE_CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true } as const;

/** A Job container's resources: small; the memory is bounded, as the level does not require. */
export const NODE_RESOURCES = { limits: { memory: '128Mi' }, requests: { cpu: '50m', memory: '64Mi' } } as const;
