// The output folder as found where the layout writes, read once a run and never through a link.
import { lstatSync, readdirSync, type Dirent, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { readRegularBytes, readRegularPrefix, slabs, type Allocate } from './bounded-read';
import { identityOf, inFolder, replaced, type Identity } from './folders';
import { HEADER_END, parseHeader, type FileHeader, type RenderedFile } from './header';
import { isLeftOver, LOCK_NAME } from './lock';
import { isOwnTemporary, type OutputLayout } from './ownership';

/** The largest generated file `--check` and synth read; a larger one is not this tool's. */
export const MAX_GENERATED_FILE_BYTES = 16 * 1024 * 1024;
/** How much of a generated file is read to learn whose it is: its header, never the rest. */
const HEADER_BYTES = 64 * 1024;

/** What is at a path below the output folder, found without following any link. */
type Entry =
  | { readonly kind: 'generated'; readonly header: FileHeader; readonly size: number; readonly mode: number; readonly bytes?: Buffer }
  | { readonly kind: 'folder'; readonly identity: Identity }
  | { readonly kind: 'file' | 'link' | 'other' }
  /** A `.k8s.yaml` file whose header could not be read: whose it is cannot be told. */
  | { readonly kind: 'unreadable'; readonly code: string };

/**
 * The output folder as found: entries by path, the identity of each folder read (by relative path,
 * '.' for the output folder), what could not be read, and dead runs' temporary files.
 */
export interface Scan {
  readonly entries: Map<string, Entry>;
  readonly folders: ReadonlyMap<string, Identity>;
  readonly unreadable: string[];
  readonly temporary: string[];
}

/** A file's entry, from its dirent and, for a `.k8s.yaml` file, its header. */
function entryOf(folderPath: string, dirent: Dirent, allocate: Allocate): Entry {
  if (dirent.isSymbolicLink()) return { kind: 'link' };
  if (dirent.isDirectory()) return { kind: 'other' };
  if (!dirent.isFile()) return { kind: 'other' };
  if (!dirent.name.endsWith('.k8s.yaml')) return { kind: 'file' };
  let head;
  try {
    head = readRegularPrefix(`${folderPath}/${dirent.name}`, HEADER_BYTES, allocate);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { kind: 'unreadable', code };
    // Gone, or replaced by something else, since the folder was listed.
    return { kind: 'other' };
  }
  if (head.size > MAX_GENERATED_FILE_BYTES) return { kind: 'file' };
  // Only the header is decoded: the rest stays bytes until something needs it as text.
  const end = head.bytes.indexOf(HEADER_END);
  const header = parseHeader(head.bytes.toString('utf8', 0, end < 0 ? head.bytes.length : end + 1));
  if (!header) return { kind: 'file' };
  // A file no larger than its header's bound was read whole: its bytes are kept, so comparing it with
  // a render need not open it again. (A file cut since is read again when asked.)
  const whole = head.bytes.length === head.size;
  return { kind: 'generated', header, size: head.size, mode: head.mode & 0o7777, ...(whole ? { bytes: head.bytes } : {}) };
}

/**
 * What the output folder holds where this tool writes: the files at its top, and the files of each
 * folder in it that is laid out as an app's (`web/stages`, `web/current`); nothing else below is
 * the tool's to write, remove or read. Nothing is followed through a link: each folder is checked
 * with `lstat`, its identity recorded so that writes and removals can check they are in the same
 * folder, and listed by its path. Of a generated file only the header is read, never through a
 * link. Dead runs' temporary files are listed apart.
 *
 * Reading by path keeps the scan to one lookup a name: opening each folder by descriptor, as writes
 * and removals do, cost a re-run a fifth of its time in /proc lookups. A folder swapped for a link
 * between its check and its listing can show the scan another folder's files, but nothing is written
 * or removed on the scan's word alone: each write and removal opens every folder on its path by
 * descriptor and stops unless each is the one recorded here.
 */
export function scan(root: string, layout: OutputLayout): Scan {
  const entries = new Map<string, Entry>();
  const unreadable: string[] = [];
  const temporary: string[] = [];
  const known = new Map<string, Identity>();
  // The files are kept until the run ends: read into shared slabs.
  const allocate = slabs();
  const pathOf = (rel: string) => (rel === '.' ? root : `${root}/${rel}`);
  /** Records the folder `rel`, as `lstat` found it: a folder, or something that stops the run. */
  const record = (rel: string, stats: Stats) => {
    if (!stats.isDirectory()) throw replaced(root, rel, false, stats.isSymbolicLink());
    const identity = identityOf(stats);
    known.set(rel, identity);
    if (rel !== '.') entries.set(rel, { kind: 'folder', identity });
  };
  /** The entries of the files in the folder `rel`; the names of the folders in it. */
  const list = (rel: string): string[] => {
    const prefix = rel === '.' ? '' : rel;
    let dirents: Dirent[];
    try {
      dirents = readdirSync(pathOf(rel), { withFileTypes: true });
    } catch (error) {
      unreadable.push(`${rel} (${(error as NodeJS.ErrnoException).code})`);
      return [];
    }
    const folders: string[] = [];
    for (const dirent of dirents.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = prefix ? `${prefix}/${dirent.name}` : dirent.name;
      if (!prefix && dirent.name === LOCK_NAME) continue;
      if (dirent.isFile() && isOwnTemporary(prefix, dirent.name, layout)) {
        // The lock's temporary files, at the top, may be a live run's, one taking the lock now.
        if (prefix || isLeftOver(`${pathOf(rel)}/${dirent.name}`)) temporary.push(path);
      } else if (dirent.isDirectory()) folders.push(dirent.name);
      else entries.set(path, entryOf(pathOf(rel), dirent, allocate));
    }
    return folders;
  };
  /** What `lstat` finds at `rel`; undefined for nothing, or for what cannot be read (noted as `folder`'s). */
  const look = (rel: string, folder: string): Stats | undefined => {
    try {
      return lstatSync(pathOf(rel));
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      if (code !== 'ENOENT') unreadable.push(`${folder} (${code})`);
      return undefined;
    }
  };
  record('.', lstatSync(root));
  for (const app of list('.')) {
    const appStats = look(app, app);
    if (!appStats) continue;
    record(app, appStats);
    for (const folder of layout.appFolders) {
      const rel = `${app}/${folder}`;
      const stats = look(rel, app);
      if (!stats) continue;
      if (stats.isDirectory()) {
        record(rel, stats);
        list(rel);
      } else {
        entries.set(rel, { kind: stats.isSymbolicLink() ? 'link' : stats.isFile() ? 'file' : 'other' });
      }
    }
  }
  return { entries, folders: known, unreadable, temporary };
}

/** The bytes of a generated file the scan found, read through its folder's descriptor. */
function readGenerated(root: string, path: string, known: Map<string, Identity>): Buffer | undefined {
  try {
    return inFolder(root, posix.dirname(path), known, false, (folder) => readRegularBytes(`${folder}/${posix.basename(path)}`, MAX_GENERATED_FILE_BYTES));
  } catch {
    return undefined;
  }
}

/** The bytes of the generated file at `path` as the output folder held it when read, or undefined. */
export type FoundFiles = (path: string) => Buffer | undefined;

/**
 * The bytes of the generated files a scan found, each read when first asked for (through its
 * folder's descriptor, bounded) and kept.
 */
export function generatedReader(root: string, found: Scan, known: Map<string, Identity>): FoundFiles {
  const read = new Map<string, Buffer | undefined>();
  return (path) => {
    const entry = found.entries.get(path);
    if (entry?.kind !== 'generated') return undefined;
    if (entry.bytes !== undefined) return entry.bytes;
    if (!read.has(path)) read.set(path, readGenerated(root, path, known));
    return read.get(path);
  };
}

/**
 * Whether `file` differs from what the folder holds at its path, byte for byte: the bytes the scan
 * kept, or else those `read` gives.
 */
export function changed(found: Scan, file: RenderedFile, read: () => Buffer | undefined): boolean {
  const entry = found.entries.get(file.path);
  if (entry?.kind !== 'generated' || entry.size !== Buffer.byteLength(file.content)) return true;
  return !(entry.bytes ?? read())?.equals(Buffer.from(file.content));
}
