// A write run: the lock, the scan, the conflicts checked before anything is written, then each file whole.
import { rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { writeAtomically } from './atomic-file';
import { OutputConflictError } from './errors';
import { inFolder, KeptFolders, type Identity } from './folders';
import type { RenderedFile } from './header';
import { lock } from './lock';
import { outputRoot } from './output-folder';
import { changesFor, type Changes } from './changes';
import type { Ownership, OutputLayout } from './ownership';
import { changed, MAX_GENERATED_FILE_BYTES, scan, type Scan } from './scan';
import { readRegularBytes } from './bounded-read';

/** What a write changed. */
export interface WriteSummary {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

/** Removes the folders this tool makes for an app that a removal left empty. */
function removeEmptyFolders(root: string, removed: readonly string[], layout: OutputLayout, known: Map<string, Identity>): void {
  const folders = new Set<string>();
  for (const path of removed) {
    for (let folder = posix.dirname(path); folder !== '.'; folder = posix.dirname(folder)) folders.add(folder);
  }
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
    if (!layout.isAppFolder(folder)) continue;
    try {
      inFolder(root, posix.dirname(folder), known, false, (parent) => rmdirSync(`${parent}/${posix.basename(folder)}`));
    } catch {
      // Not empty: it holds other files, which stay. A folder that is no longer the one found stays too.
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
 * the same folder at the same time is refused. A file that is already as it should be, byte for byte,
 * is not touched.
 */
export function openOutput(outdir: string, paths: readonly string[], ownership: Ownership): OutputWriter {
  const root = outputRoot(outdir);
  const held = lock(root, outdir);
  let changes: Changes;
  let found: Scan;
  let known: Map<string, Identity>;
  try {
    found = scan(root, ownership.layout);
    held.refresh();
    // Every write and removal happens in a folder opened by descriptor, component by component, that
    // must be the one the scan found (or this run made): a folder swapped for a link meanwhile is
    // neither written nor deleted through.
    known = new Map(found.folders);
    changes = changesFor(root, found, paths, ownership);
    if (changes.problems.length) throw new OutputConflictError(`nothing was written:\n  ${changes.problems.join('\n  ')}`);
  } catch (error) {
    held.release();
    throw error;
  }
  try {
    // Only runs holding the lock write generated files' temporary files, and this one holds it: their
    // writer is gone. The scan lists the lock's only when left over. One gone meanwhile is as wanted.
    for (const path of found.temporary) inFolder(root, posix.dirname(path), known, false, (folder) => rmSync(`${folder}/${posix.basename(path)}`, { force: true }));
  } catch (error) {
    held.release();
    throw error;
  }
  let written = 0;
  let unchanged = 0;
  const folders = new KeptFolders(root, 8);
  return {
    write(file) {
      if (!changes.writable.has(file.path)) throw new Error(`writer: ${file.path} was not opened for writing`);
      const entry = found.entries.get(file.path);
      const name = posix.basename(file.path);
      try {
        held.refresh();
        const done = inFolder(root, posix.dirname(file.path), known, true, (folder) => {
          if (!changed(found, file, () => readRegularBytes(`${folder}/${name}`, MAX_GENERATED_FILE_BYTES))) return false;
          writeAtomically(`${folder}/${name}`, file.content, entry?.kind === 'generated' ? entry.mode : undefined);
          return true;
        }, folders);
        if (done) written++;
        else unchanged++;
      } catch (error) {
        throw new Error(`writing stopped after ${written + unchanged} of ${paths.length} files, each whole, old or new; run again to finish: ${(error as Error).message}`);
      }
    },
    close() {
      folders.closeAll();
      try {
        for (const path of changes.remove) inFolder(root, posix.dirname(path), known, false, (folder) => unlinkSync(`${folder}/${posix.basename(path)}`));
        // An app's stages/ or current/ found empty and not written into (a run stopped after its
        // removals): removed too, with its app folder if that is left empty.
        const occupied = new Set([...found.entries.keys(), ...paths].map((path) => posix.dirname(path)));
        const empty = [...found.folders.keys()].filter((folder) => folder.includes('/') && ownership.layout.isAppFolder(folder) && !occupied.has(folder));
        removeEmptyFolders(root, [...changes.remove, ...empty.map((folder) => `${folder}/.`)], ownership.layout, known);
        return { written, unchanged, removed: changes.remove.length };
      } finally {
        held.release();
      }
    },
    abort: () => {
      folders.closeAll();
      held.release();
    },
  };
}
