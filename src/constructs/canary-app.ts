import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import type { Track } from '../model/labels';
import { namespaceCreators } from '../model/namespaces';
import { resolveApp } from '../model/resolve';
import type { ResolvedAppSpec } from '../model/resolved';
import { acrossAppsProblems } from '../model/rules/across-apps';
import { stageContents, type StageObject } from '../model/stage-contents';
import type { ResolvedStage, RolloutPlan } from '../model/stage';
import { SpecError } from '../spec/problems';
import { CanaryRoutes } from './canary-routes';
import { manifestOf } from './manifests/stage-objects';
import type { CanaryAppProps } from './props';

/** A track's ConfigMap (of its `config` files) and its PodDisruptionBudget, where it has them. */
export interface TrackObjects {
  readonly configMap?: ApiObject;
  readonly disruptionBudget?: ApiObject;
}

/** With Gateway API routing or `verify`: the Service of each track (the route's backends, the gate's target). */
export interface TrackServices {
  readonly stable: ApiObject;
  readonly canary: ApiObject;
}

// Each warning once per process: a CanaryRelease makes one CanaryApp per stage, with the same warnings.
const warned = new Set<string>();

/** A warning where the user of `cdk8s synth` sees it, as the CLI prints its own. */
function warnOnce(warning: string): void {
  if (warned.has(warning)) return;
  warned.add(warning);
  process.stderr.write(`warning: ${warning}\n`);
}

/** The construct id of a stage object. */
function objectId(object: Exclude<StageObject, { role: 'route' | 'subsets' }>): string {
  switch (object.role) {
    case 'namespace':
    case 'service':
    case 'preview-service':
    case 'drain':
      return object.role;
    case 'deployment':
      return object.track;
    case 'gate-config':
      return 'verify-config';
    case 'gate':
      return 'verify';
    case 'smoke':
    case 'baseline':
      return object.role;
    case 'baseline-service':
      return 'baseline-service';
    case 'baseline-budget':
      return 'baseline-budget';
    case 'endpoint-check-access':
      return `endpoint-check-${object.kind.toLowerCase()}`;
    case 'endpoint-check-code':
      return 'endpoint-check-config';
    case 'endpoint-check':
      return object.role;
    case 'stateful-set':
      return 'statefulset';
    case 'headless-service':
    case 'revert':
      return object.role;
    case 'canary-pod-service':
      return 'canary-service';
    case 'stateful-budget':
      return 'budget';
    case 'revert-access':
      return `revert-${object.kind.toLowerCase()}`;
    case 'revert-code':
      return 'revert-config';
    default:
      return `${object.track}-${object.role === 'track-service' ? 'service' : object.role}`;
  }
}

// Identity across copies of the library (two installs in one project), as cdk8s marks its own constructs.
const CANARY_APP_SYMBOL = Symbol.for('cdk8s-canary.CanaryApp');

/**
 * One stage of one app's canary release: the objects of the stage's file, as
 * cdk8s ApiObjects: the Namespace, the stable and the canary Deployment, one Service that selects
 * both (so traffic splits by replica ratio), and, where the app has them, config, budgets,
 * autoscalers, routes and the verification gate.
 *
 * Selectors and pod templates are the same in every stage; only replica counts change, so moving
 * from one stage to the next restarts no pod. The objects are plain cdk8s ApiObjects, so they work
 * with any cdk8s-plus line in the same chart, and take JSON patches (`ApiObject.of(app.stable)`).
 */
export class CanaryApp extends Construct {
  /**
   * Whether `x` is a CanaryApp, made by this copy of the library or by another one.
   * @param x any object
   */
  public static isCanaryApp(x: any): x is CanaryApp {
    return x !== null && typeof x === 'object' && CANARY_APP_SYMBOL in x;
  }

  /** The app's settings with every default filled in. */
  public readonly spec: ResolvedAppSpec;
  /** The rollout plan this stage belongs to. */
  public readonly plan: RolloutPlan;
  /** The stage rendered. */
  public readonly stage: ResolvedStage;
  /** The Namespace, where this app creates it (the first CanaryApp of the chart that asks for it). */
  public readonly namespace?: ApiObject;
  /** The Service that selects both tracks; under blue/green, the active colour. */
  public readonly service: ApiObject;
  /** Under blue/green: the Service that selects the new colour. */
  public readonly previewService?: ApiObject;
  /** Under blue/green, at the drain stage: the Argo CD hook Job that holds the old colour `scaleDownDelaySeconds`. */
  public readonly drainJob?: ApiObject;
  /** The stable track's Deployment; for an app with `workload: StatefulSet`, its StatefulSet, which runs both tracks. */
  public readonly stable: ApiObject;
  /** With `workload: StatefulSet`: the StatefulSet, at the stage's partition. */
  public readonly statefulSet?: ApiObject;
  /** With `workload: StatefulSet`: its headless Service, which gives its pods their names. */
  public readonly headlessService?: ApiObject;
  /** With `workload: StatefulSet`, at rollback: the Argo CD hook Job that deletes canary pods that never became Ready. */
  public readonly revertJob?: ApiObject;
  /** The canary track's Deployment; absent in stages before the canary starts. */
  public readonly canary?: ApiObject;
  /** The stable track's ConfigMap and PodDisruptionBudget. */
  public readonly stableObjects: TrackObjects;
  /** The canary track's ConfigMap and PodDisruptionBudget, in stages with the canary Deployment. */
  public readonly canaryObjects?: TrackObjects;
  /** The stable track's HorizontalPodAutoscaler, with `autoscaling`, in stages with stable pods. */
  public readonly stableAutoscaler?: ApiObject;
  /** The canary track's HorizontalPodAutoscaler, with `autoscaling`, in stages with canary pods. */
  public readonly canaryAutoscaler?: ApiObject;
  /** With `verify`: the ConfigMap with the check code and the checks, in every stage. */
  public readonly verifyConfigMap?: ApiObject;
  /** With `verify`: the Job that checks the canary, in stages where it gets traffic. */
  public readonly verifyJob?: ApiObject;
  /** With `verify.smoke` and routing: the Job that checks the canary before the route gives it more traffic. */
  public readonly smokeJob?: ApiObject;
  /** With `verify.baseline`: the baseline track's Deployment, in stages with the canary Deployment. */
  public readonly baseline?: ApiObject;
  /** With `verify.baseline`: the baseline track's Service. */
  public readonly baselineService?: ApiObject;
  /** Unless `endpointCheck.enabled` is false, for an app with a Service: the Argo CD hook Job that waits until the tracks that grow are ready endpoints, in stages where one grows. */
  public readonly endpointCheckJob?: ApiObject;
  /** With Gateway API routing or `verify`: a Service per track, the route's backends and the gate's target. */
  public readonly trackServices?: TrackServices;
  /** With `routing`: the HTTPRoute or GRPCRoute, and/or the VirtualService and DestinationRule, of this stage. */
  public readonly routes?: CanaryRoutes;

  /** What is worth a warning, such as an untagged image: one line each, also printed on standard error once. */
  public readonly warnings: string[];

  constructor(scope: Construct, id: string, props: CanaryAppProps) {
    super(scope, id);
    Object.defineProperty(this, CANARY_APP_SYMBOL, { value: true });
    const chart = Chart.of(this);
    const earlier = chart.node.findAll().filter((c): c is CanaryApp => CanaryApp.isCanaryApp(c) && c !== this);
    const resolved = resolveInChart(props, id, chart, earlier);
    ({ spec: this.spec, plan: this.plan } = resolved);
    this.stage = this.plan.current;
    this.warnings = resolved.warnings.map((warning) => new SpecError([warning], `CanaryApp "${id}"`).message);
    for (const warning of this.warnings) warnOnce(warning);

    // A namespace that an earlier app of the chart creates has that one owner.
    const creators = namespaceCreators([...earlier.map((app) => app.spec), this.spec]);
    const made: { object: StageObject; made: ApiObject }[] = [];
    for (const object of stageContents(this.spec, creators[earlier.length] === earlier.length, this.stage)) {
      if (object.role === 'route' || object.role === 'subsets') {
        this.routes ??= new CanaryRoutes(this, 'routes', { spec: this.spec, stage: this.stage });
      } else {
        made.push({ object, made: new ApiObject(this, objectId(object), manifestOf(this.spec, object)) });
      }
    }
    const find = (role: StageObject['role'], track?: Track) =>
      made.find(({ object }) => object.role === role && (track === undefined || ('track' in object && object.track === track)))?.made;
    const trackObjects = (track: Track): TrackObjects => ({ configMap: find('config', track), disruptionBudget: find('budget', track) ?? find('stateful-budget') });
    this.namespace = find('namespace');
    // A chart's default namespace is stamped on every object, but a Namespace is cluster-scoped.
    if (this.namespace && chart.namespace !== undefined) this.namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    this.service = find('service')!;
    this.previewService = find('preview-service');
    this.drainJob = find('drain');
    const stableService = find('track-service', 'stable');
    const canaryService = find('track-service', 'canary') ?? find('canary-pod-service');
    if (stableService && canaryService) this.trackServices = { stable: stableService, canary: canaryService };
    this.statefulSet = find('stateful-set');
    this.headlessService = find('headless-service');
    this.revertJob = find('revert');
    this.stable = this.statefulSet ?? find('deployment', 'stable')!;
    this.canary = find('deployment', 'canary');
    this.stableObjects = trackObjects('stable');
    if (this.canary) this.canaryObjects = trackObjects('canary');
    this.stableAutoscaler = find('autoscaler', 'stable');
    this.canaryAutoscaler = find('autoscaler', 'canary');
    this.verifyConfigMap = find('gate-config');
    this.verifyJob = find('gate');
    this.smokeJob = find('smoke');
    this.baseline = find('baseline');
    this.baselineService = find('baseline-service');
    this.endpointCheckJob = find('endpoint-check');
  }
}

/**
 * Resolves a CanaryApp's props as the one resolve step does, with the name and namespace the construct
 * and its chart give, and the rules across apps held across the CanaryApps of one chart; a SpecError
 * names the construct.
 */
function resolveInChart(props: CanaryAppProps, id: string, chart: Chart, earlier: readonly CanaryApp[]) {
  try {
    const resolved = resolveApp(props, {
      at: [], name: { value: id, from: 'the construct id' }, namespace: chart.namespace, namespaceFrom: 'the enclosing Chart',
    });
    const problems = acrossAppsProblems([...earlier.map((app) => app.spec), resolved.spec], [...earlier.map((app) => [app.node.path]), []]);
    if (problems.length) throw new SpecError(problems);
    return resolved;
  } catch (error) {
    throw error instanceof SpecError ? new SpecError(error.problems, `CanaryApp "${id}"`) : error;
  }
}
