import { withNamespaceOwners } from './app-defaults';
import { renderApp, type RenderedFile } from './render';
import type { CanarySpec } from './spec';

/** Called after each app is rendered. */
export type ProgressListener = (done: number, total: number) => void;

/**
 * Renders every app of a spec: the complete output, in memory, in a stable order.
 * Each app is rendered alone, so the time grows linearly with apps x stages. A namespace several
 * apps create is in the first one's files only.
 */
export function synthesize(spec: CanarySpec, onProgress?: ProgressListener): RenderedFile[] {
  const files: RenderedFile[] = [];
  withNamespaceOwners(spec.apps).forEach((app, i) => {
    files.push(...renderApp(app));
    onProgress?.(i + 1, spec.apps.length);
  });
  return files;
}
