import {
  COMPONENT_LABEL, POD_SECURITY_ENFORCE_LABEL, ROUTER_COMPONENT, SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION, TRACK_LABEL, trackSelector, type Track, type TrackLabel,
} from '../../model/labels';
import { laneLabel, previewServiceName } from '../../model/blue-green';
import { SYNC_WAVE } from '../../model/moves';
import { canaryPodSelector, type StatefulApp } from '../../model/stateful';
import type { ResolvedAppSpec } from '../../model/resolved';
import { trackServiceName } from '../../model/routing';
import { RouteProtocol, SessionAffinity } from '../../spec/types';
import { appMetadata, withUserMetadata, type Manifest } from './manifest';

/**
 * The app's Namespace, labelled with the Pod Security level it enforces. Deleting a namespace deletes
 * everything in it, other apps' objects too: Argo CD never prunes it.
 */
export function namespace(app: ResolvedAppSpec): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: app.namespace,
      labels: { [POD_SECURITY_ENFORCE_LABEL]: app.securityProfile },
      annotations: { [SYNC_OPTIONS_ANNOTATION]: 'Prune=false' },
    },
  };
}

function serviceObject(app: ResolvedAppSpec, name: string, selector: Record<string, string>, withNodePorts: boolean, spec: Record<string, unknown>): Manifest {
  // gRPC is HTTP/2 in clear text: the Gateway API's way to tell a backend's protocol.
  const grpc = app.routing?.gatewayApi?.protocol === RouteProtocol.GRPC;
  const ports = app.service.ports.map(({ nodePort, ...port }) => ({
    ...port,
    ...(grpc ? { appProtocol: 'kubernetes.io/h2c' } : {}),
    ...(withNodePorts && nodePort !== undefined ? { nodePort } : {}),
  }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: appMetadata(app, name),
    spec: { ...spec, ports, selector },
  };
}

/** The app's selector narrowed to a blue/green track's colour. */
function colourSelector(app: ResolvedAppSpec, track: Track): Record<string, string> {
  return { ...app.service.selector, [TRACK_LABEL]: laneLabel(app, track) };
}

/**
 * The Service that selects both tracks' pods, so traffic splits by ready pods: a `from` file's
 * Service keeps its settings, ports and selector. Under blue/green it `selects` one track's colour,
 * and moves traffic as a route does: in the route wave, applied on its own by the plan's steps.
 */
export function service(app: ResolvedAppSpec, selects?: Track): Manifest {
  const { name, type, sessionAffinity, sessionAffinityTimeoutSeconds, given, labels, annotations, selector } = app.service;
  const { sessionAffinity: _affinity, sessionAffinityConfig: _config, ...kept } = given ?? {};
  const object = serviceObject(app, name, selects ? colourSelector(app, selects) : selector, true, {
    ...kept,
    type,
    ...(sessionAffinity === SessionAffinity.CLIENT_IP
      ? { sessionAffinity, sessionAffinityConfig: { clientIP: { timeoutSeconds: sessionAffinityTimeoutSeconds } } } : {}),
  });
  const switched = selects ? appMetadata(app, name, { [COMPONENT_LABEL]: ROUTER_COMPONENT }, { [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVE.route) }) : object.metadata;
  // The user's labels and annotations stay: external-dns, a load balancer's settings, what a ServiceMonitor selects.
  return { ...object, metadata: withUserMetadata(switched, labels, annotations) };
}

/** Under blue/green: the other colour's ClusterIP Service (see previewTrack), the gate's target; it lists no endpoint between releases. */
export function previewService(app: ResolvedAppSpec, selects: Track): Manifest {
  return serviceObject(app, previewServiceName(app.service.name), colourSelector(app, selects), false, { type: 'ClusterIP' });
}

/** A track's own ClusterIP Service: a route's backend and the gate's target; in every stage, so a route resolves at 0%. */
export function trackService(app: ResolvedAppSpec, track: TrackLabel): Manifest {
  return serviceObject(app, trackServiceName(app.service.name, track), trackSelector(app.appLabel, track), false, { type: 'ClusterIP' });
}

/**
 * A StatefulSet's headless Service, which gives each pod its DNS name: a `from` file's as written
 * (with the app's labels beside its own), else one over the app's pods and ports.
 */
export function headlessService(app: StatefulApp): Manifest {
  const { headless, serviceName } = app.statefulSet;
  if (headless) {
    const { apiVersion, kind, metadata = {}, ...rest } = headless;
    const own = appMetadata(app, serviceName);
    return { apiVersion, kind, ...rest, metadata: { ...metadata, ...withUserMetadata(own, metadata.labels ?? {}, metadata.annotations ?? {}) } };
  }
  return serviceObject(app, serviceName, app.service.selector, false, { clusterIP: 'None' });
}

/** A StatefulSet app's canary Service: the highest ordinal, where the canary starts; the gate's target. */
export function canaryPodService(app: StatefulApp): Manifest {
  return serviceObject(app, trackServiceName(app.service.name, 'canary'), canaryPodSelector(app), false, { type: 'ClusterIP' });
}
