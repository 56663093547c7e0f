import { optionName, plainPath, unknown } from './errors';
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
  const { formatPlan, planDocument } = await import('./plan-report');
  const shown = apps.filter((app) => !names.length || names.includes(app.spec.name));
  const owner = (namespace: string) => apps.find((other) => other.createsNamespace && other.spec.namespace === namespace)?.spec.name;
  if (options.json) {
    return JSON.stringify({ spec: config, output: outdir, apps: shown.map((app) => planDocument(app.spec, app.plan, outdir, owner(app.spec.namespace))) }, null, 2);
  }
  return shown.map((app) => formatPlan(app.spec, app.plan, outdir, owner(app.spec.namespace))).join('\n\n');
}
