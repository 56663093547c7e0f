import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { openedPath, readRegularBytes } from '../io/bounded-read';
import type { AppSpec, TrackSpec } from './types';
import { formatValue, printable, shown, type Problem, type SpecPath } from './problems';

/** Kubernetes refuses a ConfigMap whose keys and values come to more than 1 MiB. */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The size Kubernetes counts for a ConfigMap's data: each key and each value, in bytes. */
export function configDataBytes(files: Record<string, string>): number {
  return Object.entries(files).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}

/** A config file that is not, or is no longer, the one inside the spec's folder: nothing of it is read. */
class OutsideFolder extends Error {}

/** Whether the real path `real` is below the real folder `folder` (any folder, `/` included). */
function isInside(folder: string, real: string): boolean {
  const path = relative(folder, real);
  return path !== '' && path !== '..' && !path.startsWith(`..${'/'}`) && !isAbsolute(path);
}

/**
 * The folder files named by a spec are read from: the git repository that holds the spec's folder (the
 * nearest folder at or above it with a `.git`), so a monorepo's sibling folders can be named; with
 * none, the spec's folder itself.
 */
function readableRoot(folder: string): { readonly root: string; readonly what: string } {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return { root: dir, what: 'the repository that holds the spec' };
    if (dirname(dir) === dir) return { root: folder, what: 'the spec\'s folder' };
  }
}

/**
 * A file given by a path relative to `baseDir` (the spec's folder; the working directory for construct
 * props), read only from inside the repository that holds it (see readableRoot), links included, never
 * from a `.git` folder, and of at most `limit` bytes: a spec from a pull request must not copy the CI
 * machine's files (a kubeconfig, say, or the token a checkout keeps in `.git/config`) into the output
 * and the logs. What cannot be read is said as a problem's message, after the field.
 */
export function readInsideFolder(baseDir: string, given: string, limit: number): { readonly bytes: Buffer; readonly path: string } | { readonly problem: string } {
  const path = resolve(baseDir, given);
  try {
    // The file is opened first, then the file opened is checked: its real path as the kernel has it
    // (Linux's /proc) must be inside the folder, so a folder on the way swapped for a link meanwhile is
    // caught. Without /proc, the path is resolved again after the open and must name the same file.
    const { root, what } = readableRoot(realpathSync(baseDir));
    const bytes = readRegularBytes(path, limit, true, (opened, fd) => {
      const real = openedPath(fd) ?? realpathSync(path);
      if (!isInside(root, real)) throw new OutsideFolder(`must name a file inside ${what} (${shown(root)}), which ${shown(real)} is not`);
      if (relative(root, real).split(sep).includes('.git')) throw new OutsideFolder(`must not name a file in a .git folder, which ${shown(real)} is in`);
      const now = statSync(real);
      if (now.dev !== opened.dev || now.ino !== opened.ino) throw new OutsideFolder('changed while it was read (a folder on its way was replaced); run again');
    });
    return { bytes, path };
  } catch (error) {
    if (error instanceof OutsideFolder) return { problem: `is ${formatValue(given)}: ${error.message}` };
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (error as Error).message.replace(`${path} `, '');
    return { problem: `is ${formatValue(given)}: ${shown(path)} ${printable(reason)}` };
  }
}

/**
 * The track with every config file's content in place: files given by `path` are read from `baseDir`
 * (the spec's folder; the working directory for construct props), as UTF-8 text of at most 1 MiB,
 * and only from inside it. A file that cannot be read is a problem at its `path`.
 */
function readTrackFiles(track: TrackSpec, at: SpecPath, baseDir: string, problems: Problem[]): TrackSpec {
  if (!track.config) return track;
  const files = Object.fromEntries(Object.entries(track.config.files).map(([name, file]) => {
    const where = [...at, 'config', 'files', name];
    if ((file.content === undefined) === (file.path === undefined)) {
      problems.push({ path: where, message: 'must give either content or path, not both or neither' });
      return [name, file];
    }
    if (file.path === undefined) return [name, file];
    const read = readInsideFolder(baseDir, file.path, CONFIG_MAP_MAX_BYTES);
    if ('problem' in read) {
      problems.push({ path: [...where, 'path'], message: read.problem });
      return [name, file];
    }
    try {
      return [name, { content: UTF8.decode(read.bytes) }];
    } catch {
      problems.push({ path: [...where, 'path'], message: `is ${formatValue(file.path)}: ${read.path} is not UTF-8 text; a ConfigMap holds text files only` });
      return [name, file];
    }
  }));
  return { ...track, config: { ...track.config, files } };
}

/** An app with its tracks' config files read; `stable` is there, if only empty (see AppSpec.stable). */
export type ReadApp = AppSpec & { readonly stable: TrackSpec };

/** The app with each track's config files read (see readTrackFiles), and the files that could not be. */
export function readConfigFiles(app: AppSpec, at: SpecPath, baseDir: string): { readonly app: ReadApp; readonly problems: readonly Problem[] } {
  const problems: Problem[] = [];
  const read = {
    ...app,
    stable: readTrackFiles(app.stable ?? {}, [...at, 'stable'], baseDir, problems),
    canary: readTrackFiles(app.canary, [...at, 'canary'], baseDir, problems),
  };
  return { app: read, problems };
}
