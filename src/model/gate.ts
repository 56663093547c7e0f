import { join } from 'node:path';
import type { ResolvedAppSpec, ResolvedVerifySpec } from './resolved';
import type { ResolvedStage } from './stage';
import { matchRulesApply, trackServiceName } from './routing';

/*
 * The verification gate as data: which stages it gates, what the checks are, where the canary is.
 * Shared by the Job the stage files hold, the plan's commands and `cdk8s-canary verify`.
 */

/** The Job that runs an app's checks; the same name in every stage, so a new one replaces the last. */
export function verifyJobName(app: string): string {
  return `${app}-verify`;
}

/** An app with a verification gate. */
export type GatedApp = ResolvedAppSpec & { readonly verify: ResolvedVerifySpec };

/** Whether a stage is gated: the canary gets traffic in it, by weight, by share, by match rules or as copies. */
export function isGated(spec: ResolvedAppSpec, stage: ResolvedStage): spec is GatedApp {
  return spec.verify !== undefined && stage.canaryReplicas > 0
    && (stage.canaryShare > 0 || matchRulesApply(spec, stage) || stage.mirrorPercent !== undefined);
}

/** The canary's own Service, as the Job reaches it in the cluster. */
export function canaryUrl(spec: ResolvedAppSpec): string {
  return `http://${trackServiceName(spec.service.name, 'canary')}.${spec.namespace}.svc.cluster.local:${spec.service.port}`;
}

/** What verify/run-checks.js reads: the checks, and the names its queries' `$namespace` and `$app` stand for. */
export interface VerifyChecks {
  readonly namespace: string;
  readonly app: string;
  readonly smoke?: ResolvedVerifySpec['smoke'];
  readonly prometheus?: ResolvedVerifySpec['prometheus'];
}

export function verifyChecks(spec: ResolvedAppSpec, verify: ResolvedVerifySpec): VerifyChecks {
  const { smoke, prometheus } = verify;
  return { namespace: spec.namespace, app: spec.appLabel, ...(smoke ? { smoke } : {}), ...(prometheus ? { prometheus } : {}) };
}

/** The check code, one plain JavaScript file of the package: the Job runs it, and so does `verify`. */
export const RUNNER_PATH = join(__dirname, '..', '..', 'verify', 'run-checks.js');

/** One check's outcome, as the runner reports it. */
export interface CheckResult {
  readonly check: string;
  readonly pass: boolean;
  readonly measured: string;
  readonly bound: string;
}

/** What verify/run-checks.js exports. */
export interface CheckRunner {
  runChecks(checks: VerifyChecks, where: { canaryUrl?: string; prometheusUrl?: string }): Promise<CheckResult[]>;
  formatResult(result: CheckResult): string;
}

/** The check code, loaded to run here. */
export function loadRunner(): CheckRunner {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(RUNNER_PATH) as CheckRunner;
}
