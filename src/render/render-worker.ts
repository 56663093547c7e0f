/**
 * A render thread for large specs (see `renderAppsInParallel`): it renders the apps it is sent and
 * answers with their files, in the order it was sent them.
 */
import { parentPort } from 'node:worker_threads';
import { renderNamed, type RenderJob, type RenderResult } from './synth';

parentPort!.on('message', ({ start, apps, specPath }: RenderJob) => {
  const result: RenderResult = { start, files: apps.map((app) => renderNamed(app, specPath)) };
  parentPort!.postMessage(result);
});
