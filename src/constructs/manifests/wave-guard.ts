import { COMPONENT_LABEL, objectLabels, WAVE_GUARD_COMPONENT } from '../../model/labels';
import type { ResolvedAppSpec } from '../../model/resolved';
import type { ResolvedStage } from '../../model/stage';
import { guardInput, guardJobName, guardName } from '../../model/wave-guard';
import type { ResolvedArgoCd, ResolvedWave } from '../../model/waves';
import type { Manifest, ObjectMeta } from './manifest';
import { accessObjects, apiCheckJob, codeConfigMap, codeConfigMapName } from './node-job';

/*
 * A wave guard's objects (see model/wave-guard.ts), what its Application syncs into Argo CD's
 * namespace at a stage: a ServiceAccount whose Role may read Applications and nothing else, the
 * check's code, and the Job of the stage, a plain object, so its outcome is the guard Application's
 * health.
 */

/** The app in waves, and the wave at `index` (after the first), which the guard opens. */
export interface GuardedWave {
  readonly app: ResolvedAppSpec & { readonly waves: readonly ResolvedWave[] };
  readonly argocd: ResolvedArgoCd;
  readonly index: number;
}

function metadata({ app, argocd }: GuardedWave, name: string, annotations?: Record<string, string>): ObjectMeta {
  return {
    name,
    namespace: argocd.namespace,
    labels: { ...objectLabels(app.name, app.appLabel), [COMPONENT_LABEL]: WAVE_GUARD_COMPONENT },
    ...(annotations ? { annotations } : {}),
  };
}

/** Every object of a wave's guard at `stage`, in the order a file holds them. */
export function waveGuardObjects(guarded: GuardedWave, stage: ResolvedStage): Manifest[] {
  const { app, argocd, index } = guarded;
  const wave = app.waves[index];
  const name = guardName(app.name, wave.name);
  return [
    ...Object.values(accessObjects(metadata(guarded, name), [{ apiGroups: ['argoproj.io'], resources: ['applications'], verbs: ['list'] }])),
    codeConfigMap('waves', name, (code, annotations) => metadata(guarded, code, annotations)),
    apiCheckJob({
      metadata: metadata(guarded, guardJobName(app.name, wave.name, stage.name)),
      serviceAccount: name,
      code: 'waves',
      input: guardInput(app, argocd, index, stage),
      image: app.checkImage,
      configMap: codeConfigMapName(name, 'waves'),
    }),
  ];
}
