import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { ResolvedAppSpec } from '../model/resolved';
import { trackAutoscalerBounds } from '../model/autoscaling';
import { objectLabels, SYNC_WAVE_ANNOTATION, TRACK_LABEL, type Track } from '../model/labels';

/**
 * A track's HorizontalPodAutoscaler (autoscaling/v2) for a stage where it has `replicas` pods, with
 * the stage's bounds (see `autoscalerBounds`), in the track's sync wave: it raises its floor with
 * the track's growth and lowers it with its shrinking. Undefined when the track has no autoscaling,
 * or no pods in the stage.
 */
export function createAutoscaler(
  scope: Construct, id: string, spec: ResolvedAppSpec, track: Track, replicas: number, wave: number,
): kplus.k8s.KubeHorizontalPodAutoscalerV2 | undefined {
  const { autoscaling, name } = spec[track];
  const bounds = trackAutoscalerBounds(spec, track, replicas);
  if (!autoscaling || !bounds) return undefined;
  const target = (resource: string, percent: number | undefined): kplus.k8s.MetricSpecV2[] => (percent === undefined ? [] : [{
    type: 'Resource',
    resource: { name: resource, target: { type: 'Utilization', averageUtilization: percent } },
  }]);
  return new kplus.k8s.KubeHorizontalPodAutoscalerV2(scope, id, {
    metadata: {
      name,
      namespace: spec.namespace,
      labels: { ...objectLabels(spec.name, spec.appLabel), [TRACK_LABEL]: track },
      annotations: { [SYNC_WAVE_ANNOTATION]: String(wave) },
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: bounds.min,
      maxReplicas: bounds.max,
      metrics: [...target('cpu', autoscaling.cpuUtilization), ...target('memory', autoscaling.memoryUtilization)],
    },
  });
}
