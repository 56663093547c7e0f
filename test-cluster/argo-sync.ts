/**
 * A sync of one stage file with Argo CD's sync engine: `argo-sync` (cluster/argo-sync, built with
 * the control plane by scripts/cluster.sh and found on PATH), which applies the file's objects wave
 * by wave, waits for each wave to be healthy by the engine's own health checks, and prunes the
 * app's objects that the file no longer holds (last, with PruneLast=true), as an Argo CD
 * Application with automated sync and pruning does. With `readmeHealth` (the default), autoscalers
 * get the health check the README tells Argo CD users to install (argocd/autoscaler-health.lua), run
 * in Lua as Argo CD runs it; without, the engine's built-in one. The endpoint check's hook Job runs
 * its code for real while the sync goes on (check-runner.ts). The moves go through Argo CD itself
 * (argocd.ts); this engine alone serves the controls that need another autoscaler health check than
 * the harness's Argo CD has (one setting for all its apps).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifests } from '../test/cluster-rules';
import { CheckRunner, describeRuns } from './check-runner';
import { shell } from './kube';
import { withFiles } from './files';

const autoscalerHealth = join(__dirname, '..', 'argocd', 'autoscaler-health.lua');

export async function argoSync(file: string, readmeHealth = true): Promise<string> {
  const health = readmeHealth ? ` --health-lua autoscaling/HorizontalPodAutoscaler=${autoscalerHealth}` : '';
  const namespace = parseManifests(file).find((doc) => doc.metadata?.namespace)?.metadata.namespace;
  const runner = namespace ? new CheckRunner(namespace) : undefined;
  await runner?.start();
  try {
    return await withFiles(new Map([['stage.yaml', file]]), async (dir) => {
      const engineLog = join(dir, 'argo-sync.log');
      try {
        return await shell(`argo-sync -f ${join(dir, 'stage.yaml')}${health} 2>${engineLog}`, dir);
      } catch (error) {
        // The engine's log goes with the folder: a failure carries its end, and the checks' output.
        const tail = readFileSync(engineLog, 'utf8').trimEnd().split('\n').slice(-40).join('\n');
        const checks = describeRuns(runner?.runs ?? []);
        throw new Error(`${(error as Error).message}\nargo-sync's log, last lines:\n${tail}${checks ? `\nendpoint checks:\n${checks}` : ''}`);
      }
    });
  } finally {
    await runner?.stop();
  }
}
