import { formatValue, type Problem, type SpecPath } from '../../spec/problems';
import { Strategy, type AppSpec } from '../../spec/types';
import { BLUE_GREEN_STAGE } from '../blue-green';
import type { ResolvedAppSpec } from '../resolved';

/*
 * What a blue/green release cannot take, each with why: it has its own stages and colour names,
 * switches a Service rather than weighing a route, and swaps the colours' roles at `finish`.
 */

const STAGES = Object.values(BLUE_GREEN_STAGE).join(', ');

/** The blue/green rules of one app, given as written (`given`) and resolved (`app`). */
export function blueGreenProblems(app: ResolvedAppSpec, given: AppSpec, at: SpecPath): Problem[] {
  if (given.strategy !== Strategy.BLUE_GREEN) {
    return given.blueGreen ? [{ path: [...at, 'blueGreen'], message: 'is given, but strategy is canary: add strategy: blueGreen, or remove blueGreen' }] : [];
  }
  const refuse = (field: SpecPath, value: unknown, why: string): Problem => ({ path: [...at, ...field], message: `is ${formatValue(value)}: ${why}` });
  const problems: Problem[] = [];
  const colours = `${app.name}-${app.blueGreen!.active} and ${app.name}-${app.blueGreen!.preview}`;
  if (given.stages) problems.push(refuse(['stages'], given.stages.map((stage) => stage.name), `a blue/green release has its own stages (${STAGES}); remove stages`));
  if (given.routing) problems.push(refuse(['routing'], Object.keys(given.routing), 'a blue/green release moves traffic by switching the Service\'s selector, not by a route\'s weights; use strategy: canary to route'));
  for (const track of ['stable', 'canary'] as const) {
    const name = given[track]?.name;
    if (name !== undefined) problems.push(refuse([track, 'name'], name, `the colours' Deployments are ${colours}, which trade roles at finish; remove ${track}.name`));
    const autoscaling = given[track]?.autoscaling;
    if (autoscaling) problems.push(refuse([track, 'autoscaling'], autoscaling, 'a blue/green release scales its colours by stage; an autoscaler would change the count the switch relies on'));
  }
  if (app.canary.replicas !== app.stable.replicas) {
    problems.push(refuse(['canary', 'replicas'], app.canary.replicas, `both colours run the app's full size, ${app.stable.replicas} pods, since the new one takes all the traffic at the switch`));
  }
  const preview = app.blueGreen!.previewReplicas;
  if (preview > app.stable.replicas) problems.push(refuse(['blueGreen', 'previewReplicas'], preview, `must be at most the app's size, ${app.stable.replicas} pods`));
  if (app.worker) problems.push({ path: [...at, 'strategy'], message: 'is "blueGreen": a blue/green release switches a Service, and this app serves no port; give it port:' });
  if (app.waves) problems.push({ path: [...at, 'strategy'], message: 'is "blueGreen": a blue/green release is to one cluster; waves across clusters take strategy: canary' });
  return problems;
}
