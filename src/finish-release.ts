import { isDeepStrictEqual } from 'node:util';
import { isAlias, isMap, isScalar, parseDocument, stringify, visit, type Document, type Node, type YAMLMap } from 'yaml';
import { finishStage } from './plan';
import type { ResolvedApp } from './resolve';
import type { AppSpec } from './spec';
import { SpecError, type SpecPath } from './spec-error';
import { locateProblems, parseSpec } from './spec-load';

/** One change to the spec text: `text` in place of `[start, end)`. */
interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The app once its release is finished: stable runs the canary's image, at the finish stage. */
export function finishedApp(app: AppSpec, stage: string): AppSpec {
  return { ...app, stable: { ...app.stable, image: app.canary.image }, stage };
}

/**
 * Checks that `appName`'s release can end, and names the stage it ends in: the app exists, all its
 * traffic is on the canary (0 stable replicas, as in promote), and its plan has a stage without
 * canary pods to end in.
 */
export function finishTarget(apps: readonly ResolvedApp[], appName: string): { readonly index: number; readonly stage: string } {
  const index = apps.findIndex((app) => app.spec.name === appName);
  if (index === -1) {
    const names = apps.map((app) => app.spec.name).join(', ');
    throw new SpecError([{ path: ['apps'], message: `has no app named ${JSON.stringify(appName)}: the apps are ${names}` }]);
  }
  const { plan } = apps[index];
  if (plan.current.stableReplicas !== 0) {
    throw new SpecError([{
      path: ['apps', index, 'stage'],
      message: `is ${JSON.stringify(plan.current.name)}: a release is finished only from a stage with all traffic on the canary (0 stable replicas), such as promote`,
    }]);
  }
  const end = finishStage(plan.stages);
  if (!end) {
    throw new SpecError([{
      path: ['apps', index, 'stages'],
      message: 'has no stage without canary pods for the release to end in: add one first, such as { name: baseline, canaryPercent: 0 }',
    }]);
  }
  return { index, stage: end.name };
}

/** A scalar's text in the style of the one it replaces: quoted stays quoted, plain stays plain where it can. */
function scalarText(value: string, style: unknown): string {
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function shared(path: SpecPath, what: string): SpecError {
  return new SpecError([{ path, message: `is shared with other keys through ${what}: write it out in full for this app, then finish` }]);
}

/**
 * The edits that set the scalar at `key` of `map` to `value`, touching nothing else. A value written as
 * an alias (`*img`) is replaced, so it is split off from the anchor. A value that carries an anchor
 * other keys use keeps its old value for them: the anchor moves to the first of its aliases.
 */
function setScalar(doc: Document, text: string, map: YAMLMap, key: string, value: string, path: SpecPath): Edit[] {
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  const node = pair?.value as Node | undefined;
  if (!node?.range) return [];
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!isScalar(target)) throw shared(path, `the alias *${node.source}`);
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
  edits.unshift({ start, end: node.range[1], text: scalarText(value, node.type) });
  return edits;
}

/** The edit that adds `key: value` to a map that lacks it: on its own line after the map's first entry. */
function addScalar(text: string, map: YAMLMap, key: string, value: string): Edit {
  const entry = `${key}: ${scalarText(value, undefined)}`;
  if (map.flow) {
    const close = text.lastIndexOf('}', map.range![1]);
    return { start: close, end: close, text: `, ${entry}` };
  }
  const first = map.items[0];
  const keyStart = (first.key as Node).range![0];
  const column = keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1);
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const lineEnd = text.indexOf('\n', (first.value as Node).range![1]);
  const at = lineEnd === -1 ? text.length : lineEnd + 1;
  return { start: at, end: at, text: `${lineEnd === -1 ? newline : ''}${' '.repeat(column)}${entry}${newline}` };
}

/**
 * Ends a promoted release in the spec text: the canary's image becomes the stable's, and `stage:` is
 * set to the stage without canary pods that the release ends in, so applying it scales stable, now on
 * the new version, back to full size before the canary goes.
 *
 * Only those two values change, in place: comments, anchors, flow style, indentation, line endings
 * and a byte order mark stay as they were, and other apps stay byte for byte (a value shared with
 * them through an anchor is split off, never changed for both). The result is validated, and
 * checked to differ from the old spec in those two values only, before it is returned.
 *
 *   stable.image nginx:1.22, canary.image nginx:1.23, stage promote
 *   -> stable.image nginx:1.23, canary.image nginx:1.23, stage baseline
 */
export function finishRelease(text: string, appName: string, source: string): string {
  const loaded = parseSpec(text, source);
  const before = loaded.spec;
  try {
    const { index, stage } = finishTarget(loaded.apps, appName);
    const doc = parseDocument(text);
    const app = (doc.get('apps') as { items: unknown[] }).items[index];
    const stable = isMap(app) ? app.get('stable', true) : undefined;
    if (!isMap(app) || app.items.some((item) => isScalar(item.key) && item.key.value === '<<')) throw shared(['apps', index], 'a merge key');
    if (!isMap(stable) || stable.anchor) throw shared(['apps', index, 'stable'], 'an anchor or alias');
    const image = before.apps[index].canary.image;
    const edits = [
      ...setScalar(doc, text, stable, 'image', image, ['apps', index, 'stable', 'image']),
      ...(app.has('stage') ? setScalar(doc, text, app, 'stage', stage, ['apps', index, 'stage']) : [addScalar(text, app, 'stage', stage)]),
    ].sort((a, b) => b.start - a.start);
    const result = edits.reduce((out, edit) => out.slice(0, edit.start) + edit.text + out.slice(edit.end), text);

    const after = parseSpec(result, source).spec;
    const expected = before.apps.map((each, i) => (i === index ? finishedApp(each, stage) : each));
    if (!isDeepStrictEqual(after.apps, expected)) {
      throw new SpecError([{ path: ['apps', index], message: 'could not be edited in place without changing other values: write its stable.image and stage out in full, then finish' }]);
    }
    return result;
  } catch (error) {
    if (error instanceof SpecError && error.source === undefined) throw new SpecError(locateProblems(text, error.problems), source);
    throw error;
  }
}
