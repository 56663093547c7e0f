import { optionName, plainPath, unknown, UsageError } from './errors';
import { loadApps, type SpecOptions } from './load';

/** What `plan` is asked to show. */
export interface PlanOptions extends SpecOptions {
  /** The output folder the commands name. */
  readonly output: string;
  /**
   * The apps to show, by name.
   * @default every app of the spec
   */
  readonly apps?: readonly string[];
  /**
   * One JSON document instead of text.
   * @default false
   */
  readonly json?: boolean;
  /**
   * A runnable POSIX script of the move to one app's stage (`stage`), a comment above each step,
   * instead of the plan. The spec must have one app, or `apps` name one.
   * @default false
   */
  readonly script?: boolean;
  /**
   * With `script`: the stage to move to.
   * @default the app's current stage
   */
  readonly stage?: string;
}

/**
 * Each app's stages, shares and the kubectl commands that apply them, as text (one block per app) or
 * as one JSON document for a script or a CI job. An app name the spec lacks is a UsageError.
 */
export async function plan(options: PlanOptions): Promise<string> {
  const { config, output: outdir, apps: names = [] } = options;
  plainPath(optionName(options, 'output'), outdir);
  const apps = loadApps(options);
  const known = apps.map((app) => app.spec.name);
  for (const name of names) if (!known.includes(name)) throw unknown('app', name, known);
  const shown = apps.filter((app) => !names.length || names.includes(app.spec.name));
  if (options.stage !== undefined && !options.script) throw new UsageError(`${optionName(options, 'stage')} goes with ${optionName(options, 'script')}: the plan shows every stage`);
  if (options.script) {
    if (options.json) throw new UsageError(`${optionName(options, 'script')} and ${optionName(options, 'json')} do not go together: give one`);
    if (shown.length !== 1) throw new UsageError(`${optionName(options, 'script')} is the move of one app: name one (${known.join(', ')})`);
    const [{ spec, plan: appPlan }] = shown;
    const stage = options.stage === undefined ? appPlan.current : appPlan.stages.find((each) => each.name === options.stage);
    if (!stage) throw unknown('stage', options.stage!, appPlan.stages.map((each) => each.name));
    const { stageScript } = await import('./kubectl-steps');
    return stageScript(spec, appPlan, stage, outdir);
  }
  const { formatPlan, planDocument } = await import('./plan-report');
  const owner = (namespace: string) => apps.find((other) => other.createsNamespace && other.spec.namespace === namespace)?.spec.name;
  if (options.json) {
    return JSON.stringify({ spec: config, output: outdir, apps: shown.map((app) => planDocument(app.spec, app.plan, outdir, owner(app.spec.namespace))) }, null, 2);
  }
  return shown.map((app) => formatPlan(app.spec, app.plan, outdir, owner(app.spec.namespace))).join('\n\n');
}
