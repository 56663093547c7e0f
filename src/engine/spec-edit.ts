// Edits to a spec's text that change the values asked for and nothing else: comments, anchors, flow
// style, indentation and line endings stay as they were.
import { isAlias, isScalar, stringify, visit, type Document, type Node, type YAMLMap } from 'yaml';
import { SpecError, type SpecPath } from '../spec/problems';

/** One change to the spec text: `text` in place of `[start, end)`. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A scalar's text in the style of the one it replaces: quoted stays quoted, plain stays plain where it can. */
export function scalarText(value: string, style: unknown): string {
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** A value the edit cannot change for one app alone; `command` is what to run again once it is written out. */
export function shared(path: SpecPath, what: string, command: string): SpecError {
  return new SpecError([{ path, message: `is shared with other keys through ${what}: write it out in full for this app, then ${command}` }]);
}

/**
 * The edits that set the scalar at `key` of `map` to `value`, or add it after the map's first entry
 * where the map lacks it (see setScalar, addEntry).
 */
export function setValue(doc: Document, text: string, map: YAMLMap, key: string, value: string, path: SpecPath, command: string): Edit[] {
  return map.has(key) ? setScalar(doc, text, map, key, value, path, command) : [addEntry(text, map, () => `${key}: ${scalarText(value, undefined)}`)];
}

/**
 * The edits that set the scalar at `key` of `map` to `value`, touching nothing else. A value written as
 * an alias (`*img`) is replaced, so it is split off from the anchor. A value that carries an anchor
 * other keys use keeps its old value for them: the anchor moves to the first of its aliases.
 */
function setScalar(doc: Document, text: string, map: YAMLMap, key: string, value: string, path: SpecPath, command: string): Edit[] {
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  const node = pair?.value as Node | undefined;
  if (!node?.range) return [];
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!isScalar(target)) throw shared(path, `the alias *${node.source}`, command);
    return [{ start: node.range[0], end: node.range[1], text: scalarText(value, undefined) }];
  }
  if (!isScalar(node)) return [];
  const edits: Edit[] = [];
  let start = node.range[0];
  if (node.anchor) {
    const users: Node[] = [];
    visit(doc, { Alias: (_key, alias) => { if (alias.resolve(doc) === node) users.push(alias); } });
    if (users.length) {
      const first = users.reduce((a, b) => (a.range![0] < b.range![0] ? a : b));
      edits.push({ start: first.range![0], end: first.range![1], text: `&${node.anchor} ${text.slice(node.range[0], node.range[1])}` });
      start = text.lastIndexOf(`&${node.anchor}`, node.range[0]);
    }
  }
  // A block scalar (`>-` or `|-`) takes in the line break after its last line: that stays.
  const block = node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL';
  const end = block ? node.range[0] + text.slice(node.range[0], node.range[1]).trimEnd().length : node.range[1];
  edits.unshift({ start, end, text: scalarText(value, block ? undefined : node.type) });
  return edits;
}

/**
 * The edit that adds an entry to a map that lacks it: in a flow map before its `}`, else on a line
 * of its own after the map's first entry, at that entry's column. `entry` gets that column (0 in a
 * flow map), for the lines of a block value under it.
 */
export function addEntry(text: string, map: YAMLMap, entry: (column: number) => string): Edit {
  if (map.flow) {
    // After the last value, before the space and the brace that close the map.
    const last = map.items.at(-1)?.value as Node | undefined;
    const at = last?.range ? last.range[1] : text.lastIndexOf('}', map.range![1]);
    return { start: at, end: at, text: `${last ? ', ' : ''}${entry(0)}` };
  }
  const first = map.items[0];
  const column = columnOf(text, (first.key as Node).range![0]);
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  // A block value's range may end after its last line break: search from its last character.
  const lineEnd = text.indexOf('\n', (first.value as Node).range![1] - 1);
  const at = lineEnd === -1 ? text.length : lineEnd + 1;
  return { start: at, end: at, text: `${lineEnd === -1 ? newline : ''}${' '.repeat(column)}${entry(column)}${newline}` };
}

/** The column of the character at `offset`. */
export function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** `text` with the edits made, the last first so earlier offsets hold. */
export function applied(text: string, edits: readonly Edit[]): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((out, edit) => out.slice(0, edit.start) + edit.text + out.slice(edit.end), text);
}

