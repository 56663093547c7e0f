import { accessSync, closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, rmdirSync, statSync, unlinkSync, type Dirent, type Stats } from 'node:fs';
import { dirname, join, parse, posix, relative, resolve, sep } from 'node:path';
import { parseHeader, type FileHeader, type RenderedFile } from './header';
import { readRegularBytes, readRegularPrefix, slabs, type Allocate } from './bounded-read';
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
  /** The folders in an app's folder that hold its files, in name order. */
  readonly appFolders: readonly string[];
}


/** The largest generated file `--check` and synth read; a larger one is not this tool's. */
const MAX_GENERATED_FILE_BYTES = 16 * 1024 * 1024;
/** How much of a generated file is read to learn whose it is: its header, never the rest. */
const HEADER_BYTES = 64 * 1024;

/** A folder's identity: the same device and inode are the same folder, wherever it is named from. */
interface Identity {
  readonly dev: number;
  readonly ino: number;
}

/** What is at a path below the output folder, found without following any link. */
type Entry =
  | { readonly kind: 'generated'; readonly header: FileHeader; readonly size: number; readonly mode: number; readonly bytes?: Buffer }
  | { readonly kind: 'folder'; readonly identity: Identity }
  | { readonly kind: 'file' | 'link' | 'other' };

/**
 * The output folder as found: entries by path, the identity of each folder read (by relative path,
 * '.' for the output folder), what could not be read, and dead runs' temporary files.
 */
interface Scan {
  readonly entries: Map<string, Entry>;
  readonly folders: ReadonlyMap<string, Identity>;
  readonly unreadable: string[];
  readonly temporary: string[];
}

const FOLDER_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
// Where a descriptor of an open folder can be named, so that a name below it is looked up in that
// folder, whatever its path has become since it was opened (Node has no openat). Linux's /proc.
const DESCRIPTORS = '/proc/self/fd';

/**
 * A folder opened below the output folder, one component at a time, never through a link: `path`
 * names it through its descriptor, so what is done below `path` happens in this folder even if its
 * path is swapped for a link meanwhile. Without /proc, `path` is the plain path, checked component by
 * component just before use (see the README for the window that leaves).
 */
interface OpenFolder {
  readonly path: string;
  readonly identity: Identity;
  close(): void;
}

function identityOf(stats: { dev: number; ino: number }): Identity {
  return { dev: stats.dev, ino: stats.ino };
}

function sameFolder(a: Identity, b: Identity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** Raised when a folder below the output folder is not the one the run found, or not a folder. */
class ReplacedFolderError extends Error {}

function replaced(root: string, rel: string, isFolder: boolean, isLink: boolean): ReplacedFolderError {
  return new ReplacedFolderError(`${join(root, rel)} ${isLink ? 'became a symbolic link' : isFolder ? 'was replaced by another folder' : 'is no longer a folder'} during the run: nothing is written or removed through it`);
}

let descriptorsMounted: boolean | undefined;

/** Whether /proc names open descriptors here (looked up once a run). */
function viaDescriptors(): boolean {
  descriptorsMounted ??= existsSync(DESCRIPTORS);
  return descriptorsMounted;
}

/**
 * Opens one folder, `rel` below `root`, named `at` (the root itself, or a name inside a folder
 * already open): without following a link, and it must be a folder, the one the scan found (`known`)
 * or, for one made during the run, the one made. With `create`, a missing folder below the root is
 * made. Without /proc the folder is only checked, with `lstat`, and named by its path.
 */
function openStep(root: string, at: string, rel: string, known: Map<string, Identity>, create: boolean): OpenFolder {
  const check = (identity: Identity, isFolder: boolean, isLink: boolean) => {
    const expected = known.get(rel);
    if (!isFolder || (expected && !sameFolder(expected, identity))) throw replaced(root, rel, isFolder, isLink);
    if (!expected) known.set(rel, identity);
  };
  const opened = (path: string, close: () => void): OpenFolder => ({ path, identity: known.get(rel)!, close });
  if (!viaDescriptors()) {
    if (create && rel !== '.' && !existsSync(at)) mkdirSync(at);
    const stats = lstatSync(at);
    check(identityOf(stats), stats.isDirectory(), stats.isSymbolicLink());
    return opened(at, () => undefined);
  }
  let fd: number;
  try {
    fd = openSync(at, FOLDER_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && create && rel !== '.') {
      try {
        mkdirSync(at);
      } catch (made) {
        if ((made as NodeJS.ErrnoException).code !== 'EEXIST') throw made;
      }
      known.delete(rel);
      fd = openSync(at, FOLDER_FLAGS);
    } else {
      if (code === 'ELOOP' || code === 'ENOTDIR') check({ dev: -1, ino: -1 }, false, lstatSync(at).isSymbolicLink());
      throw error;
    }
  }
  try {
    check(identityOf(fstatSync(fd)), true, false);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return opened(`${DESCRIPTORS}/${fd}`, () => closeSync(fd));
}

/**
 * Opens the folder `folder` (relative, '.' for the root) below `root`, one component at a time,
 * each looked up in the one opened before it (see openStep). With `kept`, it starts from the deepest
 * folder on the way that is kept open, and keeps the ones it opens on the way.
 */
function openFolder(root: string, folder: string, known: Map<string, Identity>, create: boolean, kept?: KeptFolders): OpenFolder {
  const parts = folder === '.' ? [] : folder.split('/');
  const relAt = (depth: number) => (depth === 0 ? '.' : parts.slice(0, depth).join('/'));
  let depth = parts.length;
  let opened = kept?.get(relAt(depth));
  while (kept && !opened && depth > 0) {
    depth -= 1;
    opened = kept.get(relAt(depth));
  }
  if (!opened) {
    depth = 0;
    opened = openStep(root, root, '.', known, false);
  }
  for (; depth < parts.length; depth++) {
    let next: OpenFolder;
    try {
      next = openStep(root, `${opened.path}/${parts[depth]}`, relAt(depth + 1), known, create);
    } finally {
      if (!kept?.keep(relAt(depth), opened)) opened.close();
    }
    opened = next;
  }
  return opened;
}

/**
 * Runs `action` with `folder` open (see openFolder), then closes it, unless `kept` keeps it open for
 * the next action there; errors name the real path.
 */
function inFolder<T>(root: string, folder: string, known: Map<string, Identity>, create: boolean, action: (path: string) => T, kept?: KeptFolders): T {
  const opened = openFolder(root, folder, known, create, kept);
  try {
    return action(opened.path);
  } catch (error) {
    if (error instanceof Error && opened.path !== join(root, folder)) error.message = error.message.split(opened.path).join(join(root, folder));
    throw error;
  } finally {
    if (!kept?.keep(folder, opened)) opened.close();
  }
}

/**
 * The last few folders written into, and the folders on their way, kept open by descriptor: an app's
 * files go to its two folders one after the other, and each file would otherwise open every folder on
 * its path again. A kept
 * folder is used again only while its path still names it (one `lstat`); a folder moved, or swapped
 * for a link, since is opened afresh, component by component, which stops the run. Without /proc a
 * folder is named by its path, which is checked component by component before each write: nothing is kept.
 */
class KeptFolders {
  private readonly open = new Map<string, OpenFolder>();
  constructor(private readonly root: string, private readonly size: number) {}

  get(folder: string): OpenFolder | undefined {
    const opened = this.open.get(folder);
    if (!opened) return undefined;
    try {
      const stats = lstatSync(join(this.root, folder));
      if (stats.isDirectory() && sameFolder(identityOf(stats), opened.identity)) return opened;
    } catch {
      // Gone: opened afresh, which says what became of it.
    }
    opened.close();
    this.open.delete(folder);
    return undefined;
  }

  /** Keeps `opened` (the folder `folder`), closing the longest unused one past the size; false where none are kept. */
  keep(folder: string, opened: OpenFolder): boolean {
    if (!viaDescriptors()) return false;
    const before = this.open.get(folder);
    if (before && before !== opened) before.close();
    this.open.delete(folder);
    this.open.set(folder, opened);
    for (const [name, oldest] of this.open) {
      if (this.open.size <= this.size) break;
      oldest.close();
      this.open.delete(name);
    }
    return true;
  }

  closeAll(): void {
    for (const opened of this.open.values()) opened.close();
    this.open.clear();
  }
}

const TEMPORARY_SUFFIX = `${TEMPORARY.replace(/\./g, '\\.')}\\d+$`;
const LOCK_TEMPORARY = new RegExp(`^\\.cdk8s-canary\\.lock(\\.stale)?${TEMPORARY_SUFFIX}`);
const FILE_TEMPORARY = new RegExp(`^\\.(.+)${TEMPORARY_SUFFIX}`);

/**
 * Whether `name` in the folder `prefix` is a temporary file this tool writes there: a generated
 * file's (`.NAME.cdk8s-canary-tmp-PID` beside a file at the layout's own path) or, in the output
 * folder itself, the lock's. Only these are a dead run's to remove; any other name is someone's file.
 */
function isOwnTemporary(prefix: string, name: string, layout: OutputLayout): boolean {
  if (!prefix) return LOCK_TEMPORARY.test(name);
  const match = FILE_TEMPORARY.exec(name);
  return match !== null && layout.isAppFile(`${prefix}/${match[1]}`, prefix.split('/')[0]);
}

/** Where a generated file's header ends: the document start after it. */
const HEADER_END = '\n---\n';

/** A file's entry, from its dirent and, for a `.k8s.yaml` file, its header. */
function entryOf(folderPath: string, dirent: Dirent, allocate: Allocate): Entry {
  if (dirent.isSymbolicLink()) return { kind: 'link' };
  if (dirent.isDirectory()) return { kind: 'other' };
  if (!dirent.isFile()) return { kind: 'other' };
  if (!dirent.name.endsWith('.k8s.yaml')) return { kind: 'file' };
  let head;
  try {
    head = readRegularPrefix(`${folderPath}/${dirent.name}`, HEADER_BYTES, allocate);
  } catch {
    // Gone, or replaced by something else, since the folder was listed.
    return { kind: 'other' };
  }
  if (head.size > MAX_GENERATED_FILE_BYTES) return { kind: 'file' };
  // Only the header is decoded: the rest stays bytes until something needs it as text.
  const end = head.bytes.indexOf(HEADER_END);
  const header = parseHeader(head.bytes.toString('utf8', 0, end < 0 ? head.bytes.length : end + 1));
  if (!header) return { kind: 'file' };
  // A file no larger than its header's bound was read whole: its bytes are kept, so a stamp check
  // need not open it again. (A file cut since is read again when asked.)
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
function scan(root: string, layout: OutputLayout): Scan {
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
      if (dirent.isFile() && isOwnTemporary(prefix, dirent.name, layout)) temporary.push(path);
      else if (dirent.isDirectory()) folders.push(dirent.name);
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
 * It needs only the paths to be written, so it runs before anything is rendered; `unchanged` are
 * paths whose files are known to be as found (their stamps verify): nothing is written there.
 */
function changesFor(root: string, found: Scan, paths: readonly string[], ownership: Ownership, unchanged: ReadonlySet<string>): Changes {
  const problems = found.unreadable.map((folder) => `cannot read ${join(root, folder)}: its files could be this spec's; fix its permissions`);
  const writable = new Set<string>();
  const wanted = new Set(paths);
  const takeOver = ' (--take-over replaces it)';
  // Each folder on the way to a path to be written, once.
  const onTheWay = new Set<string>();
  for (const path of paths) {
    for (let end = unchanged.has(path) ? -1 : path.indexOf('/'); end > 0; end = path.indexOf('/', end + 1)) {
      const folder = path.slice(0, end);
      if (onTheWay.has(folder)) continue;
      onTheWay.add(folder);
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
  const folders = new Set([...writable].filter((path) => !unchanged.has(path)).concat(remove).map((path) => posix.dirname(path)));
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

/** Whether `file` differs from what the folder holds at its path; `read` gives the held bytes. */
function changed(found: Scan, file: RenderedFile, read: () => Buffer | undefined): boolean {
  const entry = found.entries.get(file.path);
  return entry?.kind !== 'generated' || entry.size !== Buffer.byteLength(file.content) || !read()?.equals(Buffer.from(file.content));
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
function outputRoot(outdir: string): string {
  try {
    return realpathSync(outdir);
  } catch {
    makeFolders(outdir);
    return realpathSync(outdir);
  }
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

/** The bytes of the generated file at `path` as the output folder held it when read, or undefined. */
export type FoundFiles = (path: string) => Buffer | undefined;

/**
 * The bytes of the generated files a scan found, each read when first asked for (through its
 * folder's descriptor, bounded) and kept: a re-run reads each file once, to check its stamp.
 */
function generatedReader(root: string, found: Scan, known: Map<string, Identity>): FoundFiles {
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
 *
 * `asFound`, given the files as found, names the paths whose files are known to be as they should be
 * (their stamps verify): they are not written, and their folders need not be writable.
 */
export function openOutput(outdir: string, paths: readonly string[], ownership: Ownership, asFound?: (found: FoundFiles) => ReadonlySet<string>): OutputWriter {
  const root = outputRoot(outdir);
  const held = lock(root, outdir);
  let changes: Changes;
  let found: Scan;
  let known: Map<string, Identity>;
  let kept: ReadonlySet<string>;
  try {
    found = scan(root, ownership.layout);
    held.refresh();
    // Every write and removal happens in a folder opened by descriptor, component by component, that
    // must be the one the scan found (or this run made): a folder swapped for a link meanwhile is
    // neither written nor deleted through.
    known = new Map(found.folders);
    kept = asFound?.(generatedReader(root, found, known)) ?? new Set();
    changes = changesFor(root, found, paths, ownership, kept);
    if (changes.problems.length) throw new OutputConflictError(`nothing was written:\n  ${changes.problems.join('\n  ')}`);
  } catch (error) {
    held.release();
    throw error;
  }
  try {
    // Only runs holding the lock write temporary files, and this one holds it: their writer is gone.
    for (const path of found.temporary) inFolder(root, posix.dirname(path), known, false, (folder) => unlinkSync(`${folder}/${posix.basename(path)}`));
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
        removeEmptyFolders(root, changes.remove, ownership.layout, known);
        return { written, unchanged: unchanged + kept.size, removed: changes.remove.length };
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
  /** The bytes of the generated file at `path`, or undefined. */
  readonly found: FoundFiles;
  /**
   * What the folder lacks, holds in excess or holds in conflict, compared with `files` (see
   * checkOutput) and with `kept`, the paths of files known to be as they should be (their stamps verify).
   */
  check(files: readonly RenderedFile[], kept?: readonly string[]): string[];
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
  const found = scan(root, ownership.layout);
  const known = new Map(found.folders);
  const bytes = generatedReader(root, found, known);
  const content = (path: string) => bytes(path)?.toString('utf8');
  return {
    found: bytes,
    check(files, kept = []) {
      const paths = [...kept, ...files.map((file) => file.path)];
      const changes = changesFor(root, found, paths, { ...ownership, takeOver: false }, new Set(kept));
      const report = changes.problems.map((problem) => `conflict: ${problem}`);
      for (const file of files.filter((each) => changes.writable.has(each.path))) {
        if (!changed(found, file, () => bytes(file.path))) continue;
        const entry = found.entries.get(file.path);
        if (entry?.kind !== 'generated') report.push(`missing: ${join(outdir, file.path)}`);
        else report.push(`stale: ${join(outdir, file.path)}\n${shortDiff(file.path, content(file.path) ?? '', file.content)}`);
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
