import type { RenderedFile } from '../src/io/header';
import { renderApp } from '../src/render/render';
import { resolveSpec, type ResolvedApp } from '../src/model/resolve';
import type { AppSpec } from '../src/spec/types';
import { SpecError } from '../src/spec/problems';
import { parseManifests, type Manifest } from './cluster-rules';

/** One app through the resolve step, as a spec with that app alone (in `baseDir`, for config files). */
export function resolveOne(app: AppSpec, baseDir?: string): ResolvedApp {
  return resolveSpec({ apps: [app] }, baseDir).apps[0];
}

/** The files of one app, as the CLI writes them. */
export function renderOne(app: AppSpec, baseDir?: string): RenderedFile[] {
  return renderApp(resolveOne(app, baseDir));
}

/** Stage name -> the objects of that stage's file (`01-baseline.k8s.yaml` -> `baseline`). */
export function stageManifests(app: AppSpec): Map<string, Manifest[]> {
  return new Map(renderOne(app)
    .filter((file) => file.path.includes('/stages/'))
    .map((file) => [file.path.replace(/^.*\/(\d+-)?|\.k8s\.yaml$/g, ''), parseManifests(file.content)]));
}

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/**
 * An object without what may differ between stages: a Deployment's replicas and sync wave (in its
 * metadata, so nothing restarts). Everything else, the pod template first, must be the same.
 */
export function stageInvariant(doc: Manifest): Manifest {
  if (doc.kind !== 'Deployment') return doc;
  const { [SYNC_WAVE]: _wave, ...annotations } = doc.metadata.annotations ?? {};
  return { ...doc, metadata: { ...doc.metadata, annotations }, spec: { ...doc.spec, replicas: 0 } };
}

/** The first object of a kind (and name). */
export function find(docs: Manifest[], kind: string, name?: string): Manifest {
  return docs.find((doc) => doc.kind === kind && (name === undefined || doc.metadata.name === name));
}

/** Whether a label selector selects a pod with these labels. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The problems the resolve step finds in one app, as `path.to.field: message` lines; fails if it finds none. */
export function problemsOf(app: AppSpec): string[] {
  try {
    resolveOne(app);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    return error.problems.map((problem) => `${problem.path.join('.')}: ${problem.message}`);
  }
  throw new Error('the resolve step accepted the app');
}
