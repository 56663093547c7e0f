import { checkOutput } from '../io/check';
import type { RenderedFile } from '../io/header';
import { outputFolderProblem, outputPathInRepository, specPathFrom } from '../io/output-folder';
import { openOutput } from '../io/write-session';
import { appFilePaths, OUTPUT_LAYOUT } from '../render/paths';
import { renderAppsInParallel, type ProgressListener } from '../render/synth';
import { optionName, plainPath, UsageError } from './errors';
import { loadApps, locateProblems, readSpecFile, type SpecOptions } from './load';
import { previousReleaseProblems } from './previous-release';
import { SpecError } from '../spec/problems';
import { wavesRelease } from '../model/resolve';

/** What `synth` is asked to do. */
export interface SynthOptions extends SpecOptions {
  /** The output folder. */
  readonly output: string;
  /**
   * Write nothing: compare the folder with a fresh render of the spec.
   * @default false
   */
  readonly check?: boolean;
  /**
   * Also replace files of other specs, or without the marker, where the layout writes.
   * @default false
   */
  readonly takeOver?: boolean;
  /** Called after each app is rendered. */
  readonly onProgress?: ProgressListener;
}

/** What a write did. */
export interface SynthWritten {
  readonly check: false;
  readonly apps: number;
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

/** What a check found: each stale, missing, leftover or conflicting file as lines; none when up to date. */
export interface SynthChecked {
  readonly check: true;
  readonly apps: number;
  readonly files: number;
  readonly report: readonly string[];
}

/**
 * Renders every app of a spec and writes its files into the output folder, or with `check` compares
 * them, touching nothing. Both render every app and compare every file byte for byte: what a file
 * says of itself proves nothing, so a file edited by hand, whatever its header says, is found by
 * `check` and written anew by a write, and a write leaves a file that is already as rendered as it
 * is. Each app's files are written while the next one renders. Throws a SpecError for a bad spec, a
 * UsageError for a bad output path, and OutputLockedError or OutputConflictError before anything is
 * written.
 */
export async function synth(options: SynthOptions): Promise<SynthWritten | SynthChecked> {
  const { config, output: outdir, check = false, takeOver = false } = options;
  plainPath(optionName(options, 'output'), outdir);
  const problem = outputFolderProblem(outdir, config);
  if (problem) throw new UsageError(problem);
  const loaded = loadApps(options);
  // What a running StatefulSet cannot change, against the files written before: refused before anything is.
  const changed = previousReleaseProblems(loaded, outdir);
  if (changed.length) throw new SpecError(locateProblems(readSpecFile(config), changed), config);
  // Argo CD finds the files by their path in the repository, unless the spec says where.
  const inRepository = loaded.some((app) => app.argocd && app.argocd.path === undefined) ? outputPathInRepository(outdir, config) : undefined;
  const resolved = loaded.map((app) => (app.argocd && app.argocd.path === undefined ? { ...app, argocd: { ...app.argocd, path: inRepository } } : app));
  const specPath = specPathFrom(outdir, config);
  const ownership = { spec: specPath, apps: resolved.map((app) => app.spec.name), takeOver, layout: OUTPUT_LAYOUT };
  if (check) {
    const rendered: RenderedFile[][] = [];
    await renderAppsInParallel(resolved, specPath, (index, files) => { rendered[index] = files; }, options.onProgress);
    const files = rendered.flat();
    return { check: true, apps: resolved.length, files: files.length, report: checkOutput(outdir, files, ownership) };
  }
  // The folder is checked before anything renders.
  const writer = openOutput(outdir, resolved.flatMap((app) => appFilePaths(app.spec.name, app.plan, wavesRelease(app)?.spec.waves)), ownership);
  try {
    await renderAppsInParallel(resolved, specPath, (_index, files) => files.forEach((file) => writer.write(file)), options.onProgress);
  } catch (error) {
    writer.abort();
    throw error;
  }
  return { check: false, apps: resolved.length, ...writer.close() };
}
