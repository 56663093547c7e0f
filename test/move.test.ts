import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { move } from '../src/engine';
import { moveInSpec } from '../src/engine/move';
import { parseSpec } from '../src/engine/load';
import { requestedMove, type MoveRequest } from '../src/model/moves';
import { SpecError } from '../src/spec/problems';
import { cli, root, runCommand, tempDir, tree } from './helpers';

/*
 * Moving a release from the command line: `next`, `rollback` and `stage` set one app's `stage:` in
 * the spec where its plan offers the move, and nothing else, then synth, and print the kubectl steps.
 */

let dir: string;
beforeEach(() => {
  dir = tempDir('move');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const shop = (stage = 'stage: baseline') => [
  '# two apps; the shop shares its namespace through an anchor',
  'apps:',
  '  - name: shop   # storefront',
  '    namespace: &ns shop',
  '    stable: { image: "shop:1.0", replicas: 3 }',
  '    canary: {image: shop:1.1}',
  `    ${stage}   # where the release is`,
  '  - name: admin',
  '    namespace: *ns',
  '    stable: {image: admin:1}',
  '    canary: {image: "admin:2"}',
  '',
].join('\n');

const stagesOf = (text: string) => parseSpec(text, 'canary.yaml').apps[0].plan;

describe('which moves a plan offers (requestedMove)', () => {
  const { stages } = stagesOf(shop());
  const at = (name: string) => stages.find((stage) => stage.name === name)!;
  const where = (from: string, request: MoveRequest) => {
    const move = requestedMove(stages, at(from), request);
    return 'refused' in move ? `refused: ${move.refused}` : `${move.kind} -> ${move.to.name}`;
  };

  test.each([
    ['baseline', 'next', 'next -> canary'],
    ['canary', 'next', 'next -> expand'],
    ['expand', 'next', 'next -> promote'],
    ['canary', 'rollback', 'rollback -> rollback'],
    ['promote', 'rollback', 'rollback -> rollback'],
    ['canary', { stage: 'expand' }, 'next -> expand'],
    ['expand', { stage: 'rollback' }, 'rollback -> rollback'],
    ['promote', 'next', 'refused: promote is the plan\'s last stage: `finish` ends the release, moving the canary\'s image and config to stable at baseline'],
    ['promote', { stage: 'baseline' }, 'refused: from promote, baseline is where the release ends: `finish` ends the release, moving the canary\'s image and config to stable at baseline'],
    ['canary', { stage: 'promote' }, 'refused: from canary the plan moves on to expand or back to rollback: the stage files keep capacity only through the plan\'s moves, so canary -> promote is not one of them'],
    ['expand', { stage: 'canary' }, 'refused: from expand the plan moves on to promote or back to rollback: the stage files keep capacity only through the plan\'s moves, so expand -> canary is not one of them'],
    ['canary', { stage: 'canary' }, 'refused: the release is at canary already'],
    ['rollback', 'rollback', 'refused: the release is at rollback already'],
    ['rollback', 'next', 'refused: the release was rolled back, and the plan offers no move from rollback: to try again, change the canary\'s image or config and set stage: to baseline in the spec'],
  ] as [string, MoveRequest, string][])('at %s, %j: %s', (from, request, expected) => {
    expect(where(from, request)).toBe(expected);
  });
});

describe('the spec edit (moveInSpec)', () => {
  test('changes the one value, keeping comments, anchors and the other app byte for byte', () => {
    const moved = moveInSpec(shop(), 'canary.yaml', 'shop', 'next');
    expect(moved).toEqual({ text: shop('stage: canary'), app: 'shop', from: 'baseline', to: 'canary' });
  });

  test('adds stage: where the app has none, and names the only app when none is named', () => {
    const one = 'apps:\n  - name: web  # the only app\n    namespace: web\n    stable: {image: web:1}\n    canary: {image: web:2}\n';
    expect(moveInSpec(one, 'canary.yaml', undefined, 'next').text).toBe(one.replace('# the only app\n', '# the only app\n    stage: canary\n'));
    // In a flow map, before its brace; CRLF line ends stay.
    const flow = 'apps:\r\n  - { name: web, namespace: web, canary: { image: "web:2" }, stable: { image: "web:1" } }\r\n';
    expect(moveInSpec(flow, 'canary.yaml', undefined, { stage: 'canary' }).text).toBe(flow.replace('"web:1" } }', '"web:1" }, stage: canary }'));
  });

  test('a stage written as an alias is replaced by the value, and the anchor keeps its value for the others', () => {
    const text = shop('stage: &at canary').replace('    canary: {image: "admin:2"}', '    canary: {image: "admin:2"}\n    stage: *at');
    const result = moveInSpec(text, 'canary.yaml', 'admin', 'next').text;
    expect(result).toBe(text.replace('    stage: *at', '    stage: expand'));
    expect(parseSpec(result, 'canary.yaml').spec.apps.map((app) => app.stage)).toEqual(['canary', 'expand']);
  });

  const problem = (text: string, app: string | undefined, request: MoveRequest) => {
    try {
      moveInSpec(text, 'canary.yaml', app, request);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the move was not refused');
  };

  test('a move the plan does not offer names the app\'s stage, its line, and why', () => {
    expect(problem(shop('stage: canary'), 'shop', { stage: 'promote' })).toBe('canary.yaml:7:5: "apps[0].stage" is "canary": from canary the plan moves on to expand or back to rollback: '
      + 'the stage files keep capacity only through the plan\'s moves, so canary -> promote is not one of them');
    expect(() => moveInSpec(shop(), 'canary.yaml', 'shop', { stage: 'promote' })).toThrow(SpecError);
    expect(problem(shop(), 'shop', { stage: 'expnd' })).toBe('unknown stage expnd: did you mean expand?');
    expect(problem(shop(), 'shpo', 'next')).toBe('unknown app shpo: did you mean shop?');
    expect(problem(shop(), undefined, 'next')).toBe('the spec has 2 apps: name the one to move (shop, admin)');
  });
});

describe('the commands', () => {
  test('next through every stage, then rollback: each run sets stage:, writes what a cold synth writes, and prints the plan\'s steps for the stage', async () => {
    const config = join(dir, 'canary.yaml');
    const output = join(dir, 'dist');
    const spec = readFileSync(join(root, 'canary.yaml'), 'utf8');
    writeFileSync(config, spec);
    const planned = async (stage: string) => {
      const plan = JSON.parse((await cli('plan', '-c', config, '-o', output, '--json')).out);
      return plan.apps[0].stages.find((each: { name: string }) => each.name === stage).steps;
    };
    for (const [from, to, command] of [['baseline', 'canary', 'next'], ['canary', 'expand', 'next'], ['expand', 'promote', 'stage'], ['promote', 'rollback', 'rollback']]) {
      const result = await cli(command, ...(command === 'stage' ? ['nginx', to] : []), '-c', config, '-o', output);
      expect(result.code).toBe(0);
      const text = readFileSync(config, 'utf8');
      expect(text).toBe(spec.replace(/stage: baseline/, `stage: ${to}`));
      const lines = result.out.split('\n');
      expect(lines[0]).toMatch(new RegExp(`^${command}: nginx moves from ${from} to ${to} \\(${config}: stage: ${to}; \\d+ files? written, \\d+ unchanged, 0 removed in ${output}\\)$`));
      expect(lines[1]).toBe(`apply ${to}, or commit and let Argo CD sync nginx's current/:`);
      expect(lines.slice(2).map((line) => line.replace(/^ {2}(&& )?/, '').replace(/ \\$/, ''))).toEqual(await planned(to));
      const cold = join(dir, `cold-${to}`);
      expect((await cli('synth', '-c', config, '-o', cold)).code).toBe(0);
      expect(tree(output)).toEqual(tree(cold));
    }
  });

  test('a refused move writes nothing: not the spec, not the output folder', async () => {
    const config = join(dir, 'canary.yaml');
    const output = join(dir, 'dist');
    writeFileSync(config, shop('stage: canary'));
    expect((await cli('synth', '-c', config, '-o', output)).code).toBe(0);
    const before = tree(output);
    for (const [args, out] of [[['stage', 'shop', 'promote'], output], [['next'], output], [['stage', 'shop', 'nope'], output], [['rollback', 'nope'], output], [['next', 'shop'], config]] as [string[], string][]) {
      const result = await cli(...args, '-c', config, '-o', out);
      expect(result.code).not.toBe(0);
      expect(readFileSync(config, 'utf8')).toBe(shop('stage: canary'));
      expect(tree(output)).toEqual(before);
    }
  });

  test('the engine from a script moves and returns the commands', async () => {
    const config = join(dir, 'canary.yaml');
    writeFileSync(config, shop());
    const done = await move({ config, output: join(dir, 'dist'), app: 'admin', to: 'next' });
    expect(done).toMatchObject({ app: 'admin', from: 'baseline', to: 'canary', synth: { written: 12, unchanged: 0, removed: 0 } });
    expect(done.commands[0]).toBe(`kubectl apply -f ${join(dir, 'dist', 'admin', 'stages', '02-canary.k8s.yaml')} -l 'app.kubernetes.io/component notin (router,endpoint-check),track!=stable'`);
    expect(readFileSync(config, 'utf8')).toBe(shop().replace('  - name: admin\n', '  - name: admin\n    stage: canary\n'));
  });
});

describe('plan --script and --apply', () => {
  /** A kubectl on the PATH that logs each call and fails the `failAt`th (1-based), for a script to run. */
  const fakeKubectl = (failAt = 0) => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'kubectl'), [
      '#!/bin/sh',
      `n=$(($(wc -l < "${join(dir, 'calls')}" 2>/dev/null || echo 0) + 1))`,
      `printf '%s\\n' "kubectl $*" >> "${join(dir, 'calls')}"`,
      `[ "$n" -ne ${failAt} ] || exit 7`,
      // rollout status and apply succeed; a poll's reads answer as a settled cluster would.
      'case "$*" in *"get pods"*) printf "p1\\np2\\np3\\n";; *endpointslices*) printf "true/p1\\ntrue/p2\\ntrue/p3\\n";; esac',
    ].join('\n'), { mode: 0o755 });
    return { PATH: `${bin}:${process.env.PATH}` };
  };
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');

  test('every stage of every example prints a script sh reads, its steps those of the plan, each under a comment', async () => {
    for (const spec of ['canary.yaml', 'examples/routing.yaml', 'examples/config.yaml', 'examples/real-app/canary.yaml']) {
      const plan = JSON.parse((await cli('plan', '--json', '-c', join(root, spec))).out);
      for (const app of plan.apps) {
        for (const stage of app.stages) {
          const script = (await cli('plan', app.name, '-c', join(root, spec), '--script', '--stage', stage.name)).out;
          expect(runCommand(['sh', '-n'], { input: script }).status).toBe(0);
          expect(script.split('\n').slice(0, 3)).toEqual(['#!/bin/sh', `# Moves ${app.name} (namespace ${app.namespace.name}) to stage ${stage.name}: ${stage.file}.`, '# Each step stops the script when it fails.']);
          // Each step: its comment, then the plan's command (a poll spread over the lines of its loop).
          // After the header, and the rollback function a gated stage defines first.
          const body = script.includes('\nrollback() {') ? script.split('\n}\n\n').at(-1)! : script.split('\n').slice(4).join('\n');
          const blocks = body.trimEnd().split('\n\n');
          expect(blocks.length).toBe(stage.steps.length);
          for (const block of blocks) expect(block).toMatch(/^# [A-Z].*\.\n/);
        }
      }
    }
  });

  test('the script runs the plan\'s commands in order and stops at the first that fails', async () => {
    const config = join(dir, 'canary.yaml');
    writeFileSync(config, readFileSync(join(root, 'canary.yaml'), 'utf8').replace('stage: baseline', 'stage: canary'));
    const plan = JSON.parse((await cli('plan', '--json', '-c', config, '-o', join(dir, 'dist'))).out);
    const steps: string[] = plan.apps[0].stages.find((stage: { name: string }) => stage.name === 'canary').steps;
    const script = (await cli('plan', '-c', config, '-o', join(dir, 'dist'), '--script')).out;
    expect(runCommand(['sh', '-c', script], { env: fakeKubectl() }).status).toBe(0);
    // apply, rollout status, the endpoint check's two reads, apply.
    expect(calls().map((call) => call.split(' ').slice(0, 3).join(' '))).toEqual(['kubectl apply -f', 'kubectl rollout status', 'kubectl get pods', 'kubectl get endpointslices', 'kubectl apply -f']);
    expect(calls()[0]).toBe(steps[0].replace(/'/g, ''));
    rmSync(join(dir, 'calls'));
    // The rollout fails: nothing after it runs, and the script ends with its code.
    const failed = runCommand(['sh', '-c', script], { env: fakeKubectl(2) });
    expect(failed.status).toBe(7);
    expect(calls()).toHaveLength(2);
  });

  test('--apply runs the move\'s script; a failed step ends the command with the way back', async () => {
    const config = join(dir, 'canary.yaml');
    writeFileSync(config, readFileSync(join(root, 'canary.yaml'), 'utf8'));
    const bin = join(root, 'bin', 'cdk8s-canary.js');
    const ok = runCommand([process.execPath, bin, 'next', '--apply', '-c', config, '-o', join(dir, 'dist')], { env: fakeKubectl() });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^next: nginx moves from baseline to canary \(.*\)\nnext: nginx is at canary on the cluster\n$/);
    expect(calls()).toHaveLength(5);
    rmSync(join(dir, 'calls'));
    const failed = runCommand([process.execPath, bin, 'next', '--apply', '-c', config, '-o', join(dir, 'dist')], { env: fakeKubectl(1) });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('next: a step of the move to expand failed (exit 7); none after it ran. To go back: cdk8s-canary rollback nginx --apply, or these steps:\n'
      + `  kubectl apply -f ${join(dir, 'dist', 'nginx', 'stages', 'rollback.k8s.yaml')}`);
    expect(calls()).toHaveLength(1);
    // The spec moved all the same: it says where the files are, and the way back is a move from there.
    expect(readFileSync(config, 'utf8')).toContain('stage: expand');
  });
});

test('plan --script takes one app and a stage of its plan; --stage goes with it, --json does not', async () => {
  const routing = join(root, 'examples', 'routing.yaml');
  const refused = async (...args: string[]) => {
    const result = await cli('plan', ...args);
    expect(result.code).toBe(2);
    return result.err.split('\n')[0];
  };
  expect(await refused('-c', routing, '--script')).toBe('cdk8s-canary: --script is the move of one app: name one (nginx-gateway, nginx-istio, nginx-sticky, greeter)');
  expect(await refused('-c', routing, 'greeter', '--stage', 'canary')).toBe('cdk8s-canary: --stage goes with --script: the plan shows every stage');
  expect(await refused('-c', routing, 'greeter', '--script', '--json')).toBe('cdk8s-canary: --script and --json do not go together: give one');
  expect(await refused('-c', routing, 'greeter', '--script', '--stage', 'promot')).toBe('cdk8s-canary: unknown stage promot: did you mean promote?');
  // Without --stage: the stage the release is at.
  expect((await cli('plan', '-c', routing, 'greeter', '--script')).out).toContain('# Moves greeter (namespace dev-grpc) to stage baseline: ');
});
