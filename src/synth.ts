import type { RenderedFile } from './file-header';
import { renderApp } from './render';
import { resolveSpec, type ResolvedApp } from './resolve';
import type { CanarySpec } from './spec';

/** Called after each app is rendered. */
export type ProgressListener = (done: number, total: number) => void;

/**
 * Renders resolved apps: the complete output, in memory, in a stable order. Each app is rendered
 * alone, so the time grows linearly with apps x stages. `specPath` (relative to the output folder)
 * marks the files as that spec's.
 */
export function renderApps(apps: readonly ResolvedApp[], specPath?: string, onProgress?: ProgressListener): RenderedFile[] {
  const files: RenderedFile[] = [];
  apps.forEach((app, i) => {
    files.push(...renderApp(app, specPath));
    onProgress?.(i + 1, apps.length);
  });
  return files;
}

/**
 * Renders every app of a spec, after the resolve step (which throws a SpecError for a bad spec):
 * the files `cdk8s-canary synth` writes, as paths relative to the output folder and their content.
 * `specPath` is the spec file's path relative to the output folder, recorded in each file.
 */
export function synthesize(spec: CanarySpec, specPath?: string): RenderedFile[] {
  return renderApps(resolveSpec(spec).apps, specPath);
}
