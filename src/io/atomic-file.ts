import { chmodSync, chownSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readRegularFile } from './bounded-read';

/** In the name of every temporary file this tool writes; a run holding the lock removes dead runs' ones. */
export const TEMPORARY = '.cdk8s-canary-tmp-';
/** The end of a temporary file's name, `.cdk8s-canary-tmp-PID`, as a regular expression. */
export const TEMPORARY_SUFFIX = `${TEMPORARY.replace(/\./g, '\\.')}\\d+$`;

/**
 * Writes a file all at once: a hidden temporary file beside it (not a `.yaml` name, so no reader
 * takes it for a manifest), then a rename over it. `mode`, when given, is the file's.
 */
export function writeAtomically(path: string, content: string, mode?: number, owner?: { uid: number; gid: number }, unchangedSince?: () => void): void {
  const temporary = join(dirname(path), `.${basename(path)}${TEMPORARY}${process.pid}`);
  try {
    writeFileSync(temporary, content, { flag: 'wx' });
    // The owner first: a change of owner clears the set-user-ID and set-group-ID bits.
    if (owner) keepOwner(temporary, owner);
    if (mode !== undefined) chmodSync(temporary, mode);
    unchangedSince?.();
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Raised when a file changed between its reading and its replacement: nothing was replaced. */
class FileChangedError extends Error {}

/**
 * Replaces a file's content all at once, keeping what the file was: its mode and owner, and, for a
 * symlink, the link (the target's content changes). With `read`, the content the new one was made
 * from, a file that no longer holds it (an edit saved meanwhile) is left as it is, and
 * FileChangedError is thrown. The check is made just before the rename; an edit saved between the
 * two is the one window left.
 */
export function replaceFileContent(file: string, content: string, read?: string): void {
  const target = realpathSync(file);
  const { mode, uid, gid } = statSync(target);
  writeAtomically(target, content, mode & 0o7777, { uid, gid }, read === undefined ? undefined : () => {
    let now: string | undefined;
    try {
      now = readRegularFile(target, Buffer.byteLength(read) + 1);
    } catch {
      // Grown, gone or replaced by something else: changed.
    }
    if (now !== read) throw new FileChangedError(`${file} changed while it was being edited; nothing was written: run the command again`);
  });
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
