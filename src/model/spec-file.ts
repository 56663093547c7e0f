import { dirname, resolve } from 'node:path';
import { readRegularFile } from '../io/bounded-read';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { CanarySpec } from '../spec/types';
import { SpecError, type Problem } from '../spec/problems';
import { resolveSpec, type ResolvedApp } from './resolve';

/** A spec read and resolved, with the warnings to show. */
export interface LoadedSpec {
  /** The spec as written. */
  readonly spec: CanarySpec;
  /** Its apps through the resolve step, in order. */
  readonly apps: readonly ResolvedApp[];
  /** One line per warning, with file, line and column. */
  readonly warnings: readonly string[];
}

/** The YAML node of a field (its key, where it has one), or of the deepest ancestor that exists. */
function nodeAt(doc: Document, path: readonly (string | number)[]): Node | undefined {
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

/** Problems with the line and column of their field in `text`. */
export function locateProblems(text: string, problems: readonly Problem[]): Problem[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return problems.map((problem) => locate(problem, doc, lines));
}

function locate(problem: Problem, doc: Document, lines: LineCounter): Problem {
  // A problem in another file (a `from` file) has its own place already.
  if (problem.source !== undefined) return problem;
  const range = nodeAt(doc, problem.path)?.range;
  if (!range) return problem;
  const { line, col } = lines.linePos(range[0]);
  return { ...problem, line, column: col };
}

/**
 * Parses spec text and resolves it; config files named by `path` are read beside `source`. Throws a
 * SpecError listing every problem, each with its line and column in the text, so that nothing is
 * written from a spec with any problem.
 */
export function parseSpec(text: string, source: string): LoadedSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new SpecError(doc.errors.map((error) => {
      const { line, col } = lines.linePos(error.pos[0]);
      return { path: [], message: `YAML syntax error: ${error.message.split('\n')[0]}`, line, column: col };
    }), source);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias count/i.test(error.message)) throw error;
    // A bomb: aliases of aliases, each level multiplying what the one below holds.
    let first: Node | undefined;
    visit(doc, { Alias: (_key, alias) => { first ??= alias; return visit.BREAK; } });
    const at = first?.range ? lines.linePos(first.range[0]) : undefined;
    throw new SpecError([{
      path: [],
      message: `its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} values in all: a spec this large is refused, as aliases of aliases can grow it without end; write the shared values out, or share them through fewer levels of aliases`,
      ...(at ? { line: at.line, column: at.col } : {}),
    }], source);
  }
  let resolved;
  try {
    resolved = resolveSpec(data, dirname(resolve(source)));
  } catch (error) {
    if (error instanceof SpecError) throw new SpecError(error.problems.map((p) => locate(p, doc, lines)), source);
    throw error;
  }
  return {
    spec: data as CanarySpec,
    apps: resolved.apps,
    warnings: resolved.warnings.map((w) => new SpecError([locate(w, doc, lines)], source).message),
  };
}

/**
 * How many values the aliases of a spec may stand for in all, counting an alias of a map or list by
 * everything it holds: 1000 apps that share an image through `&img` need 1000, a YAML bomb
 * (aliases of aliases, ten to a level) needs millions.
 */
const MAX_ALIAS_COUNT = 10_000;

/** The largest spec read: far above any real spec, far below what would exhaust memory. */
const MAX_SPEC_BYTES = 4 * 1024 * 1024;

/**
 * Reads a spec file's text: a regular file (or a link to one) of at most 4 MiB, never a FIFO or a
 * device. Anything else, a missing file included, is a SpecError like any other bad input.
 */
export function readSpecFile(file: string): string {
  try {
    return readRegularFile(file, MAX_SPEC_BYTES, true);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === 'ENOENT' ? 'no such file' : code ? `${code.toLowerCase()}` : message.replace(`${file} `, '');
    throw new SpecError([{ path: [], message: `cannot read the spec: ${reason}` }], file);
  }
}

/** Reads and validates a spec file. */
export function loadSpec(file: string): LoadedSpec {
  return parseSpec(readSpecFile(file), file);
}
