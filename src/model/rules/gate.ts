import { formatValue, type Problem, type SpecPath } from '../../spec/problems';
import { verifyJobName } from '../gate';
import type { ResolvedAppSpec } from '../resolved';
import { NAME_MAX } from './names';

/** A gate checks something, each query has a bound, and the Job's name fits in a label. */
export function gateProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  const { verify } = app;
  if (!verify) return [];
  const problems: Problem[] = [];
  const where = [...at, 'verify'];
  if (!verify.smoke && !verify.prometheus) problems.push({ path: where, message: 'checks nothing: give smoke, prometheus or both' });
  if (verifyJobName(app.name).length > NAME_MAX) {
    problems.push({ path: [...at, 'name'], message: `is ${formatValue(app.name)}: with verify it must be at most ${NAME_MAX - verifyJobName('').length} characters, to name the Job ${formatValue(verifyJobName(app.name))} within ${NAME_MAX}` });
  }
  const names = new Set<string>();
  verify.prometheus?.queries.forEach((query, i) => {
    const path = [...where, 'prometheus', 'queries', i];
    if (query.max === undefined && query.min === undefined) problems.push({ path, message: 'has no bound: give max, min or both' });
    if (query.max !== undefined && query.min !== undefined && query.min > query.max) {
      problems.push({ path: [...path, 'min'], message: `is ${query.min}: must not be above max (${query.max})` });
    }
    if (names.has(query.name)) problems.push({ path: [...path, 'name'], message: `is ${formatValue(query.name)}: another query has this name` });
    names.add(query.name);
  });
  return problems;
}
