import {
  BASELINE, COMPONENT_LABEL, CONFIG_COMPONENT, CONFIG_LABEL, configLabel, SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION, TRACK_LABEL, trackSelector, type Track, type TrackLabel,
} from '../../model/labels';
import { baselineName } from '../../model/gate';
import { laneLabel } from '../../model/blue-green';
import type { ResolvedAppSpec } from '../../model/resolved';
import { appMetadata, type Manifest } from './manifest';
import type { StatefulApp } from '../../model/stateful';
import { statefulSelector } from './workload';

/**
 * A track's ConfigMap of its `config` files, named and labelled by their hash: a change is a new
 * ConfigMap, never an edit of this one (immutable), and one a new version no longer names goes only
 * after its pods are replaced (PruneLast).
 */
export function configMap(app: ResolvedAppSpec, track: Track): Manifest {
  const config = app[track].config!;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: appMetadata(app, config.name, { [COMPONENT_LABEL]: CONFIG_COMPONENT, [CONFIG_LABEL]: configLabel(track, config.hash) }, {
      [SYNC_OPTIONS_ANNOTATION]: 'PruneLast=true',
    }),
    data: config.files,
    immutable: true,
  };
}

/** A track's PodDisruptionBudget (the baseline track's too): a drain takes at most `maxUnavailable` of its pods at a time. */
export function disruptionBudget(app: ResolvedAppSpec, track: TrackLabel): Manifest {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: appMetadata(app, track === BASELINE ? baselineName(app) : app[track].name),
    spec: { maxUnavailable: app.disruptionBudget!.maxUnavailable, selector: { matchLabels: trackSelector(app.appLabel, laneLabel(app, track)) } },
  };
}

/** A StatefulSet app's one PodDisruptionBudget, over all its pods: a drain takes at most `maxUnavailable` of them at a time. */
export function statefulBudget(app: StatefulApp): Manifest {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: appMetadata(app, app.statefulSet.name),
    spec: { maxUnavailable: app.disruptionBudget!.maxUnavailable, selector: statefulSelector(app) },
  };
}

/**
 * A track's HorizontalPodAutoscaler (autoscaling/v2) with a stage's bounds (see `autoscalerBounds`),
 * in the track's sync wave: it raises its floor with the track's growth and lowers it with its
 * shrinking.
 */
export function autoscaler(app: ResolvedAppSpec, track: Track, min: number, max: number, wave: number): Manifest {
  const { autoscaling, name } = app[track];
  const target = (resource: string, percent: number | undefined) => (percent === undefined ? [] : [{
    resource: { name: resource, target: { averageUtilization: percent, type: 'Utilization' } },
    type: 'Resource',
  }]);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: appMetadata(app, name, { [TRACK_LABEL]: track }, { [SYNC_WAVE_ANNOTATION]: String(wave) }),
    spec: {
      maxReplicas: max,
      metrics: [...target('cpu', autoscaling!.cpuUtilization), ...target('memory', autoscaling!.memoryUtilization)],
      minReplicas: min,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    },
  };
}
