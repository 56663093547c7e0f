import { accessSync, constants } from 'node:fs';
import { join, posix } from 'node:path';
import { owns, type Ownership } from './ownership';
import type { Scan } from './scan';

/** What a run may write and must remove, and what stops it. */
export interface Changes {
  /** The paths this run may write: new files and files of its own. */
  readonly writable: ReadonlySet<string>;
  readonly remove: string[];
  readonly problems: string[];
}

/**
 * What a run may write and must remove, and what stops it: files of others, links, unreadable folders.
 * It needs only the paths to be written, so it runs before anything is rendered.
 */
export function changesFor(root: string, found: Scan, paths: readonly string[], ownership: Ownership): Changes {
  const problems = found.unreadable.map((folder) => `cannot read ${join(root, folder)}: its files could be this spec's; fix its permissions`);
  const writable = new Set<string>();
  const wanted = new Set(paths);
  const takeOver = ' (--take-over replaces it)';
  // Each folder on the way to a path to be written, once.
  const onTheWay = new Set<string>();
  for (const path of paths) {
    for (let end = path.indexOf('/'); end > 0; end = path.indexOf('/', end + 1)) {
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
    } else if (entry.kind === 'unreadable') {
      problems.push(`cannot read ${join(root, path)} (${entry.code}): whose file it is cannot be told; fix its permissions`);
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
