import type { AppSpec, ArgoCdSpec, CanarySpec, WaveSpec } from '../spec/types';
import { formatValue, SpecError, type Findings, type Problem, type SpecPath } from '../spec/problems';
import { readConfigFiles } from '../spec/config-files';
import { readWorkloadFile } from '../spec/workload-file';
import { checkSchema } from '../spec/schema';
import { resolveAppDefaults } from './defaults';
import { namespaceCreators } from './namespaces';
import { resolvePlan } from './plan';
import type { ResolvedAppSpec } from './resolved';
import { appFindings } from './rules/app';
import { acrossAppsProblems } from './rules/across-apps';
import { misshapenStageProblems } from './rules/stages';
import type { RolloutPlan } from './stage';
import { withEndpointCheckUsed } from './stage-contents';
import { resolveArgoCd, type ResolvedArgoCd, type ResolvedWave } from './waves';
import { wavesProblems } from './rules/waves';

/** An app through the one resolve step: every default filled in, its plan, and what to warn about. */
export interface ResolvedApp {
  readonly spec: ResolvedAppSpec;
  readonly plan: RolloutPlan;
  /** Whether this app's files create its namespace: the first app of a spec that asks does (see `namespaceCreators`). */
  readonly createsNamespace: boolean;
  /** Where Argo CD finds the files, for an app released in waves from a spec that says (`argocd`). */
  readonly argocd?: ResolvedArgoCd;
  readonly warnings: readonly Problem[];
}

/** An app in waves: its spec with the waves, and where Argo CD finds its files. */
export interface WavesRelease {
  readonly spec: ResolvedAppSpec & { readonly waves: readonly ResolvedWave[] };
  readonly argocd: ResolvedArgoCd;
}

/** Whether an app is released in waves, which gives it an ApplicationSet and its guards' files: the one place this is asked. */
export function wavesRelease(app: ResolvedApp): WavesRelease | undefined {
  const { spec, argocd } = app;
  return spec.waves && argocd ? { spec: { ...spec, waves: spec.waves }, argocd } : undefined;
}

/** Where an app comes from, for the defaults and messages that depend on it. */
export interface AppSource {
  /** Where the app stands, for messages: `['apps', 0]` in a spec file, `[]` for construct props. */
  readonly at: SpecPath;
  /** The name to use when the app gives none, and what it is (`the construct id`). */
  readonly name?: { readonly value: string; readonly from: string };
  /** The namespace to use when the app gives none (the enclosing Chart's). */
  readonly namespace?: string;
  /** Where that namespace comes from, for the message when neither is given (`the enclosing Chart`). */
  readonly namespaceFrom?: string;
  /**
   * The folder config files given by `path` are read from.
   * @default the working directory
   */
  readonly baseDir?: string;
}

/**
 * Plain data as read now: objects and lists copied, each property read once (a getter too); anything
 * else kept as it is, for the schema to judge. Copied in this realm, so objects made in another (a
 * test runner's) are plain objects here too.
 */
function snapshot(value: unknown, copies = new Map<object, unknown>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  // An object met again is its copy: shared data stays shared, and an object holding itself still
  // does, for the schema to name.
  if (copies.has(value)) return copies.get(value);
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const each of value) copy.push(snapshot(each, copies));
    return copy;
  }
  if (Object.getPrototypeOf(Object.getPrototypeOf(value) ?? Object.prototype) !== null) return value;
  const copy: Record<string, unknown> = {};
  copies.set(value, copy);
  for (const [key, each] of Object.entries(value)) {
    // Defined, not assigned: a key named __proto__ stays a key.
    Object.defineProperty(copy, key, { value: snapshot(each, copies), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/**
 * Defaults, plan and rules for an app whose shape passed the schema: the app, or what is wrong with it.
 * `waves` are the spec's own, for an app that gives none (checked where the spec gives them).
 */
function resolveShaped(app: AppSpec, at: SpecPath, baseDir: string, waves?: readonly WaveSpec[]): Findings & { readonly app?: ResolvedApp } {
  const read = readConfigFiles(app, at, baseDir);
  const workload = app.from === undefined ? undefined : readWorkloadFile(app.from, at, baseDir);
  const unread = [...read.problems, ...workload?.problems ?? []];
  if (unread.length) return { problems: unread, warnings: [] };
  const spec = resolveAppDefaults(app.waves || !waves ? read.app : { ...read.app, waves: [...waves] }, workload?.file);
  const found = appFindings(spec, at, () => resolvePlan(spec.stages, spec.stable.replicas, spec.canary.replicas, spec.stage, spec.routing !== undefined, (spec.routing?.match?.length ?? 0) > 0, spec.verify?.baseline ?? false, spec.blueGreen !== undefined, spec.statefulSet !== undefined), app);
  const warnings = [...workload?.notes ?? [], ...found.warnings];
  if (!found.plan) return { ...found, warnings };
  return { problems: found.problems, warnings, app: { spec: withEndpointCheckUsed(spec, found.plan), plan: found.plan, createsNamespace: spec.createNamespace, warnings } };
}

/**
 * An app's shape problems (at `at`), and a `stage:` that can be no stage of it beside them, where
 * `stage` and `stages` themselves are well formed: told at once, not after the shape is mended.
 */
function withStageProblem(shape: readonly Problem[], app: unknown, at: SpecPath): Problem[] {
  const field = (problem: Problem) => problem.path[at.length];
  if (!shape.length || shape.some((problem) => field(problem) === 'stage' || field(problem) === 'stages')) return [...shape];
  return [...shape, ...misshapenStageProblems(app, at)];
}

function throwIfAny(problems: readonly Problem[]): void {
  if (problems.length) throw new SpecError(problems);
}

/**
 * The one resolve step for one app, as CanaryApp props (from TypeScript or plain JavaScript): the
 * spec's JSON Schema for an app, then defaults, then the plan, then the rules. Throws a SpecError
 * with one problem per field, before anything is made.
 */
export function resolveApp(input: unknown, source: AppSource): ResolvedApp {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    // Construct props stand at no path of their own: call them props.
    throw new SpecError([{ path: source.at.length ? source.at : ['props'], message: `is ${formatValue(input)}: must be an object with the app's keys` }]);
  }
  // Read once: a getter read again later could give another value than the one checked.
  const given = snapshot(input) as Partial<AppSpec>;
  const app = {
    ...given,
    ...(given.name === undefined && source.name ? { name: source.name.value } : {}),
    ...(given.namespace === undefined && source.namespace !== undefined ? { namespace: source.namespace } : {}),
  };
  const problems = checkSchema(app, 'AppSpec').map((problem): Problem => {
    const [field] = problem.path;
    if (field === 'name' && given.name === undefined && source.name) {
      return { ...problem, message: `is not given, so ${source.name.from} ${formatValue(source.name.value)} is used: ${problem.message.replace(/^is .*?: /, '')}` };
    }
    if (field === 'namespace' && problem.message === 'is required' && source.namespaceFrom) {
      return { ...problem, message: `is required: give namespace, or give ${source.namespaceFrom} a namespace` };
    }
    return problem;
  }).map((problem) => ({ ...problem, path: [...source.at, ...problem.path] }));
  throwIfAny(withStageProblem(problems, app, source.at));
  const resolved = resolveShaped(app as AppSpec, source.at, source.baseDir ?? process.cwd());
  if (!resolved.app) throw new SpecError(resolved.problems);
  return resolved.app;
}

/** Waves are rolled by an ApplicationSet, which needs to know where Argo CD finds the files. */
function argoCdProblems(apps: readonly ResolvedApp[], argocd: ArgoCdSpec | undefined): Problem[] {
  const inWaves = apps.filter((app) => app.spec.waves);
  if (argocd || !inWaves.length) return [];
  return [{ path: ['argocd'], message: `is required by waves (app ${formatValue(inWaves[0].spec.name)}): give argocd.repoURL, the git repository Argo CD reads the output folder from, for the ApplicationSet each app in waves gets` }];
}

/** A whole spec through the resolve step: its apps, in order, and the warnings to show. */
export interface ResolvedSpec {
  readonly apps: readonly ResolvedApp[];
  readonly warnings: readonly Problem[];
}

/**
 * The one resolve step for a whole spec (canary.yaml): the schema, then each app's defaults, plan and
 * rules (for each app whose shape passed, even where another's did not), then the rules across apps. Config files given by `path` are read from `baseDir`, the spec's
 * folder. Throws a SpecError listing every problem.
 */
export function resolveSpec(data: unknown, baseDir = process.cwd()): ResolvedSpec {
  const shape = checkSchema(data);
  // Problems outside any app (no apps, an unknown key at the top) stop here; an app whose shape
  // passed still goes through its rules, so their problems are told with the others' shape problems.
  const inApp = (problem: Problem) => problem.path[0] === 'apps' && typeof problem.path[1] === 'number';
  if (shape.some((problem) => !inApp(problem))) throwIfAny(shape);
  const { apps: input, waves, argocd } = data as CanarySpec;
  throwIfAny(waves ? wavesProblems(waves, ['waves']) : []);
  const shapeOf = (i: number) => shape.filter((problem) => problem.path[1] === i);
  const each = input.map((app, i) => (shapeOf(i).length ? { problems: withStageProblem(shapeOf(i), app, ['apps', i]), warnings: [] } : resolveShaped(app, ['apps', i], baseDir, waves)));
  throwIfAny(each.flatMap((found) => found.problems));
  const apps = each.map((found) => found.app!);
  throwIfAny([...acrossAppsProblems(apps.map((app) => app.spec), input.map((_, i) => ['apps', i])), ...argoCdProblems(apps, argocd)]);
  const creators = namespaceCreators(apps.map((app) => app.spec));
  return {
    apps: apps.map((app, i) => ({
      ...app,
      createsNamespace: creators[i] === i,
      ...(app.spec.waves && argocd ? { argocd: resolveArgoCd(argocd) } : {}),
    })),
    warnings: each.flatMap((found) => found.warnings),
  };
}
