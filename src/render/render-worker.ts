/**
 * A render thread for large specs (see `renderAppsInParallel`): it renders the apps it is sent and
 * answers with their files, in the order it was sent them.
 */
import { parentPort } from 'node:worker_threads';
import { renderApp } from './render';
import type { RenderJob, RenderResult } from './synth';

parentPort!.on('message', ({ start, apps, specPath }: RenderJob) => {
  const result: RenderResult = { start, files: apps.map((app) => renderApp(app, specPath)) };
  parentPort!.postMessage(result);
});
