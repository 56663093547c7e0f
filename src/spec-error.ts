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
}

/** `['apps', 0, 'stable', 'replicas']` -> `apps[0].stable.replicas` */
export function formatPath(path: SpecPath): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/** A value as it appears in an error: as JSON, so strings are quoted. */
export function formatValue(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** One line per problem: `canary.yaml:12:7: "apps[0].stable.replicas" is -1: must be ...` */
export function formatProblem(problem: Problem, source?: string): string {
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
