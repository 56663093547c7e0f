import { readFileSync, rmSync, writeFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { CHART_COLOURS } from '../src/engine/release-chart';
import { cli, root, runCommand, tempDir } from './helpers';

/*
 * `review`: the release in a pull request against its base revision, as markdown, with a chart of
 * each app's plan. The spec lives in a git repository of the test's own; the chart is drawn to PNG
 * by librsvg, as a browser draws it, and measured.
 */

let repo: string;
const git = (...args: string[]) => {
  const ran = runCommand(['git', '-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], { cwd: repo });
  if (ran.status !== 0) throw new Error(ran.stderr);
};

beforeEach(() => {
  repo = tempDir('review');
  cpSync(join(root, 'canary.yaml'), join(repo, 'canary.yaml'));
  cpSync(join(root, 'examples', 'routing.yaml'), join(repo, 'routing.yaml'));
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'the release as it stands');
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

const edit = (file: string, from: RegExp | string, to: string) => {
  const path = join(repo, file);
  writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
};

test('a move: what changed, each track\'s pods and the share before and after, the steps, and a chart', async () => {
  edit('canary.yaml', 'stage: baseline', 'stage: canary');
  edit('canary.yaml', /image: docker\/getting-started\b/, 'image: docker/getting-started:v2');
  const result = await cli('review', '-c', join(repo, 'canary.yaml'), '--charts', join(repo, 'charts'));
  expect(result.code).toBe(0);
  const lines = result.out.split('\n');
  expect(lines.slice(0, 12)).toEqual([
    `## Release review: ${join(repo, 'canary.yaml')} against HEAD`,
    '',
    '### nginx: baseline -> canary',
    '',
    '- `stage`: baseline -> canary',
    '- `canary.image`: docker/getting-started -> docker/getting-started:v2',
    '',
    '| | stage | stable pods | canary pods | canary share |',
    '| --- | --- | ---: | ---: | ---: |',
    '| before | baseline | 3 | 0 | 0% (by pod count) |',
    '| after | canary | 3 | 1 | 25% (by pod count) |',
    '',
  ]);
  expect(lines).toContain(`![nginx: pods and canary share per stage](${join(repo, 'charts', 'nginx.svg')})`);
  const plan = JSON.parse((await cli('plan', '--json', '-c', join(repo, 'canary.yaml'))).out).apps[0];
  const steps = lines.filter((line) => /^\d+\. /.test(line));
  expect(steps).toHaveLength(plan.stages.find((stage: { name: string }) => stage.name === 'canary').steps.length);
  expect(steps[1]).toBe('2. Wait until deployment/nginx-deployment-canary has rolled out: every pod updated and ready.');

  // The chart, drawn: each stage's canary bar as tall as its pods, the stage it was at and the one it is at marked.
  const svg = readFileSync(join(repo, 'charts', 'nginx.svg'), 'utf8');
  const png = join(repo, 'nginx.png');
  expect(runCommand(['rsvg-convert', join(repo, 'charts', 'nginx.svg'), '-o', png]).status).toBe(0);
  const image = PNG.sync.read(readFileSync(png));
  const columns = ['baseline', 'canary', 'expand', 'promote', 'rollback'];
  const count = (colour: string, column: number) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
    let n = 0;
    // The plot: below the legend, above the stage names.
    for (let y = 60; y <= 212; y++) {
      for (let x = 44 + 96 * column; x < 44 + 96 * (column + 1); x++) {
        const at = (image.width * y + x) * 4;
        if (image.data[at] === r && image.data[at + 1] === g && image.data[at + 2] === b) n++;
      }
    }
    return n;
  };
  const canary = columns.map((_, i) => count(CHART_COLOURS.canary, i));
  const stable = columns.map((_, i) => count(CHART_COLOURS.stable, i));
  // Pods 0, 1, 3, 3, 0 and 3, 3, 3, 0, 3: bars in proportion, none where a track runs no pod.
  expect(canary[0]).toBe(0);
  expect(canary[4]).toBe(0);
  expect(canary[2] / canary[1]).toBeCloseTo(3, 0);
  expect(canary[3]).toBe(canary[2]);
  expect(stable[3]).toBe(0);
  expect(stable[0]).toBe(stable[2]);
  expect(count(CHART_COLOURS.before, 0)).toBeGreaterThan(1000);
  expect(count(CHART_COLOURS.after, 1)).toBeGreaterThan(1000);
  // (A pixel or two of a letter's edges may fall on a mark's colour.)
  expect(count(CHART_COLOURS.after, 0) + count(CHART_COLOURS.before, 2)).toBeLessThan(20);
  expect(svg).toContain('>25%</text>');

  // A file there that review did not draw is left as it is.
  writeFileSync(join(repo, 'charts', 'nginx.svg'), '<svg>mine</svg>');
  const refused = await cli('review', '-c', join(repo, 'canary.yaml'), '--charts', join(repo, 'charts'));
  expect(refused.code).toBe(2);
  expect(refused.err).toContain(`${join(repo, 'charts', 'nginx.svg')} is a file review did not draw`);
  expect(readFileSync(join(repo, 'charts', 'nginx.svg'), 'utf8')).toBe('<svg>mine</svg>');
});

test('a routed, gated app: the route\'s weights and the gate\'s checks; the others unchanged, a new app and a removed one named', async () => {
  edit('routing.yaml', /(- name: nginx-gateway[\s\S]*?)stage: canary/, '$1stage: quarter');
  const result = await cli('review', '-c', join(repo, 'routing.yaml'));
  expect(result.code).toBe(0);
  expect(result.out).toContain('### nginx-gateway: canary -> quarter');
  expect(result.out).toContain('| before | canary | 3 | 1 | 5% (route weight) |\n| after | quarter | 3 | 1 | 25% (route weight) |');
  expect(result.out).toMatch(/\nThe gate runs after the move \(within \d+ s\); a check that fails rolls back:\n- smoke: \d+ requests to `\/[^`]*` on the canary/);
  expect(result.out).toContain('Unchanged: nginx-istio, nginx-sticky, greeter.');
  // An app added, one removed.
  edit('canary.yaml', '- name: nginx', '- name: nginx-two');
  const renamed = await cli('review', '-c', join(repo, 'canary.yaml'));
  expect(renamed.out).toContain('### nginx-two: new, at baseline');
  expect(renamed.out).toContain('Removed from the spec: nginx');
});

test('a spec the base revision lacks: every app is new; a revision git does not know is a usage error', async () => {
  mkdirSync(join(repo, 'apps'));
  cpSync(join(root, 'canary.yaml'), join(repo, 'apps', 'canary.yaml'));
  const result = await cli('review', '-c', join(repo, 'apps', 'canary.yaml'));
  expect(result.out).toContain('### nginx: new, at baseline');
  const unknown = await cli('review', '-c', join(repo, 'canary.yaml'), '--base', 'no-such-branch');
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('git archive --format=tar no-such-branch --:');
});

test('diff says in release terms what changed: the stage, the fields by their names, the pods before and after', async () => {
  edit('canary.yaml', 'stage: baseline', 'stage: canary');
  edit('canary.yaml', /image: docker\/getting-started\b/, 'image: docker/getting-started:v2');
  edit('canary.yaml', 'nodePort: 30008', 'nodePort: 30009');
  const result = await cli('diff', '-c', join(repo, 'canary.yaml'));
  expect(result.code).toBe(0);
  expect(result.out).toBe([
    'nginx: 3 changes',
    '  stage: baseline -> canary',
    '  canary.image: docker/getting-started -> docker/getting-started:v2',
    '  service changed',
    '  pods: stable 3, canary 0, canary share 0% -> stable 3, canary 1, canary share 25%',
  ].join('\n'));
  git('commit', '-qam', 'moved');
  expect((await cli('diff', '-c', join(repo, 'canary.yaml'))).out).toBe('no app\'s release changed');
  expect((await cli('diff', '-c', join(repo, 'canary.yaml'), '--base', 'HEAD~1', 'nginx')).out).toMatch(/^nginx: 3 changes\n/);
});
