import { formatValue, type Problem, type SpecPath } from '../../spec/problems';
import { analysisSeconds, baselineName, gateJobName, minimumGateTimeout, verifyJobName } from '../gate';
import { BASELINE } from '../labels';
import { trackServiceName } from '../routing';
import { CompareTrack, type PrometheusQuerySpec } from '../../spec/types';
import type { ResolvedAppSpec, ResolvedVerifySpec } from '../resolved';
import { NAME_MAX } from './names';
import { urlProblem } from '../../spec/url';

/** A gate checks something, each query has a bound, and the Job's name fits in a label. */
export function gateProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  const { verify } = app;
  if (!verify) return [];
  const problems: Problem[] = [];
  const where = [...at, 'verify'];
  if (!verify.smoke && !verify.prometheus) problems.push({ path: where, message: 'checks nothing: give smoke, prometheus or both' });
  for (const [path, url] of [[['prometheus', 'url'], verify.prometheus?.url], [['notify', 'webhook'], verify.notify?.webhook]] as const) {
    const problem = url === undefined ? undefined : urlProblem(url);
    if (problem) problems.push({ path: [...where, ...path], message: `is ${formatValue(url)}: ${problem}` });
  }
  if (verifyJobName(app.name).length > NAME_MAX) {
    problems.push({ path: [...at, 'name'], message: `is ${formatValue(app.name)}: with verify it must be at most ${NAME_MAX - verifyJobName('').length} characters, to name the Job ${formatValue(verifyJobName(app.name))} within ${NAME_MAX}` });
  } else {
    // Under waves each stage's gate Job is named after its stage.
    for (const [i, stage] of app.stages.entries()) {
      const job = gateJobName(app, stage.name);
      if (job.length > NAME_MAX) {
        problems.push({ path: [...at, 'stages', i, 'name'], message: `is ${formatValue(stage.name)}: under waves the stage's gate Job is named ${formatValue(job)}, more than ${NAME_MAX} characters; shorten the stage's or the app's name` });
      }
    }
  }
  const names = new Set<string>();
  problems.push(...analysisProblems(verify, where), ...baselineProblems(app, where));
  verify.prometheus?.queries.forEach((query, i) => {
    const path = [...where, 'prometheus', 'queries', i];
    if (query.compare === CompareTrack.BASELINE && !verify.baseline) {
      problems.push({ path: [...path, 'compare'], message: 'is "baseline": there is no baseline track; set verify.baseline: true, or compare: stable' });
    }
    problems.push(...comparisonProblems(query, path, app.statefulSet !== undefined));
    // $pods stands for a StatefulSet's pods of a track; a Deployment's tracks are told apart by $track.
    if (!app.statefulSet && query.query.includes('$pods')) {
      problems.push({ path: [...path, 'query'], message: `is ${formatValue(query.query)}: $pods names a StatefulSet app's pods of a track; this app runs Deployments, whose pods carry their track: name it with $track` });
    }
    if (query.compare === undefined && query.max === undefined && query.min === undefined) problems.push({ path, message: 'has no bound: give max, min or both, or compare' });
    if (query.max !== undefined && query.min !== undefined && query.min > query.max) {
      problems.push({ path: [...path, 'min'], message: `is ${query.min}: must not be above max (${query.max})` });
    }
    if (names.has(query.name)) problems.push({ path: [...path, 'name'], message: `is ${formatValue(query.name)}: another query has this name` });
    names.add(query.name);
  });
  return problems;
}

/** An analysis that can fail, within the Job's deadline; one place to notify. */
function analysisProblems(verify: ResolvedVerifySpec, where: SpecPath): Problem[] {
  const problems: Problem[] = [];
  const { prometheus } = verify;
  if (prometheus && prometheus.failureLimit >= prometheus.count) {
    problems.push({ path: [...where, 'prometheus', 'failureLimit'], message: `is ${prometheus.failureLimit}: must be below count (${prometheus.count}), or no analysis can fail` });
  }
  const needed = minimumGateTimeout(prometheus);
  if (verify.timeoutSeconds < needed) {
    problems.push({
      path: [...where, 'timeoutSeconds'],
      message: `is ${verify.timeoutSeconds}: the analysis takes ${analysisSeconds(prometheus)} s (initialDelay, then count measurements interval apart); give at least ${needed}`,
    });
  }
  if (verify.notify && (verify.notify.webhook === undefined) === (verify.notify.webhookSecret === undefined)) {
    problems.push({ path: [...where, 'notify'], message: 'must give either webhook or webhookSecret' });
  }
  return problems;
}

/** A comparison reads its query once per track (`$track`) and has no bound; its settings need it. */
function comparisonProblems(query: PrometheusQuerySpec, path: SpecPath, stateful: boolean): Problem[] {
  if (query.compare === undefined) {
    return (['alpha', 'worse'] as const).filter((key) => query[key] !== undefined)
      .map((key) => ({ path: [...path, key], message: `is ${formatValue(query[key])}: only goes with compare` }));
  }
  // A StatefulSet's tracks are its pods (see the StatefulSet rules); a Deployment's, its pods' track label.
  const [placeholder, example] = stateful ? ['$pods', 'pod=~"$pods"'] : ['$track', 'track="$track"'];
  return [
    ...(query.query.includes(placeholder) ? [] : [{ path: [...path, 'query'], message: `is ${formatValue(query.query)}: a comparison runs it for each track, so it must hold ${placeholder} (${example})` }]),
    ...(['max', 'min'] as const).filter((key) => query[key] !== undefined)
      .map((key) => ({ path: [...path, key], message: `is ${query[key]}: a comparison judges the canary against ${query.compare}, not a bound; give one or the other` })),
  ];
}

/**
 * A baseline track needs a router to give it the canary's weight, and names that fit. A
 * StatefulSet's baseline is pods it runs anyway (its highest stable ordinals): none of this.
 */
function baselineProblems(app: ResolvedAppSpec, where: SpecPath): Problem[] {
  if (!app.verify?.baseline || app.statefulSet) return [];
  return [
    ...(app.routing ? [] : [{
      path: [...where, 'baseline'],
      message: 'is true: a baseline track needs routing (gatewayApi or istio): without a router its pods would take a share of the traffic by count, and change every stage\'s shares',
    }]),
    ...(baselineName(app).length > NAME_MAX ? [{ path: [...where.slice(0, -1), 'name'], message: `is ${formatValue(app.name)}: with a baseline track it must be at most ${NAME_MAX - baselineName({ ...app, name: '' }).length} characters, to name ${formatValue(baselineName(app))} within ${NAME_MAX}` }] : []),
    ...(trackServiceName(app.service.name, BASELINE).length > NAME_MAX ? [{
      path: [...where.slice(0, -1), 'service', 'name'],
      message: `is ${formatValue(app.service.name)}: with a baseline track it must be at most ${NAME_MAX - trackServiceName('', BASELINE).length} characters, to name its Service ${formatValue(trackServiceName(app.service.name, BASELINE))}`,
    }] : []),
  ];
}
