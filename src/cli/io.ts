/** Where a command writes. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Writes a progress line in place. */
  readonly progress: (text: string) => void;
  /** On a terminal, with neither CI nor NO_COLOR set: progress is shown. */
  readonly interactive: boolean;
}

/**
 * Reports `apps: done/total` once a run has taken a second, at most ten times a second, and always
 * the last one, so short runs print nothing.
 */
export function progressReporter(write: (text: string) => void, startedAt: number, clock: () => number = Date.now) {
  let shownAt: number | undefined;
  return (done: number, total: number): void => {
    const now = clock();
    if (now - startedAt < 1000) return;
    if (done < total && shownAt !== undefined && now - shownAt < 100) return;
    shownAt = now;
    write(`rendering apps: ${done}/${total}`);
  };
}

/** `1 file`, `2 files` */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The spec's warnings, on standard error. */
export function warn(io: Io): (line: string) => void {
  return (line) => io.err(`warning: ${line}`);
}
