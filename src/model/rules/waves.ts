import type { WaveSpec } from '../../spec/types';
import { formatValue, type Problem, type SpecPath } from '../../spec/problems';
import type { ResolvedAppSpec } from '../resolved';
import { ROLLBACK_STAGE } from '../stage';
import { guardJobName } from '../wave-guard';
import { describeSelector } from '../waves';
import { isQualifiedName } from './api-server';
import { NAME_MAX } from './names';

/**
 * The rules of a list of waves beyond its schema: names told apart, label keys Kubernetes takes, and
 * no two waves with the same clusters (a cluster in two waves would be two Applications of one name).
 */
export function wavesProblems(waves: readonly WaveSpec[], at: SpecPath): Problem[] {
  const problems: Problem[] = [];
  const names = new Map<string, number>();
  const selectors = new Map<string, number>();
  waves.forEach((wave, i) => {
    const where = [...at, i];
    const earlier = names.get(wave.name);
    if (earlier !== undefined) problems.push({ path: [...where, 'name'], message: `is ${formatValue(wave.name)}: wave ${earlier} has this name; each wave needs its own` });
    else names.set(wave.name, i);
    for (const key of Object.keys(wave.clusters.matchLabels)) {
      if (!isQualifiedName(key)) {
        problems.push({ path: [...where, 'clusters', 'matchLabels', key], message: `is the key ${formatValue(key)}: a label key is a qualified name: an optional DNS subdomain prefix and "/", then at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit` });
      }
    }
    const selector = describeSelector(Object.fromEntries(Object.entries(wave.clusters.matchLabels).sort(([a], [b]) => (a < b ? -1 : 1))));
    const same = selectors.get(selector);
    if (same !== undefined) problems.push({ path: [...where, 'clusters'], message: `selects ${formatValue(selector)}, as wave ${same} does: a cluster belongs to one wave` });
    else selectors.set(selector, i);
  });
  return problems;
}

/** Each wave guard's Job, named after its wave and a stage (the rollback stage too), fits in a label. */
export function waveGuardProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  const guarded = (app.waves ?? []).filter((wave) => wave.guarded);
  // Where each stage's name comes from: the stage's own, or the app's for the rollback stage.
  const stages = [
    ...app.stages.map((stage, i) => ({ stage: stage.name, path: [...at, 'stages', i, 'name'], value: stage.name })),
    { stage: ROLLBACK_STAGE, path: [...at, 'name'], value: app.name },
  ];
  return stages.flatMap(({ stage, path, value }) => {
    const job = guarded.map((wave) => guardJobName(app.name, wave.name, stage)).find((name) => name.length > NAME_MAX);
    return job ? [{ path, message: `is ${formatValue(value)}: the wave guard's Job of stage ${formatValue(stage)} would be ${formatValue(job)}, more than ${NAME_MAX} characters; shorten the app's, the wave's or the stage's name` }] : [];
  });
}
