import { chmodSync, chownSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces a file's content all at once (a temporary file beside it, then a rename), keeping what
 * the file was: its mode and owner, and, for a symlink, the link (the target's content changes).
 */
export function replaceFileContent(file: string, content: string): void {
  const target = realpathSync(file);
  const { mode, uid, gid } = statSync(target);
  const temporary = join(dirname(target), `.${basename(target)}.cdk8s-canary-${process.pid}`);
  try {
    writeFileSync(temporary, content, { mode: mode & 0o7777, flag: 'wx' });
    chmodSync(temporary, mode & 0o7777);
    const current = statSync(temporary);
    if (current.uid !== uid || current.gid !== gid) keepOwner(temporary, uid, gid);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Gives the file its old owner where this process may; elsewhere it is the writer's, as after any edit. */
function keepOwner(file: string, uid: number, gid: number): void {
  try {
    chownSync(file, uid, gid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}
