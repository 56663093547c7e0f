import { accessSync, constants, lstatSync, mkdirSync, readdirSync, realpathSync, rmdirSync, rmSync, statSync, unlinkSync, type Dirent } from 'node:fs';
import { dirname, join, parse, posix, relative, resolve, sep } from 'node:path';
import { parseHeader, type FileHeader, type RenderedFile } from './header';
import { readRegularFile } from './bounded-read';
import { TEMPORARY, writeAtomically } from './atomic-file';
import { OutputConflictError } from './errors';
import { lock, LOCK_NAME } from './lock';

/** What a write changed. */
export interface WriteSummary {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

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
}


/** The largest generated file `--check` and synth read; a larger one is not this tool's. */
const MAX_GENERATED_FILE_BYTES = 16 * 1024 * 1024;

/** What is at a path below the output folder, found without following any link. */
type Entry =
  | { readonly kind: 'generated'; readonly header: FileHeader; readonly content: string; readonly mode: number }
  | { readonly kind: 'file' | 'link' | 'folder' | 'other' };

/** The output folder as found: entries by path, and what could not be read. */
interface Scan {
  readonly entries: Map<string, Entry>;
  readonly unreadable: string[];
}

function entryOf(path: string, dirent: Dirent): Entry {
  if (dirent.isSymbolicLink()) return { kind: 'link' };
  if (dirent.isDirectory()) return { kind: 'folder' };
  if (!dirent.isFile()) return { kind: 'other' };
  if (!path.endsWith('.k8s.yaml')) return { kind: 'file' };
  const stats = lstatSync(path);
  if (stats.size > MAX_GENERATED_FILE_BYTES) return { kind: 'file' };
  const content = readRegularFile(path, MAX_GENERATED_FILE_BYTES);
  const header = parseHeader(content);
  return header ? { kind: 'generated', header, content, mode: stats.mode & 0o7777 } : { kind: 'file' };
}

/**
 * Everything below `root`, without following links. With `clean`, under the lock, temporary files of
 * dead runs are removed; --check, which writes nothing, leaves them to the next synth.
 */
function scan(root: string, clean: boolean): Scan {
  const entries = new Map<string, Entry>();
  const unreadable: string[] = [];
  const walk = (prefix: string) => {
    let dirents: Dirent[];
    try {
      dirents = readdirSync(join(root, prefix), { withFileTypes: true });
    } catch (error) {
      unreadable.push(`${prefix || '.'} (${(error as NodeJS.ErrnoException).code})`);
      return;
    }
    for (const dirent of dirents.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = prefix ? `${prefix}/${dirent.name}` : dirent.name;
      if (dirent.name.includes(TEMPORARY) || (!prefix && dirent.name === LOCK_NAME)) {
        // Only runs holding the lock write temporary files, and this one holds it: their writer is gone.
        if (clean && dirent.isFile() && dirent.name !== LOCK_NAME) rmSync(join(root, path), { force: true });
        continue;
      }
      const entry = entryOf(join(root, path), dirent);
      entries.set(path, entry);
      if (entry.kind === 'folder') walk(path);
    }
  };
  walk('');
  return { entries, unreadable };
}

/** Whether this run may replace or remove a generated file. */
function owns(header: FileHeader, ownership: Ownership): boolean {
  if (header.spec !== undefined) return header.spec === ownership.spec;
  return header.app !== undefined && ownership.apps.includes(header.app);
}

interface Changes {
  /** The paths this run may write: new files and files of its own. */
  readonly writable: ReadonlySet<string>;
  readonly remove: string[];
  readonly problems: string[];
}

/**
 * What a run may write and must remove, and what stops it: files of others, links, unreadable folders.
 * It needs only the paths to be written, so it runs before anything is rendered.
 */
function changesFor(root: string, found: Scan, paths: readonly string[], ownership: Ownership): Changes {
  const problems = found.unreadable.map((folder) => `cannot read ${join(root, folder)}: its files could be this spec's; fix its permissions`);
  const writable = new Set<string>();
  const wanted = new Set(paths);
  const takeOver = ' (--take-over replaces it)';
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      const entry = found.entries.get(folder);
      if (entry && entry.kind !== 'folder') {
        problems.push(`${join(root, folder)} is ${entry.kind === 'link' ? 'a symbolic link' : 'not a folder'}: files are written only into real folders below the output folder`);
      }
    }
    const entry = found.entries.get(path);
    if (!entry || (entry.kind === 'generated' && owns(entry.header, ownership))) writable.add(path);
    else if (entry.kind === 'generated' && !ownership.takeOver) {
      problems.push(`${join(root, path)} belongs to ${entry.header.spec ?? `app ${entry.header.app}`}, another spec${takeOver}`);
    } else if ((entry.kind === 'file' || entry.kind === 'link') && !ownership.takeOver) {
      problems.push(`${join(root, path)} is ${entry.kind === 'link' ? 'a symbolic link' : 'a file'} this tool did not write${takeOver}`);
    } else if (entry.kind === 'folder' || entry.kind === 'other') {
      problems.push(`${join(root, path)} is not a regular file`);
    } else {
      writable.add(path);
    }
  }
  // Only a file at a path where this tool writes its app's files is its own: a copy elsewhere is the user's.
  const remove = [...found.entries].filter(([path, entry]) => entry.kind === 'generated' && !wanted.has(path) && owns(entry.header, ownership)
    && entry.header.app !== undefined && ownership.layout.isAppFile(path, entry.header.app)).map(([path]) => path);
  // A folder it may change but may not write into stops the run here, not halfway.
  const folders = new Set([...writable, ...remove].map((path) => posix.dirname(path)));
  const checked = new Set<string>();
  for (let folder of folders) {
    // A folder still to be made is made in the nearest one that exists.
    while (folder !== '.' && !found.entries.has(folder)) folder = posix.dirname(folder);
    if (checked.has(folder) || (folder !== '.' && found.entries.get(folder)?.kind !== 'folder')) continue;
    checked.add(folder);
    const path = join(root, folder);
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      problems.push(`cannot write into ${path} (${(error as NodeJS.ErrnoException).code}): it is read-only to this user`);
    }
  }
  return { writable, remove, problems: [...new Set(problems)] };
}

/** Whether `file` differs from what the folder holds at its path. */
function changed(found: Scan, file: RenderedFile): boolean {
  const entry = found.entries.get(file.path);
  return entry?.kind !== 'generated' || entry.content !== file.content;
}

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

/** The output folder's real location: a symlinked output folder is followed, and stays a link. */
function outputRoot(outdir: string): string {
  try {
    return realpathSync(outdir);
  } catch {
    mkdirSync(outdir, { recursive: true });
    return realpathSync(outdir);
  }
}

/** Removes the folders this tool makes for an app that a removal left empty. */
function removeEmptyFolders(root: string, removed: readonly string[], layout: OutputLayout): void {
  const folders = new Set<string>();
  for (const path of removed) {
    for (let folder = posix.dirname(path); folder !== '.'; folder = posix.dirname(folder)) folders.add(folder);
  }
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
    if (!layout.isAppFolder(folder)) continue;
    try {
      rmdirSync(join(root, folder));
    } catch {
      // Not empty: it holds other files, which stay.
    }
  }
}

/** An output folder opened for writing: files go in as they are rendered, then `close` ends the run. */
export interface OutputWriter {
  /** Writes one file, unless the folder holds it as it is. Its path must be one given to openOutput. */
  write(file: RenderedFile): void;
  /** Removes this spec's files that no longer belong to it, releases the folder and says what changed. */
  close(): WriteSummary;
  /** Releases the folder after a failure; what was written stays, each file whole. */
  abort(): void;
  /** The content of the generated file at `path` as the folder held it when opened, or undefined. */
  found(path: string): string | undefined;
}

/** A generated file's content as a scan found it. */
function generatedContent(found: Scan, path: string): string | undefined {
  const entry = found.entries.get(path);
  return entry?.kind === 'generated' ? entry.content : undefined;
}

/**
 * Opens `outdir` to write the files at `paths`, touching only what this tool wrote for the same spec.
 *
 * It takes the folder's lock and reads the folder first, without following links, and throws before
 * writing anything if a path it must write holds a file of another spec, a file without the marker, or
 * a link, or if a folder cannot be read or written. Each changed file is then written to a temporary
 * file beside it and renamed over it, so a reader sees every file old or new, never part of one; a
 * killed run's temporary files are removed by the next run, which also finishes the job. Folders keep
 * their modes, owners and special bits, a symlinked output folder is written through (it stays a
 * link), and the output folder itself is never replaced, so it may be a mount point. A second run on
 * the same folder at the same time is refused. A file that is already as it should be is not touched.
 */
export function openOutput(outdir: string, paths: readonly string[], ownership: Ownership): OutputWriter {
  const root = outputRoot(outdir);
  const held = lock(root, outdir);
  let changes: Changes;
  let found: Scan;
  try {
    found = scan(root, true);
    held.refresh();
    changes = changesFor(root, found, paths, ownership);
    if (changes.problems.length) throw new OutputConflictError(`nothing was written:\n  ${changes.problems.join('\n  ')}`);
  } catch (error) {
    held.release();
    throw error;
  }
  const made = new Set<string>();
  let written = 0;
  let unchanged = 0;
  return {
    write(file) {
      if (!changes.writable.has(file.path)) throw new Error(`writer: ${file.path} was not opened for writing`);
      if (!changed(found, file)) {
        unchanged++;
        return;
      }
      const folder = posix.dirname(file.path);
      const entry = found.entries.get(file.path);
      try {
        held.refresh();
        if (!made.has(folder)) mkdirSync(join(root, folder), { recursive: true });
        made.add(folder);
        writeAtomically(join(root, file.path), file.content, entry?.kind === 'generated' ? entry.mode : undefined);
        written++;
      } catch (error) {
        throw new Error(`writing stopped after ${written + unchanged} of ${paths.length} files, each whole, old or new; run again to finish: ${(error as Error).message}`);
      }
    },
    close() {
      try {
        for (const path of changes.remove) unlinkSync(join(root, path));
        removeEmptyFolders(root, changes.remove, ownership.layout);
        return { written, unchanged, removed: changes.remove.length };
      } finally {
        held.release();
      }
    },
    abort: () => held.release(),
    found: (path) => generatedContent(found, path),
  };
}

/** A short unified diff of a stale file: what synth would change. */
function shortDiff(path: string, before: string, after: string, maxLines = 40): string {
  // Loaded only for a stale file: a run that finds none does without it.
  const { createTwoFilesPatch } = require('diff') as typeof import('diff');
  const lines = createTwoFilesPatch(`${path} (on disk)`, `${path} (from the spec)`, before, after, undefined, undefined, { context: 2 })
    .split('\n').filter((line) => line !== '' && !line.startsWith('=====') && line !== '\\ No newline at end of file');
  const shown = lines.slice(0, maxLines);
  if (lines.length > maxLines) shown.push(`... ${lines.length - maxLines} more diff lines`);
  return shown.map((line) => `    ${line}`).join('\n');
}

/** The output folder as read for `--check`: its generated files, and how it compares with what should be. */
export interface OutputInspection {
  /** The content of the generated file at `path`, or undefined. */
  found(path: string): string | undefined;
  /** What the folder lacks, holds in excess or holds in conflict, compared with `files` (see checkOutput). */
  check(files: readonly RenderedFile[]): string[];
}

/** Reads `outdir` once for `--check`: writes nothing; reads only regular files of bounded size, without following links. */
export function inspectOutput(outdir: string, ownership: Ownership): OutputInspection {
  let root: string;
  try {
    root = realpathSync(outdir);
    if (!statSync(root).isDirectory()) return { found: () => undefined, check: () => [`not a folder: ${outdir}`] };
  } catch {
    return { found: () => undefined, check: (files) => files.map((file) => `missing: ${join(outdir, file.path)}`) };
  }
  const found = scan(root, false);
  return {
    found: (path) => generatedContent(found, path),
    check(files) {
      const changes = changesFor(root, found, files.map((file) => file.path), { ...ownership, takeOver: false });
      const report = changes.problems.map((problem) => `conflict: ${problem}`);
      for (const file of files.filter((each) => changes.writable.has(each.path) && changed(found, each))) {
        const entry = found.entries.get(file.path);
        if (entry?.kind !== 'generated') report.push(`missing: ${join(outdir, file.path)}`);
        else report.push(`stale: ${join(outdir, file.path)}\n${shortDiff(file.path, entry.content, file.content)}`);
      }
      for (const path of changes.remove) report.push(`not in the spec: ${join(outdir, path)}`);
      return report;
    },
  };
}

/**
 * What `outdir` lacks, holds in excess or holds in conflict, compared with `files`: one entry per
 * file (a stale one with a short diff), empty when in sync. Writes nothing; reads only regular files
 * of bounded size, without following links.
 */
export function checkOutput(outdir: string, files: readonly RenderedFile[], ownership: Ownership): string[] {
  return inspectOutput(outdir, ownership).check(files);
}
