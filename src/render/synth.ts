import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RenderedFile } from '../io/header';
import { renderApp } from './render';
import { resolveSpec, type ResolvedApp } from '../model/resolve';
import type { CanarySpec } from '../spec/types';

/** Called after each app is rendered. */
export type ProgressListener = (done: number, total: number) => void;

/**
 * An app's files; a failure names the app. Validation is meant to stop every input rendering cannot
 * take before anything is written: this says which app to look at if one slips through.
 */
export function renderNamed(app: ResolvedApp, specPath: string | undefined): RenderedFile[] {
  try {
    return renderApp(app, specPath);
  } catch (error) {
    throw new Error(`app ${app.spec.name} could not be rendered: ${(error as Error).message}`);
  }
}

/** Renders the apps one after another on this thread, handing each app's files to `onApp`. */
function renderEach(apps: readonly ResolvedApp[], specPath: string | undefined, onApp: AppFilesListener, onProgress?: ProgressListener): void {
  apps.forEach((app, i) => {
    onApp(i, renderNamed(app, specPath));
    onProgress?.(i + 1, apps.length);
  });
}

/** Apps sent to a render thread: the slice of the spec's apps that begins at `start`. */
export interface RenderJob {
  readonly start: number;
  readonly apps: readonly ResolvedApp[];
  readonly specPath?: string;
}

/** A render thread's answer: the files of each app of its job, in order. */
export interface RenderResult {
  readonly start: number;
  readonly files: RenderedFile[][];
}

/** Called with each app's files as soon as they are rendered, in no set order. */
export type AppFilesListener = (index: number, files: RenderedFile[]) => void;

// The main thread writes each app's files while render threads make the next ones, so a machine
// gets one render thread fewer than it has cores. Measured on 2 cores (tmpfs, one render thread
// against none): 250 apps 0.38 s against 0.35 s, 500 and 700 apps even, 1000 apps 0.81 s against
// 0.87 s, 4000 apps 1.9 s against 2.9 s; two render threads were slower than one (the main thread
// then shares a core) and took 50 MiB more. A thread costs about 0.1 s of CPU to start and warm up.
// Threads start from this many apps to render; CDK8S_CANARY_RENDER_THREADS_FROM sets another number.
const PARALLEL_MIN_APPS = 600;

function parallelMinApps(): number {
  const set = Number(process.env.CDK8S_CANARY_RENDER_THREADS_FROM);
  return Number.isInteger(set) && set > 0 ? set : PARALLEL_MIN_APPS;
}
// Apps per message: large enough that messaging costs little, small enough to share the work evenly.
const JOB_APPS = 25;
// Compiled, the thread runs lib/render/render-worker.js; from TypeScript sources (ts-jest) there is no such
// file, so those render on the calling thread.
const WORKER = join(__dirname, `render-worker${extname(__filename)}`);

/**
 * Renders resolved apps in the order given, handing each app's files to `onApp` as they are made, so
 * that the caller can write them while the rest render. A large spec renders on one thread per core,
 * each app whole on one of them; the files are the same either way.
 */
export async function renderAppsInParallel(apps: readonly ResolvedApp[], specPath: string | undefined, onApp: AppFilesListener, onProgress?: ProgressListener): Promise<void> {
  const threads = Math.min(availableParallelism() - 1, Math.ceil(apps.length / JOB_APPS));
  if (apps.length < parallelMinApps() || threads < 1 || extname(WORKER) !== '.js') {
    renderEach(apps, specPath, onApp, onProgress);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const workers = Array.from({ length: threads }, () => new Worker(WORKER));
    let next = 0;
    let done = 0;
    let ended = false;
    const end = (error?: unknown) => {
      if (ended) return;
      ended = true;
      for (const worker of workers) void worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    const send = (worker: Worker) => {
      if (next >= apps.length) return;
      const job: RenderJob = { start: next, apps: apps.slice(next, next + JOB_APPS), specPath };
      next += job.apps.length;
      worker.postMessage(job);
    };
    for (const worker of workers) {
      worker.on('message', ({ start, files }: RenderResult) => {
        try {
          send(worker);
          files.forEach((appFiles, i) => onApp(start + i, appFiles));
          done += files.length;
          onProgress?.(done, apps.length);
          if (done === apps.length) end();
        } catch (error) {
          end(error);
        }
      });
      worker.on('error', end);
      worker.on('exit', (code) => end(new Error(`render: a render thread stopped (exit code ${code}) before the last app`)));
      // Two jobs each, so that a thread has the next one while its last answer is handled.
      send(worker);
      send(worker);
    }
  });
}

/**
 * Renders every app of a spec, after the resolve step (which throws a SpecError for a bad spec):
 * the files `cdk8s-canary synth` writes, as paths relative to the output folder and their content.
 * `specPath` is the spec file's path relative to the output folder, recorded in each file; config
 * files given by `path` are read from `baseDir` (the spec's folder; by default the working directory).
 */
export function synthesize(spec: CanarySpec, specPath?: string, baseDir?: string): RenderedFile[] {
  const files: RenderedFile[] = [];
  renderEach(resolveSpec(spec, baseDir).apps, specPath, (_index, appFiles) => files.push(...appFiles));
  return files;
}
