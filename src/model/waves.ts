import type { ArgoCdSpec, MaxUpdate, WaveSpec } from '../spec/types';

/*
 * A release across clusters in waves: Argo CD's ApplicationSet with the RollingSync strategy, one
 * Application per cluster, one step per wave. The facts of it that the stage files, the
 * ApplicationSet and the plan share.
 */

/** The label of each generated Application that names its wave; RollingSync's steps select by it. */
export const WAVE_LABEL = 'cdk8s-canary/wave';

/** A wave with its defaults: every Application of it at once unless `maxUpdate` says fewer. */
export interface ResolvedWave {
  readonly name: string;
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly maxUpdate: MaxUpdate;
  /** Whether the wave opens behind a guard: every wave after the first. */
  readonly guarded: boolean;
}

/** Where Argo CD finds the output folder, with the defaults filled in but `path`, which io finds. */
export interface ResolvedArgoCd {
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly project: string;
  readonly namespace: string;
  readonly path?: string;
}

/** All of a wave's Applications at once: RollingSync's own default when maxUpdate is absent. */
const ALL_AT_ONCE = '100%';

export function resolveWaves(waves: readonly WaveSpec[]): ResolvedWave[] {
  return waves.map((wave, i) => ({
    name: wave.name,
    matchLabels: { ...wave.clusters.matchLabels },
    maxUpdate: wave.maxUpdate ?? ALL_AT_ONCE,
    guarded: i > 0,
  }));
}

export function resolveArgoCd(argocd: ArgoCdSpec): ResolvedArgoCd {
  return {
    repoURL: argocd.repoURL,
    targetRevision: argocd.targetRevision ?? 'HEAD',
    project: argocd.project ?? 'default',
    namespace: argocd.namespace ?? 'argocd',
    ...(argocd.path === undefined ? {} : { path: argocd.path }),
  };
}

/** How many of a wave's Applications sync at once, in words: `all at once`, `2 at a time`, `25% at a time`. */
export function describeMaxUpdate(maxUpdate: MaxUpdate): string {
  if (maxUpdate === ALL_AT_ONCE) return 'all at once';
  return `${maxUpdate} at a time`;
}

/** A selector in the words of kubectl's `-l`: `ring=0,region=eu`. */
export function describeSelector(matchLabels: Readonly<Record<string, string>>): string {
  return Object.entries(matchLabels).map(([key, value]) => `${key}=${value}`).join(',');
}

