import type { TrackPods } from './stateful';
import type { ResolvedAppSpec, ResolvedVerifySpec } from './resolved';
import type { ResolvedStage } from './stage';
import { matchRulesApply, serviceHost, trackServiceName } from './routing';
import { isBlueGreenGated, previewServiceName } from './blue-green';

/*
 * The verification gate as data: which stages it gates, what the checks are, where the canary is.
 * Shared by the Job the stage files hold, the plan's commands and `cdk8s-canary verify`.
 */

/** The Job that runs an app's checks; the same name in every stage, so a new one replaces the last. */
export function verifyJobName(app: string): string {
  return `${app}-verify`;
}

/**
 * The gate Job of a stage. Under waves it is a plain object named after its stage, not a hook: its
 * outcome is the Application's health (Progressing while it runs, Degraded when it fails), which is
 * what RollingSync waits on before the next wave, and a stage's gate is never mistaken for an earlier
 * stage's. Otherwise the same name in every stage (verifyJobName).
 */
export function gateJobName(app: ResolvedAppSpec, stage: string): string {
  return app.waves ? `${verifyJobName(app.name)}-${stage}` : verifyJobName(app.name);
}

/** An app with a verification gate. */
export type GatedApp = ResolvedAppSpec & { readonly verify: ResolvedVerifySpec };

/**
 * Whether a stage is gated: the canary gets traffic in it, by weight, by share, by match rules or as
 * copies; under blue/green, the new colour runs beside the old up to the switch (see isBlueGreenGated).
 */
export function isGated(spec: ResolvedAppSpec, stage: ResolvedStage): spec is GatedApp {
  if (spec.blueGreen) return spec.verify !== undefined && isBlueGreenGated(stage);
  return spec.verify !== undefined && stage.canaryReplicas > 0
    && (stage.canaryShare > 0 || matchRulesApply(spec, stage) || stage.mirrorPercent !== undefined);
}

/** The canary's own Service (under blue/green, its preview Service), as the Job reaches it in the cluster. */
export function canaryUrl(spec: ResolvedAppSpec): string {
  const service = spec.blueGreen ? previewServiceName(spec.service.name) : trackServiceName(spec.service.name, 'canary');
  return `http://${serviceHost(service, spec.namespace)}:${spec.service.port}`;
}

/** The baseline track's Deployment. */
export function baselineName(app: ResolvedAppSpec): string {
  return `${app.name}-baseline`;
}

/** The Job that runs an app's smoke check before a stage moves traffic to the canary. */
export function smokeJobName(app: string): string {
  return `${app}-smoke`;
}

/**
 * Whether a stage runs the smoke check before its route moves: the app is routed, has a smoke check,
 * and the stage's route gives the canary more traffic than the stage before (by weight or match rules);
 * under blue/green, before the switch.
 * Without a router the canary takes its share as soon as it is ready: only the check after the sync
 * stands there.
 */
export function isSmokeGated(spec: ResolvedAppSpec, stage: ResolvedStage): spec is GatedApp {
  return spec.verify?.smoke !== undefined && (spec.routing !== undefined || spec.blueGreen !== undefined) && stage.canaryTrafficGrows;
}

/** A query as the check code takes it: a bound, or a comparison with another track. */
type CheckQuery = { readonly name: string; readonly query: string } & ({ readonly max?: number; readonly min?: number }
  | { readonly compare: 'baseline'; readonly baselineTrack: string; readonly alpha?: number; readonly worse?: string; readonly step?: number });

/** What verify/run-checks.js reads: the checks, and the names its queries' `$namespace` and `$app` stand for. */
export interface VerifyChecks {
  readonly namespace: string;
  readonly app: string;
  /** The whole run's deadline, before the Job's own, so the run can say why it stopped. */
  readonly deadlineSeconds: number;
  readonly smoke?: ResolvedVerifySpec['smoke'];
  readonly prometheus?: {
    readonly url: string;
    readonly window: string;
    readonly queries: readonly CheckQuery[];
    readonly interval: number;
    readonly count: number;
    readonly failureLimit: number;
    readonly initialDelay: number;
  };
  readonly notify?: { readonly webhook: string };
}

/*
 * The gate's time budget. The Job's deadline is `verify.timeoutSeconds`: its checks stop REPORT
 * seconds before it, so the run can report and notify in its own words. A timeout must leave the
 * analysis that and the last answers' time (MINIMUM_MARGIN in all); the default leaves a minute, and
 * at least five minutes in all. The plan's wait outlasts the deadline by WAIT_GRACE, so the Job says
 * why it stopped before the wait gives up.
 */
const GATE_SECONDS = { report: 20, minimumMargin: 30, defaultMargin: 60, defaultTimeout: 300, waitGrace: 30 } as const;

/** How long a Prometheus analysis takes: the soak, then a measurement every interval. */
export function analysisSeconds(prometheus: ResolvedVerifySpec['prometheus']): number {
  return prometheus ? prometheus.initialDelaySeconds + prometheus.intervalSeconds * (prometheus.count - 1) : 0;
}

/** The shortest Job deadline that fits the analysis. */
export function minimumGateTimeout(prometheus: ResolvedVerifySpec['prometheus']): number {
  return analysisSeconds(prometheus) + GATE_SECONDS.minimumMargin;
}

/** The Job's deadline when the spec gives none. */
export function defaultGateTimeout(prometheus: ResolvedVerifySpec['prometheus']): number {
  return Math.max(GATE_SECONDS.defaultTimeout, analysisSeconds(prometheus) + GATE_SECONDS.defaultMargin);
}

/** How long the plan's steps wait for a gate Job of that deadline. */
export function gateWaitSeconds(timeoutSeconds: number): number {
  return timeoutSeconds + GATE_SECONDS.waitGrace;
}

/** The app's checks for the check code: all of them (the analysis after a stage), or the smoke check alone (before its route moves). */
export function verifyChecks(spec: ResolvedAppSpec, verify: ResolvedVerifySpec, only?: 'smoke'): VerifyChecks {
  const { smoke, prometheus, notify } = verify;
  const queries = (prometheus?.queries ?? []).map((query): CheckQuery => (query.compare
    ? { name: query.name, query: query.query, compare: 'baseline', baselineTrack: query.compare, ...pick(query, 'alpha', 'worse'), step: prometheus!.intervalSeconds }
    : { name: query.name, query: query.query, ...pick(query, 'max', 'min') }));
  return {
    namespace: spec.namespace,
    app: spec.appLabel,
    deadlineSeconds: Math.max(10, verify.timeoutSeconds - GATE_SECONDS.report),
    ...(smoke ? { smoke } : {}),
    ...(prometheus && only !== 'smoke' ? {
      prometheus: {
        url: prometheus.url, window: prometheus.window, queries,
        interval: prometheus.intervalSeconds, count: prometheus.count, failureLimit: prometheus.failureLimit, initialDelay: prometheus.initialDelaySeconds,
      },
    } : {}),
    ...(notify?.webhook ? { notify: { webhook: notify.webhook } } : {}),
  };
}

/** The keys of `object` that are set. */
function pick<T extends object, K extends keyof T>(object: T, ...keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => object[key] !== undefined).map((key) => [key, object[key]])) as Partial<Pick<T, K>>;
}

/** One check's outcome, as the runner reports it. */
export interface CheckResult {
  readonly check: string;
  readonly pass: boolean;
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  readonly measured: string;
  readonly bound: string;
}

/** What verify/run-checks.js exports. */
export interface CheckRunner {
  runChecks(checks: VerifyChecks, where: { canaryUrl?: string; prometheusUrl?: string; pods?: TrackPods; onMeasurement?: (measurement: object) => void }): Promise<CheckResult[]>;
  formatResult(result: CheckResult): string;
  formatMeasurement(measurement: object): string;
  gateVerdict(results: readonly CheckResult[]): 'pass' | 'fail' | 'inconclusive';
  readonly EXIT_CODES: Record<'pass' | 'fail' | 'inconclusive', number>;
}
