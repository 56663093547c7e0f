import { closest } from '../spec/suggest';
import { formatValue, isPrintable, shown } from '../spec/problems';

// Every error a command can end with, in one light module: the CLI loads it on every run.
export { OutputConflictError, OutputLockedError } from '../io/errors';
export { printable, shown, SpecError } from '../spec/problems';
export { closest };

/**
 * A request the engine cannot take: a name it does not know (an app, a stage), a path it will not
 * print, a check that does not apply. The CLI reports it as a bad command line (exit code 2).
 */
export class UsageError extends Error {}

/** `--chek` -> `unknown option --chek: did you mean --check?` */
export function unknown(kind: string, word: string, known: readonly string[]): UsageError {
  const guess = closest(word, known);
  return new UsageError(`unknown ${kind} ${shown(word)}${guess ? `: did you mean ${guess}?` : ''}`);
}

/**
 * How a caller names the engine's options in its messages: a script knows them by their own names
 * (`output`, `canaryUrl`), the CLI by its flags (`-o`, `--canary-url`).
 */
export interface OptionNaming {
  /**
   * The name each option goes by, by the option's own name.
   * @default each option's own name
   */
  readonly optionNames?: Readonly<Record<string, string>>;
}

/** The option as the caller names it. */
export function optionName(naming: OptionNaming, option: string): string {
  return naming.optionNames?.[option] ?? option;
}

/**
 * A path that is printed in commands to run (the output folder) or written (a starter spec): one with
 * a control or direction character is refused, since no quoting prints it both safely and as the
 * same path in every shell. `what` names it as the caller knows it (`-o`, `output`).
 */
export function plainPath(what: string, path: string): string {
  if (!isPrintable(path)) throw new UsageError(`${what} ${formatValue(path)} holds a control or direction character: give a path without one`);
  return path;
}
