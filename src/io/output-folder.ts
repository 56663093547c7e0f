// Which folder may be an output folder, and making it.
import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, parse, relative, resolve, sep } from 'node:path';

/**
 * Why `outdir` cannot be meant as the output folder of `spec`, or undefined when it can: an empty
 * name, the filesystem root, something that is not a folder (a file, a device), or a folder that holds
 * the spec itself (the spec's folder or one above it, where other specs' files and the user's own
 * live).
 */
export function outputFolderProblem(outdir: string, spec: string): string | undefined {
  if (outdir.trim() === '') return 'the output folder is an empty name: give one, such as dist';
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  const folder = real(outdir);
  if (folder === parse(folder).root) return `the output folder ${JSON.stringify(outdir)} is the filesystem root`;
  try {
    if (!statSync(folder).isDirectory()) return `the output folder ${JSON.stringify(outdir)} is not a folder`;
  } catch {
    // It does not exist yet: synth makes it.
  }
  const specFolder = dirname(real(spec));
  if (specFolder === folder || specFolder.startsWith(folder + sep)) {
    return `the output folder ${JSON.stringify(outdir)} holds the spec ${JSON.stringify(spec)} itself; generated files need a folder of their own, such as ${JSON.stringify(relative(process.cwd(), join(specFolder, 'dist')) || 'dist')}`;
  }
  return undefined;
}

/** The spec's path as the files record it: relative to the output folder, with forward slashes. */
export function specPathFrom(outdir: string, spec: string): string {
  return relative(resolve(outdir), resolve(spec)).split(sep).join('/');
}

/**
 * The output folder's path in the git repository that holds it (`deploy/dist`; `.` at its top), as
 * Argo CD reads the repository; outside any repository, its path from the spec's folder.
 */
export function outputPathInRepository(outdir: string, spec: string): string {
  const folder = resolve(outdir);
  for (let at = folder; ; at = dirname(at)) {
    // A repository's top holds .git: a folder, or a file in a worktree or submodule.
    if (existsSync(join(at, '.git'))) return relative(at, folder).split(sep).join('/') || '.';
    if (dirname(at) === at) break;
  }
  return relative(dirname(resolve(spec)), folder).split(sep).join('/') || '.';
}

/**
 * Makes the folder `path` and the missing ones above it, one at a time (Node's recursive mkdir spins
 * forever below some paths, such as /proc/self/fdx): a folder that cannot be made stops the run.
 */
function makeFolders(path: string): void {
  const missing: string[] = [];
  for (let folder = resolve(path); !existsSync(folder); folder = dirname(folder)) {
    if (dirname(folder) === folder) break;
    missing.unshift(folder);
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      if (code === 'EEXIST') continue;
      throw new Error(`cannot make the output folder ${path}: ${folder} cannot be made (${code ?? (error as Error).message})`);
    }
  }
}

/** The output folder's real location: a symlinked output folder is followed, and stays a link. */
export function outputRoot(outdir: string): string {
  try {
    return realpathSync(outdir);
  } catch {
    makeFolders(outdir);
    return realpathSync(outdir);
  }
}
