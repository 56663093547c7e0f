/**
 * A StatefulSet release by the plan's kubectl steps (test-cluster/stateful.ts): every move the plan
 * offers replaces the pods `plan` says, in the controller's order, never with fewer Ready pods or
 * ready endpoints than it states; and a canary pod that never turns Ready is reverted at rollback
 * (control: without the revert step it stays, and the rollout never ends).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { formatStep, type KubectlStep } from '../src/engine/kubectl-steps';
import { withFiles } from './files';
import { shell } from './kube';
import { canaryPod, expectEveryMove, kubectlRoad, planMove, retargeted, store, stuck, stuckCanary } from './stateful';

test('the steps the moves run are what plan --json prints for the example\'s committed output', () => {
  const root = join(__dirname, '..');
  const [app] = JSON.parse(execFileSync(process.execPath, [join(root, 'bin', 'cdk8s-canary.js'), 'plan', '--json', '-c', 'examples/stateful/canary.yaml', '-o', 'examples/stateful/dist'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, stdio: ['ignore', 'pipe', 'ignore'],
  })).apps;
  for (const words of ['next baseline -> canary', 'next canary -> expand', 'next expand -> promote', 'rollback promote -> rollback']) {
    const move = planMove(words);
    const stage = app.stages.find((each: { name: string }) => each.name === words.replace(/^.* -> /, ''));
    expect(move.steps.map((step) => formatStep(step, store.namespace).replace(/ -f (?=\S)/g, ' -f examples/stateful/dist/'))).toEqual(stage.steps);
  }
});

test('every move of the plan, by its kubectl steps: the pods replaced, their order, the fewest ready, and the images after', async () => {
  await expectEveryMove(kubectlRoad('shop-kubectl'));
});

/**
 * The steps with the canary's rollout wait cut to 10 s (the plan's allows a slow pod minutes), and
 * the rollback's to 20 s where the revert is left out (`revert` false), when nothing would end it.
 */
function shortened(steps: readonly KubectlStep[], revert: boolean): KubectlStep[] {
  const rollback = (step: KubectlStep): KubectlStep[] => (revert ? [step] : step.verb === 'revert' ? [] : step.verb === 'rollout' ? [{ ...step, timeoutSeconds: 20 }] : [step]);
  return steps.map((step) => (step.verb === 'rollout' ? { ...step, timeoutSeconds: 10, rollback: step.rollback!.flatMap(rollback) } : step));
}

/** Runs the canary move with its pod held unready, the steps `steps`; whether they failed, and the canary pod before and after. */
async function stuckMove(namespace: string, revert: boolean) {
  const road = kubectlRoad(namespace);
  await road.start();
  const move = planMove('next baseline -> canary');
  const paths = new Map([...move.paths].map(([path, text]) => [path, retargeted(path.endsWith('02-canary.k8s.yaml') ? stuckCanary(text) : text, namespace)]));
  const steps = shortened(move.steps, revert);
  let failed = false;
  let held: Awaited<ReturnType<typeof stuck>> | undefined;
  await withFiles(paths, async (dir) => {
    const running = (async () => {
      for (const step of steps) await shell(formatStep(step, namespace), dir);
    })().catch(() => { failed = true; });
    held = await stuck(namespace);
    await running;
  });
  return { failed, held: held!, after: await canaryPod(namespace) };
}

test('a canary pod that never turns Ready: the rollout\'s wait ends, and rollback deletes it, so the controller makes it anew on stable\'s template', async () => {
  const { failed, held, after } = await stuckMove('shop-stuck', true);
  expect(failed).toBe(true);
  expect(after).toEqual({ ready: true, image: store.stable.image, uid: expect.not.stringMatching(held.uid) });
}, 10 * 60_000);

test('control: the same rollback without the revert step leaves the canary pod unready on the canary\'s template, and its rollout never ends', async () => {
  const { failed, held, after } = await stuckMove('shop-stuck-control', false);
  expect(failed).toBe(true);
  expect(after).toEqual({ ready: false, image: store.canary.image, uid: held.uid });
}, 10 * 60_000);
