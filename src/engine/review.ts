import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isGated } from '../model/gate';
import type { ResolvedAppSpec } from '../model/resolved';
import type { ResolvedApp } from '../model/resolve';
import { formatShare } from '../model/replicas';
import type { ResolvedStage } from '../model/stage';
import { SpecError } from '../spec/problems';
import { replaceFileContent, writeAtomically } from '../io/atomic-file';
import { CHART_MARKER, releaseChart } from './release-chart';
import { optionName, plainPath, unknown, UsageError } from './errors';
import { describeStep, stageSteps } from './kubectl-steps';
import { loadApps, parseSpec, type SpecOptions } from './load';

/** What `review` is asked to compare. */
export interface ReviewOptions extends SpecOptions {
  /** The output folder the steps name. */
  readonly output: string;
  /**
   * The git revision the spec is compared with: the pull request's base.
   * @default HEAD
   */
  readonly base?: string;
  /**
   * The apps to review, by name.
   * @default every app that changed
   */
  readonly apps?: readonly string[];
  /**
   * Where the markdown finds each app's chart (`<charts>/<app>.svg`); none drawn without it.
   * @default no charts
   */
  readonly charts?: string;
}

/** A review: the markdown, and the charts it links, by path. */
export interface Review {
  readonly markdown: string;
  readonly charts: readonly { readonly path: string; readonly content: string }[];
}

/** `git` in `cwd`; its standard output, or a UsageError with what it said. */
function git(cwd: string, args: readonly string[]): Buffer {
  const run = spawnSync('git', args, { cwd, maxBuffer: 1 << 30 });
  if (run.error) throw new UsageError(`cannot run git: ${run.error.message}`);
  if (run.status !== 0) throw new UsageError(`git ${args.join(' ')}: ${run.stderr.toString().trim()}`);
  return run.stdout;
}

/**
 * The apps of the spec as it was at `ref`, with the files it names as they were: the revision's tree
 * is read with `git archive` into a folder of its own, and the repository is not touched. None where
 * the spec did not exist then.
 */
function appsAt(config: string, ref: string): readonly ResolvedApp[] {
  const top = git(dirname(resolve(config)), ['rev-parse', '--show-toplevel']).toString().trim();
  const tree = mkdtempSync(join(tmpdir(), 'cdk8s-canary-review-'));
  try {
    const archive = git(top, ['archive', '--format=tar', ref, '--']);
    const untar = spawnSync('tar', ['-x', '-C', tree], { input: archive });
    if (untar.status !== 0) throw new UsageError(`cannot unpack ${ref}: ${untar.stderr.toString().trim()}`);
    const spec = join(tree, relative(top, resolve(config)));
    if (!existsSync(spec)) return [];
    try {
      return parseSpec(readFileSync(spec, 'utf8'), spec).apps;
    } catch (error) {
      if (error instanceof SpecError) throw new UsageError(`the spec at ${ref} does not resolve, so there is nothing to compare with: ${error.message.split('\n')[0].replace(spec, config)}`);
      throw error;
    }
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/** A value in a line of changes: a word as it is, anything else as JSON. */
function word(value: unknown): string {
  return value === undefined ? 'none' : typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** What of an app a release changes, by field, in the words of the spec. */
const FIELDS: readonly [string, (app: ResolvedAppSpec) => unknown][] = [
  ['stable.image', (app) => app.stable.image],
  ['canary.image', (app) => app.canary.image],
  ['stable.replicas', (app) => app.stable.replicas],
  ['canary.replicas', (app) => app.canary.replicas],
  ['stable.env', (app) => app.stable.env],
  ['canary.env', (app) => app.canary.env],
  ['stable.config', (app) => app.stable.config],
  ['canary.config', (app) => app.canary.config],
  ['stages', (app) => app.stages.map((stage) => stage.name)],
  ['routing', (app) => app.routing],
  ['verify', (app) => app.verify],
  ['resources', (app) => app.resources],
  ['securityProfile', (app) => app.securityProfile],
];

/** A change to an app, in the spec's words: the field, and its values before and after (undefined where too long to show). */
interface FieldChange {
  readonly field: string;
  readonly was?: string;
  readonly now?: string;
}

/** The changes of an app from `before` to `after`, its stage first: `canary.image: web:1 -> web:2`. */
function changedFields(before: ResolvedApp, after: ResolvedApp): FieldChange[] {
  const stage = before.plan.current.name === after.plan.current.name ? [] : [{ field: 'stage', was: before.plan.current.name, now: after.plan.current.name }];
  const named = FIELDS.filter(([, of]) => !isDeepStrictEqual(of(before.spec), of(after.spec))).map(([field, of]) => {
    const [was, now] = [word(of(before.spec)), word(of(after.spec))];
    return was.length <= 60 && now.length <= 60 ? { field, was, now } : { field };
  });
  // Anything else of the app (a port, the pod template of a `from` file), by its key.
  const rest = (app: ResolvedAppSpec): Record<string, unknown> => {
    const track = (each: ResolvedAppSpec['stable']) => ({ ...each, image: undefined, replicas: undefined, env: undefined, config: undefined });
    return { ...app, stage: undefined, stable: track(app.stable), canary: track(app.canary), stages: undefined, routing: undefined, verify: undefined, resources: undefined, securityProfile: undefined };
  };
  const [was, now] = [rest(before.spec), rest(after.spec)];
  const others = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter((key) => !isDeepStrictEqual(was[key], now[key])).map((field) => ({ field }));
  return [...stage, ...named, ...others];
}

/** A change as a line: `field: was -> now`, or `field changed`; `code` wraps the field's name. */
function changeLine({ field, was, now }: FieldChange, code = (name: string) => name): string {
  return was === undefined ? `${code(field)} changed` : `${code(field)}: ${was} -> ${now}`;
}

/** A stage's row of the traffic table. */
function trafficRow(label: string, app: ResolvedAppSpec, stage: ResolvedStage | undefined): string {
  if (!stage) return `| ${label} | (none) | 0 | 0 | - |`;
  const share = `${formatShare(stage.canaryShare)}${app.routing ? ' (route weight)' : app.blueGreen ? ' (by the Service\'s selector)' : ' (by pod count)'}`;
  return `| ${label} | ${stage.name} | ${stage.stableReplicas} | ${stage.canaryReplicas} | ${share} |`;
}

/** What the gate checks after a move into `stage`, a line each; none where it does not run. */
function gateLines(app: ResolvedAppSpec, stage: ResolvedStage): string[] {
  if (!app.verify || !isGated(app, stage)) return [];
  const { smoke, prometheus, timeoutSeconds } = app.verify;
  return [
    `The gate runs after the move (within ${timeoutSeconds} s); a check that fails rolls back:`,
    ...(smoke ? [`- smoke: ${smoke.requests} requests to \`${smoke.path}\` on the canary, at least ${formatShare(smoke.minSuccessRatio * 100)} answered ${smoke.expectStatus}`] : []),
    ...(prometheus?.queries ?? []).map((query) => `- ${query.name}: \`${query.query}\`${query.max !== undefined ? ` <= ${query.max}` : ''}${query.min !== undefined ? ` >= ${query.min}` : ''}`),
  ];
}

/** One app's part of the review: what changed, its traffic before and after, its chart, the move's steps and the gate. */
function appReview(before: ResolvedApp | undefined, after: ResolvedApp, outdir: string, chart?: string): string[] {
  const { spec, plan } = after;
  const from = before?.plan.current;
  const to = plan.current;
  const heading = !before ? `${spec.name}: new, at ${to.name}` : from!.name === to.name ? `${spec.name}: at ${to.name}` : `${spec.name}: ${from!.name} -> ${to.name}`;
  const changes = before ? changedFields(before, after).map((change) => changeLine(change, (name) => `\`${name}\``)) : ['a new app'];
  const steps = stageSteps(spec, plan, to, outdir);
  return [
    `### ${heading}`,
    '',
    ...changes.map((line) => `- ${line}`),
    '',
    '| | stage | stable pods | canary pods | canary share |',
    '| --- | --- | ---: | ---: | ---: |',
    trafficRow('before', before?.spec ?? spec, from),
    trafficRow('after', spec, to),
    '',
    ...(chart ? [`![${spec.name}: pods and canary share per stage](${chart})`, ''] : []),
    '<details><summary>Applying it, step by step (the kubectl steps; Argo CD syncs the same waves)</summary>',
    '',
    ...steps.map((step, i) => `${i + 1}. ${describeStep(step)}`),
    '',
    '</details>',
    '',
    ...gateLines(spec, to),
  ];
}

/** The spec's apps now and at `base`: those to show (named, or else changed or new), and those removed. */
function compared(options: ReviewOptions) {
  const { config, base = 'HEAD', apps: names = [] } = options;
  const after = loadApps(options);
  const known = after.map((app) => app.spec.name);
  for (const name of names) if (!known.includes(name)) throw unknown('app', name, known);
  const before = new Map(appsAt(config, base).map((app) => [app.spec.name, app]));
  const changed = (app: ResolvedApp) => {
    const was = before.get(app.spec.name);
    return !was || changedFields(was, app).length > 0;
  };
  const reviewed = after.filter((app) => (names.length ? names.includes(app.spec.name) : changed(app)));
  const removed = [...before.keys()].filter((name) => !known.includes(name));
  return { after, before, reviewed, removed };
}

/**
 * What changed in each app's release since `base`, in release terms, a few lines an app: its stage,
 * the fields of the spec that changed (images, counts, env, config, stages, routing, the gate), and
 * each track's pods and the canary's share before and after. Reads the revision with git.
 */
export function diff(options: Omit<ReviewOptions, 'charts' | 'output'>): string {
  const { reviewed, before, removed } = compared({ ...options, output: '.' });
  const pods = (stage?: ResolvedStage) => (stage ? `stable ${stage.stableReplicas}, canary ${stage.canaryReplicas}, canary share ${formatShare(stage.canaryShare)}` : 'none');
  const lines = reviewed.flatMap((app) => {
    const was = before.get(app.spec.name);
    if (!was) return [`${app.spec.name}: new, at ${app.plan.current.name} (${pods(app.plan.current)})`];
    const changes = changedFields(was, app);
    const traffic = pods(was.plan.current) === pods(app.plan.current) ? [] : [`  pods: ${pods(was.plan.current)} -> ${pods(app.plan.current)}`];
    return [`${app.spec.name}: ${changes.length ? `${changes.length} ${changes.length === 1 ? 'change' : 'changes'}` : 'unchanged'}`, ...changes.map((change) => `  ${changeLine(change)}`), ...traffic];
  });
  return [...lines, ...removed.map((name) => `${name}: removed from the spec`), ...(lines.length || removed.length ? [] : ['no app\'s release changed'])].join('\n');
}

/**
 * Writes the review's charts: a file at a chart's path is replaced only where it is one (it starts
 * with the charts' marker); anything else there stops the write before any file is written.
 */
export function writeCharts(charts: Review['charts']): void {
  for (const { path } of charts) {
    if (existsSync(path) && !readFileSync(path, 'utf8').startsWith(CHART_MARKER)) throw new UsageError(`${path} is a file review did not draw: it is left as it is, and no chart was written; give another folder`);
  }
  for (const { path, content } of charts) {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) replaceFileContent(path, content);
    else writeAtomically(path, content);
  }
}

/**
 * A review of the spec's release against the git revision `base`, as markdown for a pull request:
 * for each app that changed, what changed in the spec's words, from which stage to which, each track's
 * pods and the canary's share before and after, a chart of the plan (SVG, with `charts`), the move's
 * steps and the gate. Reads the revision with git and writes nothing.
 */
export async function review(options: ReviewOptions): Promise<Review> {
  const { config, output, base = 'HEAD' } = options;
  plainPath(optionName(options, 'output'), output);
  const { after, before, reviewed, removed } = compared(options);
  const charts = options.charts === undefined ? [] : reviewed.map((app) => ({
    path: join(options.charts!, `${app.spec.name}.svg`),
    content: releaseChart(app.spec, app.plan, before.get(app.spec.name)?.plan.current.name),
  }));
  const unchanged = after.filter((app) => !reviewed.includes(app)).map((app) => app.spec.name);
  const markdown = [
    `## Release review: ${config} against ${base}`,
    '',
    ...(reviewed.length ? [] : ['No app\'s release changes.', '']),
    ...reviewed.flatMap((app, i) => [...appReview(before.get(app.spec.name), app, output, charts[i]?.path), '']),
    ...(removed.length ? [`Removed from the spec: ${removed.join(', ')} (their files go; the cluster keeps what was applied until it is torn down).`, ''] : []),
    ...(unchanged.length ? [`Unchanged: ${unchanged.join(', ')}.`, ''] : []),
  ].join('\n');
  return { markdown, charts };
}

