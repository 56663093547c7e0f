import {
  closeSync, existsSync, linkSync, copyFileSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync,
  rmSync, writeFileSync, type Dirent,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { GENERATED_MARKER, type RenderedFile } from './render';

/** What a write changed. */
export interface WriteSummary {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

/** Raised when another run holds the output folder. */
export class OutputLockedError extends Error {}

/** Every file below `dir`, relative to it, in a stable order. */
function walk(dir: string, prefix = ''): { files: string[]; emptyDirs: string[] } {
  const files: string[] = [];
  const emptyDirs: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return { files, emptyDirs };
  }
  if (!entries.length && prefix) emptyDirs.push(prefix);
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      const below = walk(dir, path);
      files.push(...below.files);
      emptyDirs.push(...below.emptyDirs);
    } else {
      files.push(path);
    }
  }
  return { files, emptyDirs };
}

function isOurs(content: string): boolean {
  return content.startsWith(GENERATED_MARKER);
}

/** The files this tool wrote earlier below `outdir`, by the marker on their first line. */
export function readOwnedFiles(outdir: string): Map<string, string> {
  const owned = new Map<string, string>();
  for (const path of walk(outdir).files) {
    if (!path.endsWith('.k8s.yaml')) continue;
    const content = readFileSync(join(outdir, path), 'utf8');
    if (isOurs(content)) owned.set(path, content);
  }
  return owned;
}

/** What `outdir` lacks or holds in excess, compared with `files`: one line per file, empty when in sync. */
export function checkOutput(outdir: string, files: readonly RenderedFile[]): string[] {
  const owned = readOwnedFiles(outdir);
  const report: string[] = [];
  for (const file of files) {
    const current = owned.get(file.path);
    if (current === undefined) report.push(`missing: ${join(outdir, file.path)}`);
    else if (current !== file.content) report.push(`stale: ${join(outdir, file.path)}`);
    owned.delete(file.path);
  }
  for (const path of owned.keys()) report.push(`not in the spec: ${join(outdir, path)}`);
  return report;
}

function siblings(outdir: string) {
  const absolute = resolve(outdir);
  const beside = (suffix: string) => join(dirname(absolute), `.${basename(absolute)}.cdk8s-canary-${suffix}`);
  return { absolute, lock: beside('lock'), backup: beside('old'), staging: beside(`new-${process.pid}`) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the output folder's lock; a lock left by a process that is gone is taken over. */
function lock(path: string, outdir: string): () => void {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8'));
      if (attempt > 0 || (holder && isAlive(holder))) {
        throw new OutputLockedError(
          `another cdk8s-canary run (pid ${holder || 'unknown'}) is writing ${outdir}; run again when it has finished`,
        );
      }
      rmSync(path, { force: true });
    }
  }
}

/** Finishes or undoes a swap that a killed run left half done, and clears staging folders of dead runs. */
function recover(outdir: string, backup: string): void {
  const parent = dirname(outdir);
  const stagingPrefix = `.${basename(outdir)}.cdk8s-canary-new-`;
  for (const name of readdirSync(parent)) {
    if (name.startsWith(stagingPrefix) && !isAlive(Number(name.slice(stagingPrefix.length)))) {
      rmSync(join(parent, name), { recursive: true, force: true });
    }
  }
  if (!existsSync(backup)) return;
  if (existsSync(outdir)) rmSync(backup, { recursive: true, force: true });
  else renameSync(backup, outdir);
}

/** Makes each folder once, however many files go into it. */
function folderMaker(): (file: string) => void {
  const made = new Set<string>();
  return (file) => {
    const folder = dirname(file);
    if (made.has(folder)) return;
    mkdirSync(folder, { recursive: true });
    made.add(folder);
  };
}

function place(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/**
 * Writes `files` into `outdir` so that the folder changes all at once or not at all.
 *
 * The new tree is built in a folder beside `outdir` (the user's own files hard-linked in, this tool's
 * files written fresh), then swapped in with two renames; a run killed in between leaves the previous
 * tree aside, and the next run puts it back before anything else. Files this tool did not write are
 * kept; files it wrote for apps or stages that left the spec are removed. A second run on the same
 * folder at the same time is refused. When nothing changed, nothing is touched.
 */
export function writeOutput(outdir: string, files: readonly RenderedFile[]): WriteSummary {
  const { absolute, lock: lockPath, backup, staging } = siblings(outdir);
  mkdirSync(dirname(absolute), { recursive: true });
  const unlock = lock(lockPath, outdir);
  try {
    recover(absolute, backup);
    const owned = readOwnedFiles(absolute);
    const wanted = new Set(files.map((file) => file.path));
    const changed = files.filter((file) => owned.get(file.path) !== file.content);
    const removed = [...owned.keys()].filter((path) => !wanted.has(path));
    const summary = { written: changed.length, unchanged: files.length - changed.length, removed: removed.length };
    if (!changed.length && !removed.length) return summary;

    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      const { files: existing, emptyDirs } = walk(absolute);
      const rewritten = new Set([...changed.map((file) => file.path), ...removed]);
      const makeFolderOf = folderMaker();
      for (const path of existing) {
        if (rewritten.has(path)) continue;
        makeFolderOf(join(staging, path));
        place(join(absolute, path), join(staging, path));
      }
      for (const dir of emptyDirs) mkdirSync(join(staging, dir), { recursive: true });
      for (const file of changed) {
        makeFolderOf(join(staging, file.path));
        writeFileSync(join(staging, file.path), file.content);
      }
      if (existsSync(absolute)) renameSync(absolute, backup);
      renameSync(staging, absolute);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      recover(absolute, backup);
      throw error;
    }
    rmSync(backup, { recursive: true, force: true });
    return summary;
  } finally {
    unlock();
  }
}
