import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync, type Stats } from 'node:fs';

/**
 * Reads a regular file of at most `limit` bytes: never through a link, never blocking on a FIFO or a
 * device (they are refused), never more than `limit` bytes into memory.
 */
export function readRegularFile(path: string, limit: number, followLink = false): string {
  return readRegularBytes(path, limit, followLink).toString('utf8');
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `bytes` as UTF-8 text, or the first line (from 1) that is not UTF-8: decoding such bytes would turn
 * them into U+FFFD, and writing the text back would lose them.
 */
export function utf8Text(bytes: Buffer): { readonly text: string } | { readonly badLine: number } {
  try {
    return { text: UTF8.decode(bytes) };
  } catch {
    let start = 0;
    for (let line = 1; ; line++) {
      const end = bytes.indexOf(0x0a, start);
      try {
        UTF8.decode(bytes.subarray(start, end < 0 ? bytes.length : end));
      } catch {
        return { badLine: line };
      }
      start = end + 1;
    }
  }
}

/**
 * The bytes of a regular file of at most `limit` bytes, read as readRegularFile reads. `check`, when
 * given, sees the opened file's stats and descriptor before anything is read and may refuse it by
 * throwing: what it checks is what is read, however the path changes meanwhile.
 */
export function readRegularBytes(path: string, limit: number, followLink = false, check?: (stats: Stats, fd: number) => void): Buffer {
  return readRegular(path, limit, followLink, check, true).bytes;
}

/**
 * The first `limit` bytes of a regular file, with its size and mode, read as readRegularFile reads
 * (never through a link, never a FIFO or a device): enough to read a header without holding the rest
 * in memory.
 */
export function readRegularPrefix(path: string, limit: number, allocate?: Allocate): { readonly bytes: Buffer; readonly size: number; readonly mode: number } {
  return readRegular(path, limit, false, undefined, false, allocate);
}

/** Gives a buffer of `size` bytes to read into; its bytes need not be zero. */
export type Allocate = (size: number) => Buffer;

/**
 * An Allocate that hands out pieces of 1 MiB slabs: thousands of small files read and kept cost one
 * allocation per slab, not one each. A slab lives as long as any of its pieces.
 */
export function slabs(size = 1024 * 1024): Allocate {
  let slab = Buffer.allocUnsafe(0);
  let used = 0;
  return (wanted) => {
    if (wanted > size / 8) return Buffer.allocUnsafe(wanted);
    if (used + wanted > slab.length) {
      slab = Buffer.allocUnsafe(size);
      used = 0;
    }
    used += wanted;
    return slab.subarray(used - wanted, used);
  };
}

/** At most `limit` bytes of the regular file at `path`, its size and mode; `whole`: a larger file is refused. */
function readRegular(path: string, limit: number, followLink: boolean, check: ((stats: Stats, fd: number) => void) | undefined, whole: boolean, allocate: Allocate = Buffer.allocUnsafe): { bytes: Buffer; size: number; mode: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (followLink ? 0 : constants.O_NOFOLLOW));
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error(`${path} is not a regular file`);
    check?.(stats, fd);
    if (whole && stats.size > limit) throw new Error(`${path} is ${stats.size} bytes; at most ${limit} are read`);
    // Only bytes read from the file are handed back: the part of a file cut meanwhile is left off.
    const buffer = allocate(Math.min(limit, stats.size));
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return { bytes: buffer.subarray(0, read), size: stats.size, mode: stats.mode };
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
