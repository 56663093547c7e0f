import { appScopeLabels } from '../../model/labels';
import type { ResolvedAppSpec } from '../../model/resolved';
import { WAVE_LABEL, type ResolvedArgoCd, type ResolvedWave } from '../../model/waves';
import type { Manifest } from './manifest';

/**
 * The Argo CD ApplicationSet that rolls an app's current stage across clusters, wave by wave: one
 * cluster generator per wave (the clusters whose Secrets carry the wave's labels, the wave's name
 * passed on as a value), one Application per cluster syncing the app's `current/` folder, labelled
 * with its wave, and RollingSync with one step per wave, in order. RollingSync syncs each step itself
 * (it turns automated sync off on the Applications; `prune` is still read from the template) and
 * starts the next when every Application of the step is Synced and Healthy, the stage's gate Job
 * included. `retry.limit: 0`: a gate that failed stays failed.
 */
export function applicationSet(app: ResolvedAppSpec & { readonly waves: readonly ResolvedWave[] }, argocd: ResolvedArgoCd, currentPath: string): Manifest {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: app.name, namespace: argocd.namespace, labels: appScopeLabels(app.name) },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: app.waves.map((wave) => ({ clusters: { selector: { matchLabels: wave.matchLabels }, values: { wave: wave.name } } })),
      strategy: {
        type: 'RollingSync',
        rollingSync: {
          steps: app.waves.map((wave) => ({
            matchExpressions: [{ key: WAVE_LABEL, operator: 'In', values: [wave.name] }],
            maxUpdate: wave.maxUpdate,
          })),
        },
      },
      template: {
        metadata: {
          name: `${app.name}-{{.nameNormalized}}`,
          labels: { ...appScopeLabels(app.name), [WAVE_LABEL]: '{{.values.wave}}' },
        },
        spec: {
          project: argocd.project,
          source: { repoURL: argocd.repoURL, targetRevision: argocd.targetRevision, path: currentPath },
          // Each object names its namespace in the stage files.
          destination: { server: '{{.server}}' },
          syncPolicy: { automated: { prune: true, selfHeal: true }, retry: { limit: 0 } },
        },
      },
    },
  };
}
