import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryApp } from './canary-app';
import { resolveApp } from '../model/resolve';
import type { CanaryReleaseProps } from './props';
import { SpecError } from '../spec/problems';

/** One stage of a CanaryRelease: its own Chart, holding the stage's CanaryApp. */
export interface CanaryReleaseStage {
  /** The stage's name in the plan (`baseline`, ..., `rollback`). */
  readonly name: string;
  /** The stage's file name without extension, as the CLI writes it (`01-baseline`, `rollback`). */
  readonly fileName: string;
  /** The Chart of this stage, in the app's namespace; add your own objects to it. */
  readonly chart: Chart;
  /** The stage's CanaryApp. */
  readonly app: CanaryApp;
}

// Identity across copies of the library (two installs in one project), as cdk8s marks its own constructs.
const CANARY_RELEASE_SYMBOL = Symbol.for('cdk8s-canary.CanaryRelease');

/**
 * Every stage of one app's canary release in your own cdk8s app: one Chart per stage of the plan,
 * then `rollback`, each holding a CanaryApp at that stage, so `cdk8s synth` writes one file per stage
 * with the same objects `cdk8s-canary synth` writes.
 *
 * cdk8s writes one file per Chart, named after its construct path (a nested path gets a hash), so
 * the stage Charts are created beside this construct, in its scope, with the ids `<id>-<file name>`:
 * in an App, `dist/<id>-01-baseline.k8s.yaml` ... `dist/<id>-rollback.k8s.yaml`, for the CLI's
 * `<app>/stages/01-baseline.k8s.yaml`.
 *
 *   const release = new CanaryRelease(app, 'shop', { namespace: 'shop', stable: ..., canary: ... });
 *   for (const stage of release.stages) new kplus.ConfigMap(stage.chart, 'config', { data: { ... } });
 */
export class CanaryRelease extends Construct {
  /**
   * Whether `x` is a CanaryRelease, made by this copy of the library or by another one.
   * @param x any object
   */
  public static isCanaryRelease(x: any): x is CanaryRelease {
    return x !== null && typeof x === 'object' && CANARY_RELEASE_SYMBOL in x;
  }

  /** Every stage, in order, then rollback. */
  public readonly stages: CanaryReleaseStage[];

  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    Object.defineProperty(this, CANARY_RELEASE_SYMBOL, { value: true });
    let name: string;
    let namespace: string;
    let stages: { name: string; fileName: string }[];
    try {
      if ((props as { stage?: unknown } | undefined)?.stage !== undefined) {
        throw new SpecError([{ path: ['stage'], message: 'is not a CanaryRelease prop: it renders every stage; use CanaryApp for one' }]);
      }
      const resolved = resolveApp(props, { at: [], name: { value: id, from: 'the construct id' } });
      name = resolved.spec.name;
      namespace = resolved.spec.namespace;
      stages = resolved.plan.stages.map((stage) => ({ name: stage.name, fileName: stage.fileName }));
    } catch (error) {
      throw error instanceof SpecError ? new SpecError(error.problems, `CanaryRelease "${id}"`) : error;
    }
    this.stages = stages.map((stage) => {
      // The app's namespace is the chart's, so objects added to a stage's chart land beside the app's.
      const chart = new Chart(scope, `${id}-${stage.fileName}`, { namespace });
      return { ...stage, chart, app: new CanaryApp(chart, id, { ...props, name, stage: stage.name }) };
    });
  }
}
