import type { ResolvedStage, RolloutPlan } from '../model/stage';
import type { ResolvedWave } from '../model/waves';

/* The output folder's layout: where each app's files go. The one place paths are made and recognised. */

const STAGES = 'stages';
const CURRENT = 'current';
const ARGOCD = 'argocd';
const APPLICATION_SET = 'applicationset';
const GUARD = 'guard-';
const EXTENSION = '.k8s.yaml';
// A stage's file name: its number and name (a DNS-1123 label), or the rollback stage's.
const STAGE_FILE = /^(\d{2,}-[a-z0-9]([-a-z0-9]*[a-z0-9])?|rollback)\.k8s\.yaml$/;
// A wave guard's file name: the wave's name, a DNS-1123 label.
const GUARD_FILE = /^guard-[a-z0-9]([-a-z0-9]*[a-z0-9])?\.k8s\.yaml$/;

/** A stage's file, relative to the output folder: `web/stages/01-baseline.k8s.yaml`. */
export function stagePath(app: string, stage: ResolvedStage): string {
  return `${app}/${STAGES}/${stage.fileName}${EXTENSION}`;
}

/** The file that holds an app's current stage. */
export function currentPath(app: string): string {
  return `${app}/${CURRENT}/${app}${EXTENSION}`;
}

/** An app's folder in the repository, the output folder at `outputPath`. */
function repositoryFolder(outputPath: string, app: string, folder: string): string {
  return [...outputPath.split('/').filter((part) => part !== '' && part !== '.'), app, folder].join('/');
}

/** The folder Argo CD syncs an app from: its current stage. */
export function currentFolder(outputPath: string, app: string): string {
  return repositoryFolder(outputPath, app, CURRENT);
}

/** The folder of an app's files for Argo CD: its ApplicationSet, and the wave guards' files, which their Applications sync. */
export function argoCdFolder(outputPath: string, app: string): string {
  return repositoryFolder(outputPath, app, ARGOCD);
}

/** The ApplicationSet of an app released in waves, beside its stages (never in `current/`, which it syncs). */
export function applicationSetPath(app: string): string {
  return `${app}/${ARGOCD}/${APPLICATION_SET}${EXTENSION}`;
}

/** A wave guard's file, in the ApplicationSet's folder: the guard's objects at the current stage. */
export function guardFileName(wave: string): string {
  return `${GUARD}${wave}${EXTENSION}`;
}

/** Where a wave guard's file goes, relative to the output folder. */
export function guardPath(app: string, wave: string): string {
  return `${app}/${ARGOCD}/${guardFileName(wave)}`;
}

/**
 * Where this tool writes an app's files, as the writer asks: `web/stages/01-baseline.k8s.yaml` and
 * `web/current/web.k8s.yaml` are web's; `web-copy/stages/01-baseline.k8s.yaml` and
 * `web/stages/01-baseline.backup.k8s.yaml` are not, whatever their header says.
 */
export const OUTPUT_LAYOUT = {
  isAppFile(path: string, app: string): boolean {
    const [folder, kind, name, ...rest] = path.split('/');
    if (folder !== app || rest.length) return false;
    if (kind === ARGOCD) return name === `${APPLICATION_SET}${EXTENSION}` || GUARD_FILE.test(name ?? '');
    return kind === CURRENT ? name === `${app}${EXTENSION}` : kind === STAGES && STAGE_FILE.test(name ?? '');
  },
  isAppFolder(folder: string): boolean {
    const parts = folder.split('/');
    return parts.length === 1 || (parts.length === 2 && (parts[1] === STAGES || parts[1] === CURRENT || parts[1] === ARGOCD));
  },
  appFolders: [ARGOCD, CURRENT, STAGES],
};

/** One of an app's files: where it goes and the stage it holds. */
export interface AppFile {
  readonly path: string;
  readonly stage: ResolvedStage;
}

/** Every file an app's render makes, in order: each stage's, the current one after its stage. */
export function appFiles(app: string, plan: RolloutPlan): AppFile[] {
  const files: AppFile[] = [];
  for (const stage of plan.stages) {
    files.push({ path: stagePath(app, stage), stage });
    if (stage.name === plan.current.name) files.push({ path: currentPath(app), stage: plan.current });
  }
  return files;
}

/** The files of an app in waves: its ApplicationSet, and the guard's of each wave after the first. */
export function argoCdFilePaths(app: string, waves: readonly ResolvedWave[]): string[] {
  return [applicationSetPath(app), ...waves.filter((wave) => wave.guarded).map((wave) => guardPath(app, wave.name))];
}

/** The paths of appFiles, and of the files for Argo CD of an app in waves. */
export function appFilePaths(app: string, plan: RolloutPlan, waves: readonly ResolvedWave[] | undefined): string[] {
  return [...appFiles(app, plan).map((file) => file.path), ...waves ? argoCdFilePaths(app, waves) : []];
}
