/**
 * A sync of one stage file the way Argo CD's sync engine does it, with kubectl: the objects wave by
 * wave (`argocd.argoproj.io/sync-wave`, default 0), each wave applied (kubectl apply, as Argo CD's
 * default) and then waited for until its Deployments are healthy (rollout done) before the next.
 * Deployments of the app that the file no longer holds are pruned at the end when they carry
 * PruneLast=true, else before the first wave. Argo CD itself is not run here (see the README).
 */
import { stringify } from 'yaml';
import { parseManifests } from '../test/cluster-rules';
import type { AppShape } from './capacity';
import { kubectl, until } from './kube';
import { settledDeployments } from './moves';

const WAVE = 'argocd.argoproj.io/sync-wave';
const OPTIONS = 'argocd.argoproj.io/sync-options';

export async function argoSync(file: string, shape: AppShape): Promise<void> {
  const docs = parseManifests(file).filter(Boolean);
  const waveOf = (doc: any) => Number(doc.metadata.annotations?.[WAVE] ?? 0);
  const held = new Set(docs.filter((doc) => doc.kind === 'Deployment').map((doc) => doc.metadata.name));
  const live = JSON.parse(await kubectl(['get', 'deployments', '-n', shape.namespace, '-o', 'json'])).items
    .filter((d: any) => Object.values(shape.deployments).includes(d.metadata.name) && !held.has(d.metadata.name));
  const pruneLast = live.filter((d: any) => String(d.metadata.annotations?.[OPTIONS] ?? '').includes('PruneLast=true'));
  for (const d of live) if (!pruneLast.includes(d)) await kubectl(['delete', 'deployment', d.metadata.name, '-n', shape.namespace]);
  for (const wave of [...new Set(docs.map(waveOf))].sort((a, b) => a - b)) {
    const inWave = docs.filter((doc) => waveOf(doc) === wave);
    await kubectl(['apply', '-f', '-'], inWave.map((doc) => stringify(doc)).join('---\n'));
    const names = inWave.filter((doc) => doc.kind === 'Deployment').map((doc) => doc.metadata.name);
    if (names.length) await until(`wave ${wave} to be healthy`, () => settledDeployments(shape.namespace, names));
  }
  for (const d of pruneLast) await kubectl(['delete', 'deployment', d.metadata.name, '-n', shape.namespace]);
}
