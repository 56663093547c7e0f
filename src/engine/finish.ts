import { isDeepStrictEqual } from 'node:util';
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import { finishStage } from '../model/moves';
import type { ResolvedApp } from '../model/resolve';
import { Colour, Strategy, type AppSpec, type CanarySpec, type TrackSpec } from '../spec/types';
import { otherColour } from '../model/blue-green';
import { SpecError, type SpecPath } from '../spec/problems';
import { replaceFileContent } from '../io/atomic-file';
import { locateProblems, parseSpec, readSpecFile } from './load';
import { unknown } from './errors';
import { addEntry, applied, columnOf, scalarText, setValue, shared as sharedWith, type Edit } from './spec-edit';

const shared = (path: SpecPath, what: string) => sharedWith(path, what, 'finish');

/** What moves from the canary to stable at the end of a release, besides the image. */
const CARRIED = ['env', 'config', 'secretEnvFrom', 'secretMounts'] as const;

/**
 * The app once its release is finished: stable runs the canary's image and config (environment,
 * files and Secrets), at the finish stage.
 */
export function finishedApp(app: AppSpec, stage: string): AppSpec {
  // Under blue/green the colours trade roles: the new version's becomes the active one.
  const colours = app.strategy === Strategy.BLUE_GREEN ? { blueGreen: { ...app.blueGreen, active: otherColour(app.blueGreen?.active ?? Colour.BLUE) } } : {};
  const carried = (key: string) => (CARRIED as readonly string[]).includes(key);
  // The canary's values where it has them; a key only stable has goes, as the canary runs without it.
  const stable = Object.fromEntries([
    ...Object.entries(app.stable ?? {}).filter(([key]) => !carried(key)),
    ...Object.entries(app.canary).filter(([key, value]) => carried(key) && value !== undefined),
  ]) as Omit<TrackSpec, 'image'>;
  return { ...app, stable: { ...stable, image: app.canary.image }, stage, ...colours };
}

/**
 * Checks that `appName`'s release can end, and names the stage it ends in: the app exists, all its
 * traffic is on the canary (0 stable replicas, as in promote), and its plan has a stage without
 * canary pods to end in.
 */
export function finishTarget(apps: readonly ResolvedApp[], appName: string): { readonly index: number; readonly stage: string } {
  const index = apps.findIndex((app) => app.spec.name === appName);
  if (index === -1) {
    throw unknown('app', appName, apps.map((app) => app.spec.name));
  }
  const { plan } = apps[index];
  if (plan.current.stableReplicas !== 0) {
    const last = plan.stages.find((stage) => stage.stableReplicas === 0);
    throw new SpecError([{
      path: ['apps', index, 'stage'],
      message: `is ${JSON.stringify(plan.current.name)}: a release is finished only from a stage with all traffic on the canary (0 stable replicas)${last ? `, such as ${last.name}` : ''}`,
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

/** The source of `node`, shifted right (or left) by `shift` columns on every line after its first. */
function shifted(text: string, node: Node, shift: number): string {
  const source = text.slice(node.range![0], node.range![1]).replace(/\s+$/, '');
  return source.replace(/\n( *)/g, (_line, indent: string) => `\n${' '.repeat(Math.max(0, indent.length + shift))}`);
}

/**
 * The edits that make stable's `key` what the canary's is: its text copied from the canary's, shifted
 * to stable's indentation; added after stable's first entry when stable lacks it; removed, with its
 * lines, when the canary has none.
 */
function carryKey(text: string, stable: YAMLMap, canary: YAMLMap, key: string, path: SpecPath): Edit[] {
  const find = (map: YAMLMap) => map.items.find((item) => isScalar(item.key) && item.key.value === key);
  const [own, theirs] = [find(stable), find(canary)];
  if (!own && !theirs) return [];
  for (const pair of [own, theirs]) if (pair && (isAlias(pair.value) || (pair.value as Node | null)?.anchor)) throw shared(path, 'an anchor or alias');
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  if (!theirs) {
    const start = (own!.key as Node).range![0];
    const end = (own!.value as Node).range![1];
    if (stable.flow) {
      // `{ image: a, env: {...} }`: the entry and the comma before it; `{ env: {...}, image: a }`: the
      // entry and the comma after it.
      const first = stable.items[0] === own;
      if (!first) return [{ start: text.lastIndexOf(',', start), end, text: '' }];
      const comma = text.indexOf(',', end);
      const next = comma === -1 ? end : comma + 1 + (text.slice(comma + 1).length - text.slice(comma + 1).trimStart().length);
      return [{ start, end: next, text: '' }];
    }
    const after = text.indexOf('\n', end - 1);
    return [{ start: lineStart(start), end: after === -1 ? text.length : after + 1, text: '' }];
  }
  const value = theirs.value as Node;
  const from = columnOf(text, (theirs.key as Node).range![0]);
  const block = (isMap(value) || isSeq(value)) && !value.flow;
  if (own) {
    const to = columnOf(text, (own.key as Node).range![0]);
    const target = own.value as Node;
    const ownBlock = (isMap(target) || isSeq(target)) && !target.flow;
    if (stable.flow && block) throw shared(path, 'a flow map that cannot hold the canary\'s block value');
    const textOf = block && !ownBlock ? `${newline}${' '.repeat(to + 2)}${shifted(text, value, to - from)}` : shifted(text, value, to - from);
    const start = block && !ownBlock ? text.lastIndexOf(':', target.range![0]) + 1 : target.range![0];
    // A block value's range takes in the line breaks after it: they stay.
    const end = ownBlock ? target.range![0] + text.slice(target.range![0], target.range![1]).trimEnd().length : target.range![1];
    return [{ start, end, text: textOf }];
  }
  if (stable.flow && block) throw shared(path, 'a flow map that cannot hold the canary\'s block value');
  return [addEntry(text, stable, (to) => (block
    ? `${key}:${newline}${' '.repeat(to + 2)}${shifted(text, value, to - from)}`
    : `${key}: ${shifted(text, value, to - from)}`))];
}

/**
 * Ends a promoted release in the spec text: the canary's image, environment, config files and Secrets
 * become the stable's, and `stage:` is set to the stage without canary pods that the release ends
 * in, so applying it scales stable, now on the new version and config, back to full size before the
 * canary goes.
 *
 * Only those values change, in place: comments, anchors, flow style, indentation, line endings and a
 * byte order mark stay as they were, and other apps stay byte for byte (a value shared with them
 * through an anchor is split off, never changed for both). The result is validated, and checked to
 * differ from the old spec in those values only, before it is returned.
 *
 *   stable.image nginx:1.22, canary.image nginx:1.23, stage promote
 *   -> stable.image nginx:1.23, canary.image nginx:1.23, stage baseline
 */
export function finishRelease(text: string, appName: string, source: string): FinishedRelease {
  const loaded = parseSpec(text, source);
  const before = loaded.spec;
  try {
    const { index, stage } = finishTarget(loaded.apps, appName);
    const doc = parseDocument(text);
    const app = (doc.get('apps') as { items: unknown[] }).items[index];
    const stable = isMap(app) ? app.get('stable', true) : undefined;
    if (!isMap(app) || app.items.some((item) => isScalar(item.key) && item.key.value === '<<')) throw shared(['apps', index], 'a merge key');
    // Required of the canary by the rules the spec passed.
    const image = before.apps[index].canary.image!;
    const canary = app.get('canary', true);
    if (!isMap(canary)) throw shared(['apps', index, 'canary'], 'an anchor or alias');
    const carriedKeys = CARRIED.filter((key) => !isDeepStrictEqual(before.apps[index].stable?.[key], before.apps[index].canary[key]));
    const setStage = [...setValue(doc, text, app, 'stage', stage, ['apps', index, 'stage'], 'finish'), ...swapColours(doc, text, app, before.apps[index], index)];
    // Without `stable:`, its image and replicas came from the `from` Deployment: now its image is the release's.
    if (stable === undefined && !carriedKeys.length) {
      const edits = [addEntry(text, app, () => `stable: { image: ${scalarText(image, undefined)} }`), ...setStage];
      return checkedFinish(applied(text, edits), before, index, stage, source);
    }
    if (!isMap(stable) || stable.anchor) throw shared(['apps', index, 'stable'], 'an anchor or alias');
    const edits = [
      // A stable image taken from the `from` Deployment is now written out: the release changed it.
      ...setValue(doc, text, stable, 'image', image, ['apps', index, 'stable', 'image'], 'finish'),
      ...carriedKeys.flatMap((key) => carryKey(text, stable, canary, key, ['apps', index, 'stable', key])),
      ...setStage,
    ];
    return checkedFinish(applied(text, edits), before, index, stage, source);
  } catch (error) {
    if (error instanceof SpecError && error.source === undefined) throw new SpecError(locateProblems(text, error.problems), source);
    throw error;
  }
}

/** Under blue/green, the edit that makes the new version's colour the active one: `blueGreen.active`, added where absent. */
function swapColours(doc: Document, text: string, app: YAMLMap, spec: AppSpec, index: number): Edit[] {
  if (spec.strategy !== Strategy.BLUE_GREEN) return [];
  const active = otherColour(spec.blueGreen?.active ?? Colour.BLUE);
  const settings = app.get('blueGreen', true);
  if (settings === undefined) return [addEntry(text, app, () => `blueGreen: { active: ${active} }`)];
  if (!isMap(settings) || settings.anchor) throw shared(['apps', index, 'blueGreen'], 'an anchor or alias');
  return setValue(doc, text, settings, 'active', active, ['apps', index, 'blueGreen', 'active'], 'finish');
}

/** A finished release: the spec's new text, the stage it ends in, and under blue/green the colour now active. */
export interface FinishedRelease {
  readonly text: string;
  readonly stage: string;
  readonly active?: Colour;
}

/** The edited spec, checked to differ from `before` in the finished app's values only. */
function checkedFinish(result: string, before: CanarySpec, index: number, stage: string, source: string): FinishedRelease {
  const editFailed = () => new SpecError([{ path: ['apps', index], message: 'could not be edited in place without changing other values: write its stable.image and stage out in full, then finish' }]);
  let after;
  try {
    after = parseSpec(result, source).spec;
  } catch (error) {
    // The edit's own fault, at a place in text the user never wrote: said of the app, in the user's file.
    if (error instanceof SpecError) throw editFailed();
    throw error;
  }
  const expected = before.apps.map((each, i) => (i === index ? finishedApp(each, stage) : each));
  if (!isDeepStrictEqual(after.apps, expected)) throw editFailed();
  const active = after.apps[index].strategy === Strategy.BLUE_GREEN ? after.apps[index].blueGreen?.active : undefined;
  return { text: result, stage, ...(active ? { active } : {}) };
}

/**
 * Ends `appName`'s promoted release in its spec file: stable runs the canary's image and config, at
 * the stage without canary pods. Only the lines that change are rewritten; the file is replaced
 * whole, and only if it still holds what was read. Returns the stage the release ends in, and under
 * blue/green the colour now active.
 */
export function finish(config: string, appName: string): Omit<FinishedRelease, 'text'> {
  const read = readSpecFile(config);
  const { text, ...finished } = finishRelease(read, appName, config);
  replaceFileContent(config, text, read);
  return finished;
}
