import { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Folders below the output folder, opened one component at a time and never through a link, each
 * checked against the identity the scan recorded: what is written or removed below one happens in
 * that folder, even if its path is swapped for a link meanwhile.
 */

/** A folder's identity: the same device and inode are the same folder, wherever it is named from. */
export interface Identity {
  readonly dev: number;
  readonly ino: number;
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

export function identityOf(stats: { dev: number; ino: number }): Identity {
  return { dev: stats.dev, ino: stats.ino };
}

function sameFolder(a: Identity, b: Identity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** Raised when a folder below the output folder is not the one the run found, or not a folder. */
class ReplacedFolderError extends Error {}

export function replaced(root: string, rel: string, isFolder: boolean, isLink: boolean): ReplacedFolderError {
  return new ReplacedFolderError(`${join(root, rel)} ${isLink ? 'became a symbolic link' : isFolder ? 'was replaced by another folder' : 'is no longer a folder'} during the run: nothing is written or removed through it`);
}

/** Raised when a folder the run found, or made, is gone: moved or removed by someone else meanwhile. */
function gone(root: string, rel: string): ReplacedFolderError {
  return new ReplacedFolderError(`${join(root, rel)} was moved or removed during the run: nothing is written in its place`);
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
 * or, for one made during the run, the one made. With `create`, a missing folder below the root that
 * the run has not seen (a folder it found or made and that is gone stops it) is
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
    if (create && rel !== '.' && !existsSync(at)) {
      if (known.has(rel)) throw gone(root, rel);
      mkdirSync(at);
    }
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
      if (known.has(rel)) throw gone(root, rel);
      try {
        mkdirSync(at);
      } catch (made) {
        if ((made as NodeJS.ErrnoException).code !== 'EEXIST') throw made;
      }
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
export function inFolder<T>(root: string, folder: string, known: Map<string, Identity>, create: boolean, action: (path: string) => T, kept?: KeptFolders): T {
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
export class KeptFolders {
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
