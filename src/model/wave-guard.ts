import { gateJobName, isGated } from './gate';
import type { ResolvedAppSpec } from './resolved';
import type { ResolvedStage } from './stage';
import type { ResolvedArgoCd, ResolvedWave } from './waves';

/*
 * The wave guard. RollingSync opens a wave once every Application of the step before reads Synced and
 * Healthy, as the ApplicationSet controller's cache has them, which may be from before the commit
 * (argo-cd#29410, #22558). Before each wave after the first, RollingSync syncs the guard: a Job in
 * Argo CD's cluster, named after the stage, that reads the Applications of the waves before from the
 * API server and holds only when each runs this stage, settled: Synced and Healthy as compared with
 * the guard's own commit, its last sync Succeeded, the stage's gate among its resources
 * (verify/check-waves.js). Its Application is Progressing while it runs and Degraded when it fails,
 * and the wave waits.
 */

/**
 * The label of the guard Applications: each wave after the first opens behind a guard, an Application
 * in Argo CD's own cluster labelled with that wave and this, RollingSync's step just before the wave's.
 */
export const GUARD_LABEL = 'cdk8s-canary/guard';

/** The guard Application of a wave, and its ServiceAccount, Role and RoleBinding in Argo CD's namespace. */
export function guardName(app: string, wave: string): string {
  return `${app}-guard-${wave}`;
}

/** The guard's Job at a stage: named after it, so a stage's guard is never taken for an earlier one's. */
export function guardJobName(app: string, wave: string, stage: string): string {
  return `${guardName(app, wave)}-${stage}`;
}

/** How long a guard waits for the waves before to settle, and for their Applications and its own to be compared with one commit: Argo CD compares each at least every 3 minutes, with jitter. */
export const GUARD_SECONDS = 300;

/** What verify/check-waves.js reads. */
export interface WaveGuardInput {
  readonly namespace: string;
  readonly seconds: number;
  readonly app: string;
  /** The guard's own Application: the commit it is compared with holds this stage. */
  readonly application: string;
  readonly stage: string;
  readonly waves: readonly string[];
  readonly gate?: { readonly namespace: string; readonly name: string };
}

/** The guard of the wave at `index` (after the first) at `stage`: every wave before it, and the stage's gate where it has one. */
export function guardInput(app: ResolvedAppSpec & { readonly waves: readonly ResolvedWave[] }, argocd: ResolvedArgoCd, index: number, stage: ResolvedStage): WaveGuardInput {
  return {
    namespace: argocd.namespace,
    seconds: GUARD_SECONDS,
    app: app.name,
    application: guardName(app.name, app.waves[index].name),
    stage: stage.name,
    waves: app.waves.slice(0, index).map((wave) => wave.name),
    ...(isGated(app, stage) ? { gate: { namespace: app.namespace, name: gateJobName(app, stage.name) } } : {}),
  };
}
