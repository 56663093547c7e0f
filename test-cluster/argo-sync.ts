/**
 * A sync of one stage file with Argo CD's sync engine: `argo-sync` (cluster/argo-sync, built with
 * the control plane by scripts/cluster.sh and found on PATH), which applies the file's objects wave
 * by wave, waits for each wave to be healthy by the engine's own health checks, and prunes the
 * app's objects that the file no longer holds (last, with PruneLast=true), as an Argo CD
 * Application with automated sync and pruning does. With `readmeHealth` (the default), autoscalers
 * get the health check the README tells Argo CD users to install (argocd/autoscaler-health.lua), run
 * in Lua as Argo CD runs it; without, the engine's built-in one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shell } from './kube';
import { withFiles } from './files';

const autoscalerHealth = join(__dirname, '..', 'argocd', 'autoscaler-health.lua');

export async function argoSync(file: string, readmeHealth = true): Promise<string> {
  const health = readmeHealth ? ` --health-lua autoscaling/HorizontalPodAutoscaler=${autoscalerHealth}` : '';
  return withFiles(new Map([['stage.yaml', file]]), async (dir) => {
    const log = join(dir, 'argo-sync.log');
    try {
      return await shell(`argo-sync -f ${join(dir, 'stage.yaml')}${health} 2>${log}`, dir);
    } catch (error) {
      // The engine's log goes with the folder: a failure carries its end.
      const tail = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-40).join('\n');
      throw new Error(`${(error as Error).message}\nargo-sync's log, last lines:\n${tail}`);
    }
  });
}
