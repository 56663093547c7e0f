import { renderApp } from '../src/render';
import type { AppSpec } from '../src/spec';
import { parseManifests, type Manifest } from './cluster-rules';

/** Stage name -> the objects of that stage's file (`01-baseline.k8s.yaml` -> `baseline`). */
export function stageManifests(app: AppSpec): Map<string, Manifest[]> {
  return new Map(renderApp(app)
    .filter((file) => file.path.includes('/stages/'))
    .map((file) => [file.path.replace(/^.*\/(\d+-)?|\.k8s\.yaml$/g, ''), parseManifests(file.content)]));
}

/** The first object of a kind (and name). */
export function find(docs: Manifest[], kind: string, name?: string): Manifest {
  return docs.find((doc) => doc.kind === kind && (name === undefined || doc.metadata.name === name));
}

/** Whether a label selector selects a pod with these labels. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
