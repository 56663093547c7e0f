/** A path into the spec, such as ['apps', 0, 'stable', 'replicas']. */
export type SpecPath = readonly (string | number)[];

/** One thing wrong with (or worth a warning about) the spec. */
export interface Problem {
  readonly path: SpecPath;
  /** What is wrong, after the field and its value: `is -1: must be a whole number from 0 to 1000`. */
  readonly message: string;
  /** Where in the source file, when the spec came from one. */
  readonly line?: number;
  readonly column?: number;
  /** The file the problem is in, when it is not the spec itself (a `from` file). */
  readonly source?: string;
}

// Characters a terminal acts on, or that reorder or hide text: shown as escapes, never printed.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Long enough for any real name, image or rule; a longer value is cut and its length given.
const MAX_SHOWN = 120;

// The same characters, for a test: a regular expression without `g` keeps no position between calls.
const ANY_UNPRINTABLE = new RegExp(UNPRINTABLE.source);

/** Whether text prints as it is: it holds no control or direction character. */
export function isPrintable(text: string): boolean {
  return !ANY_UNPRINTABLE.test(text);
}

/** Text safe to print on a terminal: control and direction characters as `\uXXXX` escapes. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A word of the user's in a message (a name, a path): as it is when it prints as it is, else quoted with its control and direction characters escaped. */
export function shown(word: string): string {
  return isPrintable(word) ? word : formatValue(word);
}

/** Text cut to `max` characters, with its full length given when it was cut. */
function shortened(text: string, max = MAX_SHOWN): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

/** `['apps', 0, 'stable', 'replicas']` -> `apps[0].stable.replicas` */
export function formatPath(path: SpecPath): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).map((part) => printable(shortened(part))).join('');
}

/**
 * A value as JSON would write it, except what JSON cannot hold: NaN and Infinity as they are (not
 * `null`), a BigInt as `3n`, and an object that holds itself as `(an object that holds itself)`.
 */
function asJson(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  const odd = new Map<string, string>();
  try {
    const json = JSON.stringify(value, (_key, each: unknown) => {
      if (typeof each === 'bigint' || (typeof each === 'number' && !Number.isFinite(each))) {
        const mark = `\u0000${odd.size}\u0000`;
        odd.set(JSON.stringify(mark), asJson(each));
        return mark;
      }
      return each;
    }) as string | undefined;
    if (json === undefined) return String(value);
    return odd.size ? json.replace(/"\\u0000\d+\\u0000"/g, (mark) => odd.get(mark) ?? mark) : json;
  } catch {
    return '(an object that holds itself)';
  }
}

// A URL's password: `https://user:secret@host` is shown as `https://user:***@host`.
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/i;

/**
 * A value as it appears in an error: as JSON, so strings are quoted, escaped and cut when long; a
 * URL's password is hidden.
 */
export function formatValue(value: unknown): string {
  const json = asJson(typeof value === 'string' ? value.replace(URL_PASSWORD, '$1***@') : value);
  return printable(json.length <= MAX_SHOWN ? json : `${json.slice(0, MAX_SHOWN)}..." (${typeof value === 'string' ? value.length : json.length} characters)`);
}

/** One line per problem: `canary.yaml:12:7: "apps[0].stable.replicas" is -1: must be ...` */
function formatProblem(problem: Problem, specSource?: string): string {
  const source = problem.source ?? specSource;
  const where = problem.line === undefined ? '' : `:${problem.line}:${problem.column}`;
  const prefix = source === undefined ? (where ? `${where.slice(1)}: ` : '') : `${source}${where}: `;
  const field = problem.path.length ? `"${formatPath(problem.path)}" ` : '';
  return `${prefix}${field}${problem.message}`;
}

/** Thrown when a spec (or CanaryApp props) breaks a rule; the message holds one line per problem. */
export class SpecError extends Error {
  constructor(public readonly problems: readonly Problem[], public readonly source?: string) {
    super(problems.map((problem) => formatProblem(problem, source)).join('\n'));
    this.name = 'SpecError';
  }
}

/** What rules found: problems stop the run, warnings are printed. */
export interface Findings {
  readonly problems: readonly Problem[];
  readonly warnings: readonly Problem[];
}
