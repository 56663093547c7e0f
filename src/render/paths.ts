import type { ResolvedStage, RolloutPlan } from '../model/stage';

/* The output folder's layout: where each app's files go. The one place paths are made and recognised. */

/** A stage's file, relative to the output folder: `web/stages/01-baseline.k8s.yaml`. */
export function stagePath(app: string, stage: ResolvedStage): string {
  return `${app}/stages/${stage.fileName}.k8s.yaml`;
}

/** The file that holds an app's current stage. */
export function currentPath(app: string): string {
  return `${app}/current/${app}.k8s.yaml`;
}

/** Every file an app's render makes, in order: each stage's, the current one after its stage. */
export function appFilePaths(app: string, plan: RolloutPlan): string[] {
  return plan.stages.flatMap((stage) => (stage.name === plan.current.name ? [stagePath(app, stage), currentPath(app)] : [stagePath(app, stage)]));
}
