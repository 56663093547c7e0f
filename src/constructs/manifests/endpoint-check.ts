import { COMPONENT_LABEL, ENDPOINT_CHECK_COMPONENT, SYNC_WAVE_ANNOTATION } from '../../model/labels';
import { SYNC_WAVE } from '../../model/moves';
import type { ResolvedAppSpec, ResolvedEndpointCheckSpec } from '../../model/resolved';
import { endpointCheckName, TRAFFIC_CHECK_SECONDS, type EndpointCheck } from '../../model/traffic-checks';
import { appMetadata, type Manifest } from './manifest';
import { accessObjects, apiCheckJob, codeConfigMap, codeConfigMapName, type AccessKind } from './node-job';

/*
 * The endpoint check as Argo CD runs it (see EndpointCheckSpec): a Sync hook Job after the tracks
 * that grow, under a ServiceAccount whose Role may list EndpointSlices and pods in the app's
 * namespace and nothing else, running verify/check-endpoints.js from a ConfigMap.
 */

const LABELS = { [COMPONENT_LABEL]: ENDPOINT_CHECK_COMPONENT };

/**
 * What the check runs as: a ServiceAccount whose Role may list EndpointSlices (the Service's
 * endpoints) and pods (which track each endpoint is), and the binding.
 */
export function endpointCheckAccess(app: ResolvedAppSpec, kind: AccessKind): Manifest {
  return accessObjects(appMetadata(app, endpointCheckName(app.name), LABELS), [
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
  ])[kind];
}

/** The ConfigMap with the check's code, in every stage (see codeConfigMap): after `finish` or with the check turned off, pruned last. */
export function endpointCheckConfigMap(app: ResolvedAppSpec): Manifest {
  return codeConfigMap('endpoints', endpointCheckName(app.name), (name, annotations) => appMetadata(app, name, LABELS, annotations));
}

/**
 * The Job: an Argo CD Sync hook in the endpoints wave, made anew on each sync; when its checks do not
 * hold in time it fails, and with it the sync, so the waves that move traffic never run. Its pods
 * carry no `app` label, so no Service of the app selects them.
 */
export function endpointCheckJob(app: ResolvedAppSpec, check: ResolvedEndpointCheckSpec, checks: readonly EndpointCheck[]): Manifest {
  const metadata = appMetadata(app, endpointCheckName(app.name), LABELS, {
    'argocd.argoproj.io/hook': 'Sync',
    'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVE.endpoints),
  });
  const input = { namespace: app.namespace, seconds: TRAFFIC_CHECK_SECONDS, checks: checks.map(({ service, pods, count, message }) => ({ service, pods, count, message })) };
  return apiCheckJob({ metadata, serviceAccount: metadata.name, code: 'endpoints', input, image: check.image, configMap: codeConfigMapName(endpointCheckName(app.name), 'endpoints') });
}
