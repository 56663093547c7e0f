import { join } from 'node:path';
import { checkOutput } from '../io/check';
import { readRegularBytes } from '../io/bounded-read';
import { MAX_GENERATED_FILE_BYTES } from '../io/scan';
import type { RenderedFile } from '../io/header';
import { outputFolderProblem, specPathFrom } from '../io/output-folder';
import type { FoundFiles } from '../io/scan';
import { openOutput } from '../io/write-session';
import type { ResolvedApp } from '../model/resolve';
import { appFilePaths, OUTPUT_LAYOUT } from '../render/paths';
import type { ProgressListener } from '../render/synth';
import { optionName, plainPath, UsageError } from './errors';
import { loadApps, type SpecOptions } from './load';

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
  /** What to do where the report alone would mislead: stale files whose stamps verify, which a write leaves. */
  readonly notes: readonly string[];
}

/**
 * For `--check`'s stale files whose app's stamps all verify: a note that a write, which trusts stamps,
 * leaves them as they are (a file edited with its stamp recomputed, or a render changed under the same
 * version), and how to have them written anew.
 */
async function trustedStale(apps: readonly ResolvedApp[], report: readonly string[], outdir: string, specPath: string | undefined): Promise<string[]> {
  const stale = report.filter((line) => line.startsWith('stale: ')).map((line) => line.slice('stale: '.length).split('\n')[0]);
  if (!stale.length) return [];
  const { appUpToDate } = await import('../render/stamp');
  const read = (path: string) => {
    try {
      return readRegularBytes(join(outdir, path), MAX_GENERATED_FILE_BYTES);
    } catch {
      return undefined;
    }
  };
  return apps.filter((app) => stale.some((path) => path.startsWith(`${join(outdir, app.spec.name)}/`)) && appUpToDate(app, specPath, read))
    .map((app) => `note: the files of ${app.spec.name} carry stamps that verify, so synth, which trusts them, leaves them as they are: remove ${join(outdir, app.spec.name)} and run synth to write them anew`);
}

/**
 * Renders every app of a spec and writes its files into the output folder, or with `check` compares
 * them, touching nothing. In a write, an app whose every file carries a stamp that verifies is as a
 * render would make it, unless forged: it is not rendered again, and its files are not written.
 * `check` trusts no stamp: it renders every app and compares every file, byte for byte, so that a
 * file edited with its stamp recomputed never passes. Each app's files are written while the next one
 * renders. Throws a SpecError for a bad spec, a UsageError for a bad output path, and
 * OutputLockedError or OutputConflictError before anything is written.
 */
export async function synth(options: SynthOptions): Promise<SynthWritten | SynthChecked> {
  const { config, output: outdir, check = false, takeOver = false } = options;
  plainPath(optionName(options, 'output'), outdir);
  const problem = outputFolderProblem(outdir, config);
  if (problem) throw new UsageError(problem);
  const resolved = loadApps(options);
  const specPath = specPathFrom(outdir, config);
  const ownership = { spec: specPath, apps: resolved.map((app) => app.spec.name), takeOver, layout: OUTPUT_LAYOUT };
  if (check) {
    const { renderAppsInParallel } = await import('../render/synth');
    const rendered: RenderedFile[][] = [];
    await renderAppsInParallel(resolved, specPath, (index, files) => { rendered[index] = files; }, options.onProgress);
    const files = rendered.flat();
    const report = checkOutput(outdir, files, ownership);
    return { check: true, apps: resolved.length, files: files.length, report, notes: await trustedStale(resolved, report, outdir, specPath) };
  }
  const { appUpToDate } = await import('../render/stamp');
  const toRender: ResolvedApp[] = [];
  const kept: string[] = [];
  const asFound = (found: FoundFiles) => {
    for (const app of resolved) {
      if (appUpToDate(app, specPath, found)) kept.push(...appFilePaths(app.spec.name, app.plan));
      else toRender.push(app);
    }
    return new Set(kept);
  };
  // The folder is checked before anything renders.
  const writer = openOutput(outdir, resolved.flatMap((app) => appFilePaths(app.spec.name, app.plan)), ownership, asFound);
  if (toRender.length) {
    try {
      // Only now is the render code loaded: a run with nothing to render loads none of it.
      const { renderAppsInParallel } = await import('../render/synth');
      await renderAppsInParallel(toRender, specPath, (_index, files) => files.forEach((file) => writer.write(file)), options.onProgress);
    } catch (error) {
      writer.abort();
      throw error;
    }
  }
  return { check: false, apps: resolved.length, ...writer.close() };
}
