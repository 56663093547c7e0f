import { renderApp, type RenderedFile } from './render';
import { resolveSpec, type ResolvedApp } from './resolve';
import type { CanarySpec } from './spec';

/** Called after each app is rendered. */
export type ProgressListener = (done: number, total: number) => void;

/**
 * Renders resolved apps: the complete output, in memory, in a stable order. Each app is rendered
 * alone, so the time grows linearly with apps x stages.
 */
export function renderApps(apps: readonly ResolvedApp[], onProgress?: ProgressListener): RenderedFile[] {
  const files: RenderedFile[] = [];
  apps.forEach((app, i) => {
    files.push(...renderApp(app));
    onProgress?.(i + 1, apps.length);
  });
  return files;
}

/**
 * Renders every app of a spec, after the resolve step (which throws a SpecError for a bad spec):
 * the files `cdk8s-canary synth` writes, as paths relative to the output folder and their content.
 */
export function synthesize(spec: CanarySpec): RenderedFile[] {
  return renderApps(resolveSpec(spec).apps);
}
