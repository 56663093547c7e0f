import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync, type Stats } from 'node:fs';

/**
 * Reads a regular file of at most `limit` bytes: never through a link, never blocking on a FIFO or a
 * device (they are refused), never more than `limit` bytes into memory.
 */
export function readRegularFile(path: string, limit: number, followLink = false): string {
  return readRegularBytes(path, limit, followLink).toString('utf8');
}

/**
 * The bytes of a regular file of at most `limit` bytes, read as readRegularFile reads. `check`, when
 * given, sees the opened file's stats and descriptor before anything is read and may refuse it by
 * throwing: what it checks is what is read, however the path changes meanwhile.
 */
export function readRegularBytes(path: string, limit: number, followLink = false, check?: (stats: Stats, fd: number) => void): Buffer {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (followLink ? 0 : constants.O_NOFOLLOW);
  const fd = openSync(path, flags);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error(`${path} is not a regular file`);
    check?.(stats, fd);
    if (stats.size > limit) throw new Error(`${path} is ${stats.size} bytes; at most ${limit} are read`);
    const buffer = Buffer.alloc(stats.size);
    let read = 0;
    while (read < stats.size) {
      const n = readSync(fd, buffer, read, stats.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * The first `limit` bytes of a regular file as text, with its size and mode, read as readRegularFile
 * reads (never through a link, never a FIFO or a device): enough to read a header without holding
 * the rest in memory.
 */
export function readRegularPrefix(path: string, limit: number): { readonly text: string; readonly size: number; readonly mode: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error(`${path} is not a regular file`);
    const buffer = Buffer.alloc(Math.min(limit, stats.size));
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return { text: buffer.subarray(0, read).toString('utf8'), size: stats.size, mode: stats.mode };
  } finally {
    closeSync(fd);
  }
}

/**
 * The real path of the file open at `fd`, as the kernel knows it (Linux's /proc): the file actually
 * opened, whatever links its path went through. Undefined where /proc is not mounted.
 */
export function openedPath(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}
