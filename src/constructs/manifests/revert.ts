import { COMPONENT_LABEL, REVERT_COMPONENT, SYNC_WAVE_ANNOTATION } from '../../model/labels';
import { SYNC_WAVE } from '../../model/moves';
import { revertJobName, revertSeconds, type StatefulApp } from '../../model/stateful';
import { appMetadata, type Manifest } from './manifest';
import { accessObjects, apiCheckJob, codeConfigMap, codeConfigMapName, type AccessKind } from './node-job';

/*
 * A StatefulSet app's revert at rollback, as Argo CD runs it: a Sync hook Job in the StatefulSet's
 * wave that deletes the canary's pods that never became Ready (verify/revert-pods.js), under a
 * ServiceAccount whose Role may read the app's StatefulSet, and list and delete pods in its namespace.
 * A Role cannot be narrower than a namespace's pods; the code deletes only the StatefulSet's own.
 */

const LABELS = { [COMPONENT_LABEL]: REVERT_COMPONENT };

/** What the Job runs as: its ServiceAccount, its Role, and the binding. */
export function revertAccess(app: StatefulApp, kind: AccessKind): Manifest {
  return accessObjects(appMetadata(app, revertJobName(app), LABELS), [
    { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: [app.statefulSet.name], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete'] },
  ])[kind];
}

/** The Job's code, in every stage (see codeConfigMap). */
export function revertConfigMap(app: StatefulApp): Manifest {
  return codeConfigMap('revert', revertJobName(app), (name, annotations) => appMetadata(app, name, LABELS, annotations));
}

/**
 * The Job: a Sync hook beside the StatefulSet (the wave after would wait for a StatefulSet that a
 * stuck pod keeps from ever turning healthy), made anew on each sync; it ends once every pod runs
 * the update revision, and fails the sync when that takes longer than revertSeconds.
 */
export function revertJob(app: StatefulApp): Manifest {
  const metadata = appMetadata(app, revertJobName(app), LABELS, {
    'argocd.argoproj.io/hook': 'Sync',
    'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVE.grow),
  });
  const input = { namespace: app.namespace, statefulSet: app.statefulSet.name, seconds: revertSeconds(app) };
  return apiCheckJob({ metadata, serviceAccount: metadata.name, code: 'revert', input, image: app.checkImage, configMap: codeConfigMapName(revertJobName(app), 'revert') });
}
