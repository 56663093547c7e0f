import type { ResolvedAppSpec, ResolvedEndpointCheckSpec, ResolvedVerifySpec } from '../../model/resolved';
import type { StageObject } from '../../model/stage-contents';
import { endpointCheckAccess, endpointCheckConfigMap, endpointCheckJob } from './endpoint-check';
import { gateConfigMap, gateJob, smokeJob } from './gate';
import type { Manifest } from './manifest';
import { routeManifest } from './routes';
import { canaryPodService, headlessService, namespace, previewService, service, trackService } from './services';
import { drainJob } from './drain';
import { autoscaler, configMap, disruptionBudget, statefulBudget } from './track-objects';
import { revertAccess, revertConfigMap, revertJob } from './revert';
import { isStateful, type StatefulApp } from '../../model/stateful';
import { BASELINE } from '../../model/labels';
import { deployment, podTemplate, statefulSet } from './workload';

/** The gate's settings: a gate object stands only in the contents of an app with `verify`. */
function gate(app: ResolvedAppSpec): ResolvedVerifySpec {
  if (!app.verify) throw new Error(`internal: a gate object for app ${app.name}, which has no verify`);
  return app.verify;
}

/** The endpoint check's settings: its objects stand only in the contents of an app that has it. */
function endpointCheck(app: ResolvedAppSpec): ResolvedEndpointCheckSpec {
  if (!app.endpointCheck) throw new Error(`internal: an endpoint check object for app ${app.name}, which has none`);
  return app.endpointCheck;
}

/** A StatefulSet app's settings: its objects stand only in the contents of an app that runs on one. */
function stateful(app: ResolvedAppSpec): StatefulApp {
  if (!isStateful(app)) throw new Error(`internal: a StatefulSet object for app ${app.name}, which runs Deployments`);
  return app;
}

/** One object of a stage (see `stageContents`) as plain Kubernetes data. */
export function manifestOf(app: ResolvedAppSpec, object: StageObject): Manifest {
  switch (object.role) {
    case 'namespace': return namespace(app);
    case 'service': return service(app, object.selects);
    case 'preview-service': return previewService(app, object.selects);
    case 'drain': return drainJob(app, object.seconds);
    case 'track-service': return trackService(app, object.track);
    case 'baseline-service': return trackService(app, BASELINE);
    case 'baseline': return deployment(app, 'stable', object.replicas, object.wave, podTemplate(app, 'stable', BASELINE), BASELINE);
    case 'config': return configMap(app, object.track);
    case 'budget': return disruptionBudget(app, object.track);
    case 'baseline-budget': return disruptionBudget(app, BASELINE);
    case 'deployment': return deployment(app, object.track, object.replicas, object.wave);
    case 'autoscaler': return autoscaler(app, object.track, object.min, object.max, object.wave);
    case 'gate-config': return gateConfigMap(app, gate(app));
    case 'route': return routeManifest(app, object.kind, object);
    case 'subsets': return routeManifest(app, object.kind, { canaryWeight: 0, matchRules: false });
    case 'gate': return gateJob(app, gate(app), object.stage, object.pods);
    case 'smoke': return smokeJob(app, gate(app), object.stage);
    case 'endpoint-check-access': return endpointCheckAccess(app, object.kind);
    case 'endpoint-check-code': return endpointCheckConfigMap(app);
    case 'endpoint-check': return endpointCheckJob(app, endpointCheck(app), object.checks);
    case 'stateful-set': return statefulSet(stateful(app), object.template, object.partition, object.wave);
    case 'headless-service': return headlessService(stateful(app));
    case 'canary-pod-service': return canaryPodService(stateful(app));
    case 'stateful-budget': return statefulBudget(stateful(app));
    case 'revert-access': return revertAccess(stateful(app), object.kind);
    case 'revert-code': return revertConfigMap(stateful(app));
    case 'revert': return revertJob(stateful(app));
  }
}
