import type { CheckResult } from '../model/gate';
import { optionName, UsageError, unknown } from './errors';
import { loadApps, type SpecOptions } from './load';

/** What `verify` is asked to check. */
export interface VerifyOptions extends SpecOptions {
  /** The app whose canary to check. */
  readonly app: string;
  /**
   * The stage being verified, one that sends the canary traffic.
   * @default the app's current stage
   */
  readonly stage?: string;
  /** Where the canary answers, for the smoke check (a user and password may come first; they are sent as Basic auth and never printed). */
  readonly canaryUrl?: string;
  /**
   * The Prometheus server.
   * @default the spec's
   */
  readonly prometheus?: string;
  /** Each measurement as it comes, as one line. */
  readonly onMeasurement?: (line: string) => void;
}

/** The gate's verdict on a canary, with each check's outcome as a line. */
export interface VerifyOutcome {
  readonly stage: string;
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  readonly results: readonly CheckResult[];
  readonly lines: readonly string[];
  /** The verdict as the gate's Job exits with it: 0 pass, 1 fail, 3 inconclusive. */
  readonly exitCode: number;
}

/**
 * Runs an app's gate from here against its canary, as its Job runs it in the cluster, keeping the
 * gate's deadline. A request the gate cannot answer (no verify block, a stage without canary traffic,
 * no canary address for the smoke check) is a UsageError, raised before any check runs.
 */
export async function verify(options: VerifyOptions): Promise<VerifyOutcome> {
  const { config, app: appName } = options;
  const apps = loadApps(options);
  const app = apps.find((each) => each.spec.name === appName);
  if (!app) throw unknown('app', appName, apps.map((each) => each.spec.name));
  const { spec, plan: rollout } = app;
  if (!spec.verify) throw new UsageError(`${appName} has no verify block in ${config}: nothing to check`);
  const { isGated, verifyChecks } = await import('../model/gate');
  const stageName = options.stage ?? rollout.current.name;
  const stage = rollout.stages.find((each) => each.name === stageName);
  if (!stage) throw unknown('stage', stageName, rollout.stages.map((each) => each.name));
  if (!isGated(spec, stage)) {
    const judged = rollout.stages.filter((each) => isGated(spec, each)).map((each) => each.name);
    const which = options.stage === undefined ? `${appName} is at ${stage.name}, which` : `stage ${stage.name} of ${appName}`;
    const next = options.stage === undefined && stage.name !== 'rollback' ? `, or move the release on: cdk8s-canary next ${appName}` : '';
    throw new UsageError(`${which} sends the canary no traffic: nothing to judge there. Stages that do: ${judged.join(', ')} (${optionName(options, 'stage')} NAME)${next}`);
  }
  const { canaryUrl, prometheus } = options;
  if (spec.verify.smoke && !canaryUrl) {
    const { trackServiceName } = await import('../model/routing');
    const { shellQuote } = await import('./kubectl-steps');
    throw new UsageError(`the smoke check needs the canary's address: kubectl port-forward -n ${shellQuote(spec.namespace)} ${shellQuote(`svc/${trackServiceName(spec.service.name, 'canary')}`)} 8080:${spec.service.port}, then ${optionName(options, 'canaryUrl')} http://127.0.0.1:8080`);
  }
  // The spec's own rule for a URL, and its words; here, where nothing is written, a user and password
  // may come first.
  const { checkSchema } = await import('../spec/schema');
  const { urlProblem } = await import('../spec/url');
  for (const [option, url] of [['canaryUrl', canaryUrl], ['prometheus', prometheus]] as const) {
    const [problem] = url === undefined ? [] : checkSchema(url.replace(/^(https?:\/\/)[^/?#@\s]*@/i, '$1'), 'HttpUrl');
    if (problem) throw new UsageError(`${optionName(options, option)} ${problem.message.replace(/^is .*?: /, '')}`);
    const unparsed = url === undefined ? undefined : urlProblem(url);
    if (unparsed) throw new UsageError(`${optionName(options, option)} ${unparsed}`);
  }
  const { checkRunner } = await import('../constructs/check-code');
  const runner = checkRunner();
  const { isStateful, trackPods } = await import('../model/stateful');
  const results = await runner.runChecks(verifyChecks(spec, spec.verify), {
    canaryUrl, prometheusUrl: prometheus, ...(isStateful(spec) ? { pods: trackPods(spec, stage) } : {}), onMeasurement: (measurement) => options.onMeasurement?.(runner.formatMeasurement(measurement)),
  });
  const verdict = runner.gateVerdict(results);
  return { stage: stage.name, verdict, results, lines: results.map((result) => runner.formatResult(result)), exitCode: runner.EXIT_CODES[verdict] };
}
