import { objectLabels } from '../../model/labels';
import type { ResolvedAppSpec } from '../../model/resolved';

/** A Kubernetes object as plain data, as it is written to a file. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

/** The metadata this tool writes. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The metadata of one of the app's namespaced objects: its name, namespace and the app's labels. */
export function appMetadata(app: ResolvedAppSpec, name: string, labels: Record<string, string> = {}, annotations?: Record<string, string>): ObjectMeta {
  return {
    name,
    namespace: app.namespace,
    labels: { ...objectLabels(app.name, app.appLabel), ...labels },
    ...(annotations ? { annotations } : {}),
  };
}

/**
 * `own` with the user's labels and annotations (a `from` file's) kept beside the tool's; where a key
 * is in both, the tool's value stands, since the tool's selectors and sync waves depend on it.
 */
export function withUserMetadata(own: ObjectMeta, labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>): ObjectMeta {
  const allAnnotations = { ...annotations, ...own.annotations };
  return { ...own, labels: { ...labels, ...own.labels }, ...(Object.keys(allAnnotations).length ? { annotations: allAnnotations } : {}) };
}
