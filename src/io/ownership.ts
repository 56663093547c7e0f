// Which files in the output folder are this tool's: the spec's generated files, and dead runs' temporary files.
import { TEMPORARY_SUFFIX } from './atomic-file';
import type { FileHeader } from './header';
import { isLockTemporary } from './lock';

/** Whose files a run may replace and remove. */
export interface Ownership {
  /** The spec's path relative to the output folder, as the files' headers record it. */
  readonly spec?: string;
  /** The apps of the spec: files of earlier versions, which record no spec, are theirs by app. */
  readonly apps: readonly string[];
  /** Replace files of other specs, and files without the marker, at the paths this run writes. */
  readonly takeOver?: boolean;
  /** Where the tool writes an app's files: a generated file elsewhere (a copy) is not the tool's to remove. */
  readonly layout: OutputLayout;
}

/** The output folder's layout, as the renderer makes it (see render/paths.ts). */
export interface OutputLayout {
  /** Whether `path` is where this tool writes a file of `app`. */
  isAppFile(path: string, app: string): boolean;
  /** Whether `folder` is one this tool makes for an app. */
  isAppFolder(folder: string): boolean;
  /** The folders in an app's folder that hold its files, in name order. */
  readonly appFolders: readonly string[];
}

const FILE_TEMPORARY = new RegExp(`^\\.(.+)${TEMPORARY_SUFFIX}`);

/**
 * Whether `name` in the folder `prefix` is a temporary file this tool writes there: a generated
 * file's (`.NAME.cdk8s-canary-tmp-PID` beside a file at the layout's own path) or, in the output
 * folder itself, the lock's. Only these are a dead run's to remove; any other name is someone's file.
 */
export function isOwnTemporary(prefix: string, name: string, layout: OutputLayout): boolean {
  if (!prefix) return isLockTemporary(name);
  const match = FILE_TEMPORARY.exec(name);
  return match !== null && layout.isAppFile(`${prefix}/${match[1]}`, prefix.split('/')[0]);
}

/** Whether this run may replace or remove a generated file. */
export function owns(header: FileHeader, ownership: Ownership): boolean {
  if (header.spec !== undefined) return header.spec === ownership.spec;
  return header.app !== undefined && ownership.apps.includes(header.app);
}
