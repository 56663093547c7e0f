/**
 * The commands the move tests run are the plan's own: for every stage of the walkthrough and of the
 * examples, what `cdk8s-canary plan --json` prints for the committed output is what the tests run
 * (their files in a folder of their own, so the paths differ by the output folder alone).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { formatStep } from '../src/engine/kubectl-steps';
import { movesOf, shippedApps } from './moves';

const root = join(__dirname, '..');
const planned = (spec: string, output: string) => JSON.parse(execFileSync(process.execPath, [join(root, 'bin', 'cdk8s-canary.js'), 'plan', '--json', '-c', spec, '-o', output], {
  cwd: root, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, stdio: ['ignore', 'pipe', 'ignore'],
})).apps;

const apps = [
  ...planned('canary.yaml', 'dist').map((app: any) => ({ app, output: 'dist' })),
  ...planned('examples/routing.yaml', 'examples/dist').map((app: any) => ({ app, output: 'examples/dist' })),
  ...planned('examples/config.yaml', 'examples/dist').map((app: any) => ({ app, output: 'examples/dist' })),
  ...planned('examples/blue-green.yaml', 'examples/dist').map((app: any) => ({ app, output: 'examples/dist' })),
  ...planned('examples/real-app/canary.yaml', 'examples/real-app/dist').map((app: any) => ({ app, output: 'examples/real-app/dist' })),
];

test('the plans of every shipped app are here', () => {
  expect(apps.map(({ app }) => app.name).sort()).toEqual(shippedApps().map((app) => app.name).sort());
});

test.each(apps.map(({ app, output }) => [app.name, app, output]))('%s: the tests run the commands plan prints', (_name, app, output) => {
  const moves = movesOf(shippedApps().find((each) => each.name === app.name)!).filter((move) => move.kind !== 'finish');
  for (const move of moves) {
    const to = move.label.replace(/^.* -> /, '');
    const stage = app.stages.find((each: any) => each.name === to);
    const ours = move.steps.map((step) => formatStep(step, move.shape.namespace).replace(/ -f (?=\S)/g, ` -f ${output}/`));
    expect(ours).toEqual(stage.steps);
  }
});
