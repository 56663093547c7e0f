import { linkSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TEMPORARY } from './atomic-file';
import { OutputLockedError } from './errors';

/*
 * The output folder's lock: one run writes a folder at a time, and a dead run's lock is taken over.
 */

/** The lock's name in the output folder. */
export const LOCK_NAME = '.cdk8s-canary.lock';

/**
 * Who holds a lock: enough to tell a live holder from a dead one. In the same pid namespace of the
 * same boot, the pid and its start time say it exactly. A holder elsewhere (another container, host or
 * pid namespace) cannot be looked up, so it refreshes the lock while it writes, and a lock left
 * unrefreshed for HEARTBEAT_STALE_MS is a dead run's.
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

/** Whether the holder of the lock at `path` is alive. */
function isAlive(holder: Holder, path: string): boolean {
  const self = me();
  if (holder.boot !== undefined && holder.boot !== self.boot) return false;
  const here = holder.host === undefined || (holder.host === self.host && holder.pidns === self.pidns);
  // A lock naming this process is stale: this run does not hold it yet. This is how the next run in
  // a container, which is pid 1 again, takes over the lock of one that was killed.
  if (holder.pid === self.pid && (here || holder.host === self.host)) return false;
  if (!here) {
    try {
      return Date.now() - statSync(path).mtimeMs < HEARTBEAT_STALE_MS;
    } catch {
      return false;
    }
  }
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return holder.start === undefined || startTime(holder.pid) === undefined || startTime(holder.pid) === holder.start;
}

/** A lock's holder; earlier versions wrote the bare pid. */
function parseHolder(text: string): Holder {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === 'object') return parsed as Holder;
  } catch {
    // Not JSON: the earlier format, or a lock cut short.
  }
  return { pid: Number(text) };
}

/**
 * Takes the output folder's lock, a file created with its content in one step (written aside, then
 * linked into place, which fails if a lock exists). A lock whose holder is gone is set aside and taken.
 */
export function lock(root: string, outdir: string): { release: () => void; refresh: () => void } {
  const path = join(root, LOCK_NAME);
  const aside = `${path}${TEMPORARY}${process.pid}`;
  writeFileSync(aside, JSON.stringify(me()));
  try {
    for (let attempt = 0; ; attempt++) {
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
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      const holder = parseHolder(text);
      if (attempt > 1 || isAlive(holder, path)) {
        const self = me();
        const where = holder.host && holder.host !== self.host ? ` on ${holder.host}`
          : holder.pidns && holder.pidns !== self.pidns ? ' in another pid namespace' : '';
        throw new OutputLockedError(`another cdk8s-canary run (pid ${holder.pid || 'unknown'}${where}) is writing ${outdir}; run again when it has finished${where ? ` (a lock it leaves unrefreshed for ${HEARTBEAT_STALE_MS / 1000} s is taken over)` : ''}`);
      }
      // Set the stale lock aside; if what was set aside is not what was read, another run took it first.
      const stale = `${path}.stale${TEMPORARY}${process.pid}`;
      try {
        renameSync(path, stale);
      } catch {
        continue;
      }
      if (readFileSync(stale, 'utf8') !== text) {
        try {
          linkSync(stale, path);
        } catch {
          // Someone holds a newer lock: the next attempt reports it.
        }
      }
      rmSync(stale, { force: true });
    }
  } finally {
    rmSync(aside, { force: true });
  }
}
