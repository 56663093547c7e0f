import { dump } from 'js-yaml';

/*
 * A fast path for js-yaml's dump with the render's options, for the data the render makes: plain
 * objects and arrays of one-line strings, numbers, booleans and null. The block layout (keys sorted,
 * two spaces a level, sequences indented under their key, `{}` and `[]` for empty ones) is written
 * here; each scalar's text, plain or quoted, is js-yaml's own, asked once per distinct value and
 * kept. Anything else (a string of several lines, a value js-yaml would skip or refuse, -0) is left
 * to js-yaml whole, so the text is always js-yaml's: the tests compare the two on every object of
 * the examples' stages, and on generated values.
 */

export const DUMP_OPTIONS = { lineWidth: -1, noRefs: true, quoteStyle: 'double', sortKeys: true } as const;

/** Thrown inside the fast path: the value is one for js-yaml itself. */
class NotPlain extends Error {}

const values = new Map<string, string>();
// Strings js-yaml writes plain: a letter, then letters, digits and `_./@:+=-`, not ending in `:`, and
// not one of YAML 1.1's booleans and nulls. Names, images and labels are such strings; the test tries
// many more.
const PLAIN = /^[A-Za-z][A-Za-z0-9_./@:+=-]*$/;
const WORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;
const keys = new Map<string, string>();

/** js-yaml's text of a one-line scalar, from `dump({ v: value })`. */
function scalar(value: unknown): string {
  let id: string;
  switch (typeof value) {
    case 'string':
      if (PLAIN.test(value) && !value.endsWith(':') && !WORDS.test(value)) return value;
      if (/[\n\r\u0085\u2028\u2029]/.test(value)) throw new NotPlain();
      id = `s${value}`;
      break;
    case 'number':
      if (Object.is(value, -0)) throw new NotPlain();
      id = `n${value}`;
      break;
    case 'boolean':
      id = `b${value}`;
      break;
    default:
      if (value !== null) throw new NotPlain();
      id = 'null';
  }
  let text = values.get(id);
  if (text === undefined) {
    const line = dump({ v: value }, DUMP_OPTIONS);
    if (!line.startsWith('v: ') || line.indexOf('\n') !== line.length - 1) throw new NotPlain();
    text = line.slice(3, -1);
    values.set(id, text);
  }
  return text;
}

/** js-yaml's text of a mapping key. */
function key(name: string): string {
  let text = keys.get(name);
  if (text === undefined) {
    if (/[\n\r\u0085\u2028\u2029]/.test(name)) throw new NotPlain();
    const line = dump({ [name]: null }, DUMP_OPTIONS);
    if (!line.endsWith(': null\n') || line.indexOf('\n') !== line.length - 1) throw new NotPlain();
    text = line.slice(0, -': null\n'.length);
    keys.set(name, text);
  }
  return text;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A collection's text after its key or dash: ` {}`, ` []`, or its lines below at `indent`. */
function nested(value: unknown, indent: number, out: string[], head: string): void {
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) {
      if (!value.length) {
        out.push(`${head} []`);
        return;
      }
      out.push(head);
      sequence(value, indent, out);
      return;
    }
    if (!isPlainObject(value)) throw new NotPlain();
    const names = Object.keys(value).filter((name) => value[name] !== undefined);
    if (!names.length) {
      out.push(`${head} {}`);
      return;
    }
    out.push(head);
    mapping(value, names, indent, out);
    return;
  }
  out.push(`${head} ${scalar(value)}`);
}

function mapping(value: Record<string, unknown>, names: string[], indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  for (const name of names.sort()) {
    const item = value[name];
    if (typeof item === 'function' || typeof item === 'symbol' || typeof item === 'bigint') throw new NotPlain();
    nested(item, indent + 2, out, `${pad}${key(name)}:`);
  }
}

function sequence(items: readonly unknown[], indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  for (let i = 0; i < items.length; i++) {
    if (!(i in items)) throw new NotPlain();
    const item = items[i];
    if (item !== null && typeof item === 'object' && (Array.isArray(item) ? item.length : isPlainObject(item) && Object.keys(item).some((name) => item[name] !== undefined))) {
      // A non-empty collection starts on the dash's line: its first line, its indentation replaced by the dash.
      const lines: string[] = [];
      if (Array.isArray(item)) sequence(item, indent + 2, lines);
      else mapping(item as Record<string, unknown>, Object.keys(item).filter((name) => (item as Record<string, unknown>)[name] !== undefined), indent + 2, lines);
      out.push(`${pad}- ${lines[0].slice(indent + 2)}`);
      for (let j = 1; j < lines.length; j++) out.push(lines[j]);
    } else {
      nested(item, indent + 2, out, `${pad}-`);
    }
  }
}

/** What `dump(doc, DUMP_OPTIONS)` returns, made faster for the render's plain data. */
export function dumpYaml(doc: unknown): string {
  try {
    const out: string[] = [];
    if (doc !== null && typeof doc === 'object' && Array.isArray(doc) && doc.length) sequence(doc, 0, out);
    else if (doc !== null && typeof doc === 'object' && !Array.isArray(doc) && isPlainObject(doc) && Object.keys(doc).some((name) => doc[name] !== undefined)) {
      mapping(doc, Object.keys(doc).filter((name) => doc[name] !== undefined), 0, out);
    } else {
      return dump(doc, DUMP_OPTIONS);
    }
    return `${out.join('\n')}\n`;
  } catch (error) {
    if (error instanceof NotPlain) return dump(doc, DUMP_OPTIONS);
    throw error;
  }
}
