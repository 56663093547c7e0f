import { linkSync, lstatSync, readFileSync, readlinkSync, renameSync, rmSync, utimesSync, writeFileSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TEMPORARY, TEMPORARY_SUFFIX } from './atomic-file';
import { readRegularFile } from './bounded-read';
import { OutputConflictError, OutputLockedError } from './errors';

/*
 * The output folder's lock: one run writes a folder at a time, and a dead run's lock is taken over.
 */

/** The lock's name in the output folder. */
export const LOCK_NAME = '.cdk8s-canary.lock';
/** A stale lock set aside by the run taking it over is `LOCK_NAME` + this + the temporary suffix. */
const SET_ASIDE = '.stale';
const LOCK_TEMPORARY = new RegExp(`^${LOCK_NAME.replace(/\./g, '\\.')}(${SET_ASIDE.replace(/\./g, '\\.')})?${TEMPORARY_SUFFIX}`);

/** Whether `name`, in the output folder, is one of the lock's temporary files (a run's lock written aside, or a stale one set aside). */
export function isLockTemporary(name: string): boolean {
  return LOCK_TEMPORARY.test(name);
}

/**
 * Who holds a lock: enough to tell a live holder from a dead one. In the same pid namespace of the
 * same boot, the pid and its start time say it exactly. A holder elsewhere (another container, host,
 * boot or pid namespace) cannot be looked up, so it refreshes the lock while it writes, and a lock
 * left unrefreshed for HEARTBEAT_STALE_MS is a dead run's.
 */
interface Holder {
  readonly pid: number;
  readonly start?: string;
  readonly boot?: string;
  readonly pidns?: string;
  readonly host?: string;
}

const HEARTBEAT_MS = 2000;
const HEARTBEAT_STALE_MS = 30_000;
/** A lock is a few hundred bytes of JSON; a larger file at its path is not one this tool wrote. */
const MAX_LOCK_BYTES = 4096;
/** How often a run tries to take the lock before it reports who holds it. */
const MAX_ATTEMPTS = 8;

/**
 * Whether the lock's temporary file at `path` was left by a dead run. A run writes its lock aside, and
 * sets a stale lock aside, only while it takes the lock, before it holds it: the run holding the lock
 * may find a live run's there. Only one unchanged for as long as a lock takes to go stale is left
 * over. (A stale lock set aside keeps that lock's age; the run that set it aside gets over its
 * removal and tries again.)
 */
export function isLeftOver(path: string): boolean {
  try {
    return Date.now() - lstatSync(path).mtimeMs >= HEARTBEAT_STALE_MS;
  } catch {
    return false;
  }
}

function readProc(path: string, link = false): string | undefined {
  try {
    return link ? readlinkSync(path) : readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), where /proc exists. */
function startTime(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function me(): Holder {
  return {
    pid: process.pid,
    start: startTime(process.pid),
    boot: readProc('/proc/sys/kernel/random/boot_id'),
    pidns: readProc('/proc/self/ns/pid', true),
    host: hostname(),
  };
}

/**
 * Where the holder is, in words, when it is not in this pid namespace of this boot and host: there
 * its pid cannot be looked up. Empty when it is here, or when the lock is of an earlier version,
 * which recorded only the pid.
 */
function elsewhere(holder: Holder, self: Holder): string {
  if (holder.host === undefined) return '';
  if (holder.host !== self.host) return ` on ${shown(holder.host)}`;
  if (holder.boot !== self.boot) return ' on a machine with another boot id';
  return holder.pidns !== self.pidns ? ' in another pid namespace' : '';
}

/**
 * Whether the holder of the lock whose file had `stats` is alive. Only in this pid namespace is a pid
 * this process can look up. Another namespace on the same host (two containers with the host's
 * network, both pid 1) is somewhere else, whatever its pid says; so is another boot, which may be
 * another machine sharing the folder, not only this one before a reboot.
 *
 * A namespace is known by its inode number, which the kernel may give to a new namespace as soon as
 * the old one has ended (some kernels do at once). Two live namespaces of one boot never share a
 * number, so a holder that recorded this boot and this namespace's number is either in this namespace
 * or in one that has ended, and with it every process in it: a holder alive is here, where its pid
 * and start time find it; one that matches nothing here is gone.
 */
function isAlive(holder: Holder, stats: Stats): boolean {
  const self = me();
  if (elsewhere(holder, self)) return Date.now() - stats.mtimeMs < HEARTBEAT_STALE_MS;
  // A lock naming this process's pid is stale: this run does not hold it yet, so its holder was
  // another process, now gone. This is how the next run with the same pid takes over the lock of one
  // that was killed: in the same pid namespace, or as pid 1 of a container given the killed one's number.
  if (holder.pid === self.pid) return false;
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return holder.start === undefined || startTime(holder.pid) === undefined || startTime(holder.pid) === holder.start;
}

/** A lock's holder; earlier versions wrote the bare pid. Fields of the wrong type are dropped. */
function parseHolder(text: string): Holder {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (parsed !== null && typeof parsed === 'object') {
      const text = (key: string) => (typeof parsed[key] === 'string' ? parsed[key] as string : undefined);
      return { pid: typeof parsed.pid === 'number' ? parsed.pid : NaN, start: text('start'), boot: text('boot'), pidns: text('pidns'), host: text('host') };
    }
  } catch {
    // Not JSON: the earlier format, or a lock cut short.
  }
  return { pid: Number(text) };
}

/** A lock's words for a message: control characters as escapes, cut when long. */
function shown(text: string): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > 64 ? `${escaped.slice(0, 64)}...` : escaped;
}

/** What is at the lock's path when it is not a regular file, in words; undefined for a regular file. */
function notALock(stats: Stats): string | undefined {
  if (stats.isFile()) return stats.size > MAX_LOCK_BYTES ? `a file of ${stats.size} bytes` : undefined;
  return stats.isSymbolicLink() ? 'a symbolic link' : stats.isDirectory() ? 'a folder' : stats.isFIFO() ? 'a FIFO' : 'not a regular file';
}

/** The lock file's text and what it was, or undefined when it went away meanwhile. */
function readLock(path: string, outdir: string): { text: string; stats: Stats } | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const what = notALock(stats);
  const refuse = (reason: string) => new OutputConflictError(`nothing was written: ${path} is ${reason}, not a lock this tool wrote; if no cdk8s-canary run is writing ${outdir}, remove it`);
  if (what) throw refuse(what);
  try {
    return { text: readRegularFile(path, MAX_LOCK_BYTES), stats };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw refuse(code ? `unreadable (${code})` : (error as Error).message.replace(`${path} is `, ''));
  }
}

function locked(holder: Holder, outdir: string, stats: Stats, path: string): OutputLockedError {
  const where = elsewhere(holder, me());
  const pid = Number.isInteger(holder.pid) && holder.pid > 0 ? holder.pid : 'unknown';
  // A lock refreshed ahead of this machine's clock (another host's clock, on a shared folder) goes
  // stale later than it says by that much: said as it is.
  const ahead = Math.ceil((stats.mtimeMs - Date.now()) / 1000);
  const when = ahead > 1
    ? ` (its last refresh is ${ahead} s ahead of this machine's clock, so the clocks differ: it is taken over if left unrefreshed until ${ahead + HEARTBEAT_STALE_MS / 1000} s from now; if that run has ended, remove ${path})`
    : ` (a lock it leaves unrefreshed for ${HEARTBEAT_STALE_MS / 1000} s is taken over)`;
  return new OutputLockedError(`another cdk8s-canary run (pid ${pid}${where}) is writing ${outdir}; run again when it has finished${where ? when : ''}`);
}

/**
 * Takes the output folder's lock, a file created with its content in one step (written aside, then
 * linked into place, which fails if a lock exists). A lock whose holder is gone is set aside and taken.
 */
export function lock(root: string, outdir: string): { release: () => void; refresh: () => void } {
  const path = join(root, LOCK_NAME);
  const aside = `${path}${TEMPORARY}${process.pid}`;
  // Created, never opened through what is there: a link left at this name (a pid is easy to guess)
  // is removed, not written through.
  rmSync(aside, { force: true });
  writeFileSync(aside, JSON.stringify(me()), { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        linkSync(aside, path);
        let refreshed = Date.now();
        return {
          release: () => rmSync(path, { force: true }),
          refresh: () => {
            if (Date.now() - refreshed < HEARTBEAT_MS) return;
            refreshed = Date.now();
            utimesSync(path, new Date(), new Date());
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const found = readLock(path, outdir);
      if (!found) continue;
      const { text, stats } = found;
      const holder = parseHolder(text);
      if (attempt > 1 || isAlive(holder, stats)) throw locked(holder, outdir, stats, path);
      // Set the stale lock aside; if what was set aside is not what was read, another run took it first.
      const stale = `${path}${SET_ASIDE}${TEMPORARY}${process.pid}`;
      try {
        renameSync(path, stale);
      } catch {
        continue;
      }
      let asideText: string | undefined;
      try {
        asideText = readRegularFile(stale, MAX_LOCK_BYTES);
      } catch {
        // Not a lock any more: put back below, and reported by the next attempt.
      }
      if (asideText !== text) {
        try {
          linkSync(stale, path);
        } catch {
          // Someone holds a newer lock: the next attempt reports it.
        }
      }
      rmSync(stale, { force: true });
    }
    throw new OutputLockedError(`could not take the lock of ${outdir} in ${MAX_ATTEMPTS} attempts: other runs keep taking and leaving it; run again`);
  } finally {
    rmSync(aside, { force: true });
  }
}
