import { appScopeLabels } from '../../model/labels';
import type { ResolvedAppSpec } from '../../model/resolved';
import { GUARD_LABEL, guardName } from '../../model/wave-guard';
import { WAVE_LABEL, type ResolvedArgoCd, type ResolvedWave } from '../../model/waves';
import type { Manifest } from './manifest';

// Argo CD's own cluster, as Argo CD names it: where the guards run, beside the Applications they read.
const IN_CLUSTER = 'https://kubernetes.default.svc';

/** Where the ApplicationSet's Applications find their files in the repository. */
export interface ApplicationSetSources {
  /** The app's current stage, which every cluster syncs. */
  readonly current: string;
  /** The folder of the guards' files, and each guard's file in it by wave name. */
  readonly guards: string;
  readonly guardFile: (wave: string) => string;
}

/**
 * The Argo CD ApplicationSet that rolls an app's current stage across clusters, wave by wave: one
 * cluster generator per wave (the clusters whose Secrets carry the wave's labels, the wave's name
 * passed on as a value), one Application per cluster syncing the app's `current/` folder, labelled
 * with its wave, and RollingSync with one step per wave, in order. RollingSync syncs each step itself
 * (it turns automated sync off on the Applications; `prune` is still read from the template) and
 * starts the next when every Application of the step is Synced and Healthy, the stage's gate Job
 * included. `retry.limit: 0`: a gate that failed stays failed.
 *
 * Before each wave after the first, a step of its own: the wave's guard, one Application in Argo CD's
 * cluster (a list generator whose template stands over the set's where it says), labelled with the
 * wave and GUARD_LABEL, syncing the guard's file of the current stage.
 */
export function applicationSet(app: ResolvedAppSpec & { readonly waves: readonly ResolvedWave[] }, argocd: ResolvedArgoCd, sources: ApplicationSetSources): Manifest {
  const labels = appScopeLabels(app.name);
  const source = { repoURL: argocd.repoURL, targetRevision: argocd.targetRevision };
  const inWave = (wave: string) => ({ key: WAVE_LABEL, operator: 'In', values: [wave] });
  const guard = (wave: ResolvedWave) => ({
    list: {
      elements: [{ wave: wave.name }],
      template: {
        metadata: { name: guardName(app.name, wave.name), labels: { ...labels, [WAVE_LABEL]: wave.name, [GUARD_LABEL]: 'true' } },
        spec: {
          project: argocd.project,
          source: { ...source, path: sources.guards, directory: { include: sources.guardFile(wave.name) } },
          destination: { server: IN_CLUSTER, namespace: argocd.namespace },
        },
      },
    },
  });
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: app.name, namespace: argocd.namespace, labels },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: app.waves.flatMap((wave) => [
        ...wave.guarded ? [guard(wave)] : [],
        { clusters: { selector: { matchLabels: wave.matchLabels }, values: { wave: wave.name } } },
      ]),
      strategy: {
        type: 'RollingSync',
        rollingSync: {
          steps: app.waves.flatMap((wave) => [
            ...wave.guarded ? [{ matchExpressions: [inWave(wave.name), { key: GUARD_LABEL, operator: 'In', values: ['true'] }] }] : [],
            { matchExpressions: [inWave(wave.name), { key: GUARD_LABEL, operator: 'NotIn', values: ['true'] }], maxUpdate: wave.maxUpdate },
          ]),
        },
      },
      template: {
        metadata: {
          name: `${app.name}-{{.nameNormalized}}`,
          labels: { ...labels, [WAVE_LABEL]: '{{.values.wave}}' },
        },
        spec: {
          project: argocd.project,
          source: { ...source, path: sources.current },
          // Each object names its namespace in the stage files.
          destination: { server: '{{.server}}' },
          syncPolicy: { automated: { prune: true, selfHeal: true }, retry: { limit: 0 } },
        },
      },
    },
  };
}
