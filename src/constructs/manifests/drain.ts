import { drainJobName } from '../../model/blue-green';
import { COMPONENT_LABEL, DRAIN_COMPONENT, SYNC_WAVE_ANNOTATION } from '../../model/labels';
import { SYNC_WAVE } from '../../model/moves';
import type { ResolvedAppSpec } from '../../model/resolved';
import { appMetadata, type Manifest } from './manifest';
import { JOB_START_SECONDS, NODE_CONTAINER_SECURITY, NODE_POD_SECURITY, NODE_RESOURCES } from './node-job';

/**
 * The drain stage's Job: an Argo CD Sync hook, last of the stage's waves, that waits `seconds` and
 * ends, so the sync (and the next commit's, which Argo CD starts only after it) holds the old colour
 * that long after the switch. No service account token, restricted Pod Security.
 */
export function drainJob(app: ResolvedAppSpec, seconds: number): Manifest {
  const labels = { [COMPONENT_LABEL]: DRAIN_COMPONENT };
  const metadata = appMetadata(app, drainJobName(app.name), labels, {
    'argocd.argoproj.io/hook': 'Sync',
    'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVE.gate),
  });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      activeDeadlineSeconds: seconds + JOB_START_SECONDS,
      backoffLimit: 0,
      template: {
        metadata: { labels: metadata.labels },
        spec: {
          automountServiceAccountToken: false,
          containers: [{
            command: ['node', '-e', `setTimeout(() => {}, ${seconds * 1000})`],
            image: app.checkImage,
            name: 'drain',
            resources: NODE_RESOURCES,
            securityContext: NODE_CONTAINER_SECURITY,
          }],
          restartPolicy: 'Never',
          securityContext: NODE_POD_SECURITY,
        },
      },
    },
  };
}
