import { dirname, resolve } from 'node:path';
import { readRegularBytes, utf8Text } from '../io/bounded-read';
import type { Document, LineCounter, Node } from 'yaml';
import type { CanarySpec } from '../spec/types';
import { SpecError, type Problem } from '../spec/problems';
import { resolveSpec, type ResolvedApp } from '../model/resolve';
import type { OptionNaming } from './errors';

/** A spec read and resolved, with the warnings to show. */
export interface LoadedSpec {
  /** The spec as written. */
  readonly spec: CanarySpec;
  /** Its apps through the resolve step, in order. */
  readonly apps: readonly ResolvedApp[];
  /** One line per warning, with file, line and column. */
  readonly warnings: readonly string[];
}

/** The position-keeping YAML library, loaded only when a message needs a line and column. */
function positional(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}

/** The YAML node of a field (its key, where it has one), or of the deepest ancestor that exists. */
function nodeAt(doc: Document, path: readonly (string | number)[]): Node | undefined {
  const { isMap, isScalar, isSeq } = positional();
  let node: unknown = doc.contents;
  for (const [i, part] of path.entries()) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === part);
      next = pair && (i === path.length - 1 ? pair.key : pair.value);
    } else if (isSeq(node) && typeof part === 'number') {
      next = node.items[part];
    }
    if (!next) break;
    node = next;
  }
  return node as Node | undefined;
}

/**
 * Problems with the line and column of their field in `text`, in the order of their fields in it (a
 * problem in another file, a `from` file, at the field that names it; one at no field last).
 */
export function locateProblems(text: string, problems: readonly Problem[]): Problem[] {
  const { LineCounter, parseDocument } = positional();
  const lines = new LineCounter();
  return located(problems, parseDocument(text, { lineCounter: lines }), lines);
}

/** Problems located in `doc` (see locate), in the order of their fields in it. */
function located(problems: readonly Problem[], doc: Document, lines: LineCounter): Problem[] {
  const offset = (problem: Problem) => nodeAt(doc, problem.path)?.range?.[0] ?? Infinity;
  return [...problems].sort((a, b) => offset(a) - offset(b)).map((problem) => locate(problem, doc, lines));
}

function locate(problem: Problem, doc: Document, lines: LineCounter): Problem {
  // A problem in another file (a `from` file) has its own place already.
  if (problem.source !== undefined) return problem;
  const range = nodeAt(doc, problem.path)?.range;
  if (!range) return problem;
  const { line, col } = lines.linePos(range[0]);
  return { ...problem, line, column: col };
}

// What the fast parser is not trusted with: anchors, aliases, tags, merge keys, directives and keys
// that name an object's prototype, where YAML 1.1 and 1.2 readers, or the two libraries, could differ.
const SLOW_PATH_ONLY = /(^|[\s[{,:-])[&*!]|<<|^%|__proto__/m;

/**
 * The spec's values, read with js-yaml's YAML 1.2 core schema (the `yaml` library's own), or
 * undefined when the text holds what only the position-keeping reader should judge: constructs the
 * two could read differently (SLOW_PATH_ONLY), or anything js-yaml rejects (a duplicate key, a
 * syntax error, several documents), whose message needs a line and column.
 */
export function fastValues(text: string): { value: unknown } | undefined {
  if (SLOW_PATH_ONLY.test(text)) return undefined;
  const { CORE_SCHEMA, load } = require('js-yaml') as typeof import('js-yaml');
  try {
    const value = load(text, { schema: CORE_SCHEMA });
    // An empty text: js-yaml gives undefined where the document gives null.
    return value === undefined ? undefined : { value };
  } catch {
    return undefined;
  }
}

/** The spec's document, with the line and column of each node, and its values. */
function document(text: string): { doc: Document; lines: LineCounter; errors: Problem[] } {
  const { LineCounter, parseDocument } = positional();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const errors = doc.errors.map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    return { path: [], message: `YAML syntax error: ${error.message.split('\n')[0]}`, line, column: col };
  });
  return { doc, lines, errors };
}

/**
 * How many values the aliases of a spec may stand for in all, counting an alias of a map or list by
 * everything it holds: 1000 apps that share an image through `&img` need 1000, a YAML bomb
 * (aliases of aliases, ten to a level) needs millions.
 */
const MAX_ALIAS_COUNT = 10_000;

/** A document's values, its aliases bounded: a bomb is refused at its first alias, in the tool's words. */
function documentValues({ doc, lines }: { doc: Document; lines: LineCounter }, source: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias count/i.test(error.message)) throw error;
    // A bomb: aliases of aliases, each level multiplying what the one below holds.
    const { visit } = positional();
    let first: Node | undefined;
    visit(doc, { Alias: (_key, alias) => { first ??= alias; return visit.BREAK; } });
    const at = first?.range ? lines.linePos(first.range[0]) : undefined;
    throw new SpecError([{
      path: [],
      message: `its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} values in all: a spec this large is refused, as aliases of aliases can grow it without end; write the shared values out, or share them through fewer levels of aliases`,
      ...(at ? { line: at.line, column: at.col } : {}),
    }], source);
  }
}

/** The spec's values as the position-keeping reader gives them, or its syntax errors. */
export function slowValues(text: string): { value: unknown } | { errors: Problem[] } {
  const read = document(text);
  return read.errors.length ? { errors: read.errors } : { value: documentValues(read, '') };
}

/**
 * Parses spec text and resolves it; config files named by `path` are read beside `source`. Throws a
 * SpecError listing every problem, each with its line and column in the text, so that nothing is
 * written from a spec with any problem. The values are read by the fast parser where it is sure to
 * agree (fastValues); the position-keeping document is built only for a message that needs it.
 */
export function parseSpec(text: string, source: string): LoadedSpec {
  // YAML's readers differ on lines that end in CR alone (one reads a leading comment to the end of the
  // file), and finish could not edit them in place: refused, saying so.
  const lone = /\r(?!\n)/.exec(text);
  if (lone) {
    const line = text.slice(0, lone.index).split(/\r\n|\n/).length;
    throw new SpecError([{ path: [], line, column: lone.index - Math.max(text.lastIndexOf('\n', lone.index - 1), -1), message: 'the spec has a line that ends in a carriage return alone (classic Mac OS line ends): convert its line ends to LF or CRLF' }], source);
  }
  let read: ReturnType<typeof document> | undefined;
  const slow = () => (read ??= document(text));
  const fast = fastValues(text);
  if (!fast && slow().errors.length) throw new SpecError(slow().errors, source);
  const data = fast ? fast.value : documentValues(slow(), source);
  // A problem in another file has its place already: no document is built for it alone.
  const where = (problem: Problem) => (problem.source !== undefined ? problem : locate(problem, slow().doc, slow().lines));
  let resolved;
  try {
    resolved = resolveSpec(data, dirname(resolve(source)));
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    const inSpec = error.problems.length > 1 || error.problems.some((problem) => problem.source === undefined);
    throw new SpecError(inSpec ? located(error.problems, slow().doc, slow().lines) : error.problems, source);
  }
  return {
    spec: data as CanarySpec,
    apps: resolved.apps,
    warnings: resolved.warnings.map((w) => new SpecError([where(w)], source).message),
  };
}

/** The largest spec read: far above any real spec, far below what would exhaust memory. */
const MAX_SPEC_BYTES = 4 * 1024 * 1024;

/**
 * Reads a spec file's text: a regular file (or a link to one) of at most 4 MiB, never a FIFO or a
 * device. Anything else, a missing file included, is a SpecError like any other bad input.
 */
export function readSpecFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readRegularBytes(file, MAX_SPEC_BYTES, true);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === 'ENOENT' ? 'no such file' : code ? `${code.toLowerCase()}` : message.replace(`${file} `, '');
    throw new SpecError([{ path: [], message: `cannot read the spec: ${reason}` }], file);
  }
  // YAML is UTF-8 text: bytes that are not would be read, and by finish written back, as U+FFFD.
  const read = utf8Text(bytes);
  if ('badLine' in read) throw new SpecError([{ path: [], line: read.badLine, column: 1, message: 'the spec is not UTF-8 text, as a YAML file must be: save it as UTF-8; nothing was written' }], file);
  return read.text;
}

/** Reads and validates a spec file. */
export function loadSpec(file: string): LoadedSpec {
  return parseSpec(readSpecFile(file), file);
}

/** What each command that reads a spec is given. */
export interface SpecOptions extends OptionNaming {
  /** The spec file. */
  readonly config: string;
  /** Each of the spec's warnings, as a line with file, line and column. */
  readonly onWarning?: (line: string) => void;
}

/** The apps of the spec file, each of its warnings passed to `onWarning` first. */
export function loadApps({ config, onWarning }: SpecOptions): readonly ResolvedApp[] {
  const { apps, warnings } = loadSpec(config);
  for (const warning of warnings) onWarning?.(warning);
  return apps;
}
