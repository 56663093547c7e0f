/**
 * A release driven from the command line on the control plane: `next --apply` through every stage of
 * the walkthrough's plan, then `rollback --apply` from promote (where stable starts from none), each
 * watched as the move tests watch the plan's own steps: ready capacity never below the stage's, and
 * no traffic to a track without ready endpoints. The spec and its files live in a folder of their
 * own, the app in a namespace of its own.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { record } from './describe-moves';
import { shell } from './kube';
import { movedApps, movesOf, renamed, watched } from './moves';

const root = join(__dirname, '..');
const bin = join(root, 'bin', 'cdk8s-canary.js');
const walkthrough = movedApps().find((app) => app.name === 'nginx')!;
// The app's shape (its Deployments and Service) in the namespace the spec below names.
const { shape } = renamed(movesOf(walkthrough)[0], 'cli');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-release-cli-'));
  // In a namespace of its own, its NodePort allocated by the cluster: the walkthrough's moves run beside it.
  writeFileSync(join(dir, 'canary.yaml'), readFileSync(join(root, 'canary.yaml'), 'utf8')
    .replace(/namespace: dev\n/, `namespace: ${shape.namespace}\n`).replace(/\n *nodePort: 30008\n/, '\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => shell([process.execPath, bin, ...args].map((arg) => `'${arg}'`).join(' '), dir);
const stageFile = (name: string) => readFileSync(join(dir, 'dist', 'nginx', 'current', 'nginx.k8s.yaml'), 'utf8').includes(`# stage: ${name}\n`);

test('next --apply through every stage, then rollback --apply: each move keeps capacity and sends traffic only to ready endpoints', async () => {
  // The release starts where the spec is: baseline, applied with its own script.
  await cli('synth');
  expect(stageFile('baseline')).toBe(true);
  await shell(`${await cli('plan', '--script')}`, dir);
  // Each move, and the ready pods of each track it ends with.
  const moves: [string, string[], string][] = [
    ['baseline -> canary', ['next', '--apply'], 'stable 3, canary 1'],
    ['canary -> expand', ['next', 'nginx', '--apply'], 'stable 3, canary 3'],
    ['expand -> promote', ['stage', 'nginx', 'promote', '--apply'], 'stable 0, canary 3'],
    ['promote -> rollback', ['rollback', '--apply'], 'stable 3, canary 0'],
  ];
  for (const [label, args, pods] of moves) {
    const from = readFileSync(join(dir, 'dist', 'nginx', 'current', 'nginx.k8s.yaml'), 'utf8');
    let printed = '';
    const result = await watched(`release CLI: ${label}`, { from, shape }, dir, [], async () => { printed = await cli(...args); });
    record(result);
    const to = label.split(' -> ')[1];
    expect(printed).toContain(`nginx is at ${to} on the cluster`);
    expect(stageFile(to)).toBe(true);
    expect(result.lowestCapacity).toBeGreaterThanOrEqual(1);
    expect(result.unservedTraffic).toEqual([]);
    expect(result.underServed).toEqual([]);
    expect(result.log.at(-1)).toContain(`${pods}, capacity `);
  }
  // Nothing moves on from rollback: refused, the spec and the cluster as they were.
  await expect(cli('next', '--apply')).rejects.toThrow('the release was rolled back, and the plan offers no move from rollback');
  expect(readFileSync(join(dir, 'canary.yaml'), 'utf8')).toContain('stage: rollback');
});
