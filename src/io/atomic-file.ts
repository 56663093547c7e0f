import { chmodSync, chownSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** In the name of every temporary file this tool writes; a run holding the lock removes dead runs' ones. */
export const TEMPORARY = '.cdk8s-canary-tmp-';

/**
 * Writes a file all at once: a hidden temporary file beside it (not a `.yaml` name, so no reader
 * takes it for a manifest), then a rename over it. `mode`, when given, is the file's.
 */
export function writeAtomically(path: string, content: string, mode?: number, owner?: { uid: number; gid: number }): void {
  const temporary = join(dirname(path), `.${basename(path)}${TEMPORARY}${process.pid}`);
  try {
    writeFileSync(temporary, content, { flag: 'wx' });
    if (mode !== undefined) chmodSync(temporary, mode);
    if (owner) keepOwner(temporary, owner);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Replaces a file's content all at once, keeping what the file was: its mode and owner, and, for a
 * symlink, the link (the target's content changes).
 */
export function replaceFileContent(file: string, content: string): void {
  const target = realpathSync(file);
  const { mode, uid, gid } = statSync(target);
  writeAtomically(target, content, mode & 0o7777, { uid, gid });
}

/** Gives the file its old owner where this process may; elsewhere it is the writer's, as after any edit. */
function keepOwner(file: string, { uid, gid }: { uid: number; gid: number }): void {
  const current = statSync(file);
  if (current.uid === uid && current.gid === gid) return;
  try {
    chownSync(file, uid, gid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}
