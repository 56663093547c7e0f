import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { progressReporter } from '../src/cli';
import { checkOutput, writeOutput } from '../src/output';
import type { AppSpec } from '../src/spec';
import { synthesize } from '../src/synth';

const root = join(__dirname, '..');
const bin = join(root, 'bin', 'cdk8s-canary.js');
let dir: string;
let out: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-out-'));
  out = join(dir, 'dist');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const app = (i: number): AppSpec => ({
  name: `app-${i}`,
  namespace: `team-${i % 7}`,
  port: 8080,
  stable: { image: `registry.local/app-${i}:1.0.${i}` },
  canary: { image: `registry.local/app-${i}:1.1.${i}`, replicas: 1 + (i % 4) },
  stage: i % 2 ? 'canary' : 'baseline',
});

function writeSpec(apps: AppSpec[], name = 'canary.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, stringify({ apps }));
  return path;
}

function tree(folder: string, prefix = ''): Record<string, string> {
  if (!existsSync(folder)) return {};
  return Object.fromEntries(readdirSync(join(folder, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? Object.entries(tree(folder, path)) : [[path, readFileSync(join(folder, path), 'utf8')]];
  }));
}

function synth(spec: string, env: Record<string, string> = {}, ...node: string[]) {
  return spawnSync(process.execPath, [...node, bin, 'synth', '-c', spec, '-o', out], {
    encoding: 'utf8', env: { ...process.env, CI: 'true', ...env },
  });
}

test('a failing spec leaves the previous output byte for byte', () => {
  expect(synth(writeSpec([app(1), app(2)])).status).toBe(0);
  const before = tree(out);
  const bad = writeSpec([app(1), { ...app(2), stage: 'nope' }], 'bad.yaml');
  const result = synth(bad);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('"apps[1].stage" is "nope"');
  expect(tree(out)).toEqual(before);
});

test.each([
  ['in the middle of writing the new files', 'writeFileSync:4'],
  ['after the old output was set aside', 'renameSync:2'],
])('a run killed %s leaves the previous output, restored by the next run', (_when, crashAt) => {
  const spec = writeSpec([app(1), app(2)]);
  expect(synth(spec).status).toBe(0);
  writeFileSync(join(out, 'README.md'), 'mine\n');
  const before = tree(out);

  const changed = writeSpec([{ ...app(1), stage: 'promote' }, app(3)], 'changed.yaml');
  const killed = synth(changed, { CRASH_AT: crashAt }, '--require', join(__dirname, 'fixtures', 'crash.js'));
  expect(killed.signal).toBe('SIGKILL');

  // The next run finds the previous output whole before it does anything else.
  expect(synth(spec).stdout).toMatch(/0 files written, 12 unchanged, 0 removed/);
  expect(tree(out)).toEqual(before);
  expect(readdirSync(dir).filter((name) => name.startsWith('.'))).toEqual([]);
});

test('files it did not write are kept; files of apps and stages that left the spec are removed', () => {
  expect(synth(writeSpec([app(1), app(2)])).status).toBe(0);
  writeFileSync(join(out, 'kustomization.yaml'), 'resources: [app-1/current/app-1.k8s.yaml]\n');
  writeFileSync(join(out, 'app-2', 'README.md'), 'notes\n');
  writeFileSync(join(out, 'app-2', 'stages', 'extra.k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\n');
  mkdirSync(join(out, 'empty'));

  const result = synth(writeSpec([{ ...app(1), stages: [{ name: 'only', stableReplicas: 3, canaryReplicas: 1 }], stage: 'only' }]));
  expect(result.stdout).toMatch(/^synth: 1 app, 3 files written, 0 unchanged, 10 removed/);
  expect(Object.keys(tree(out)).sort()).toEqual([
    'app-1/current/app-1.k8s.yaml',
    'app-1/stages/01-only.k8s.yaml',
    'app-1/stages/rollback.k8s.yaml',
    'app-2/README.md',
    'app-2/stages/extra.k8s.yaml',
    'kustomization.yaml',
  ]);
  expect(existsSync(join(out, 'empty'))).toBe(true);
  expect(readFileSync(join(out, 'kustomization.yaml'), 'utf8')).toBe('resources: [app-1/current/app-1.k8s.yaml]\n');
});

test('a run refuses an output folder that another live run holds, and takes over a dead run\'s lock', () => {
  const spec = writeSpec([app(1)]);
  const lock = join(dir, '.dist.cdk8s-canary-lock');
  writeFileSync(lock, String(process.pid));
  const refused = synth(spec);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toBe(`cdk8s-canary: another cdk8s-canary run (pid ${process.pid}) is writing ${out}; run again when it has finished\n`);
  expect(existsSync(out)).toBe(false);

  writeFileSync(lock, '999999999');
  expect(synth(spec).status).toBe(0);
  expect(existsSync(lock)).toBe(false);
});

test('two runs at once: each succeeds or refuses clearly, and the output is right', async () => {
  const spec = writeSpec(Array.from({ length: 150 }, (_, i) => app(i)));
  const run = () => new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, 'synth', '-c', spec, '-o', out], { env: { ...process.env, CI: 'true' } });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (code) => resolve({ code, stderr }));
  });
  const results = await Promise.all([run(), run(), run()]);
  for (const result of results) {
    if (result.code !== 0) expect(result.stderr).toMatch(/another cdk8s-canary run \(pid \d+\) is writing/);
  }
  expect(results.some((result) => result.code === 0)).toBe(true);
  const check = spawnSync(process.execPath, [bin, 'synth', '--check', '-c', spec, '-o', out], { encoding: 'utf8' });
  expect(check.status).toBe(0);
}, 60_000);

test('a large spec renders exactly what each app renders alone', () => {
  const apps = Array.from({ length: 300 }, (_, i) => app(i));
  const together = synthesize({ apps });
  const alone = apps.flatMap((a) => synthesize({ apps: [a] }));
  // 6 files for apps whose canary has more than one pod (an expand stage), 5 for the others
  expect(together.length).toBe(225 * 6 + 75 * 5);
  expect(together).toEqual(alone);
});

test('writing nothing new touches nothing', () => {
  const files = synthesize({ apps: [app(1)] });
  expect(writeOutput(out, files)).toEqual({ written: 6, unchanged: 0, removed: 0 });
  expect(writeOutput(out, files)).toEqual({ written: 0, unchanged: 6, removed: 0 });
  expect(checkOutput(out, files)).toEqual([]);
});

test('plan and --check load only what they need', () => {
  const loaded = (...args: string[]) => {
    const record = join(dir, 'modules.json');
    spawnSync(process.execPath, ['--require', join(__dirname, 'fixtures', 'loaded-modules.js'), bin, ...args], {
      cwd: root, env: { ...process.env, LOADED_MODULES_FILE: record },
    });
    return JSON.parse(readFileSync(record, 'utf8')) as string[];
  };
  expect(loaded('plan')).toEqual(['ajv', 'fast-deep-equal', 'fast-uri', 'json-schema-traverse', 'yaml']);
  expect(loaded('synth', '--check')).toEqual(expect.arrayContaining(['cdk8s', 'cdk8s-plus-27', 'constructs']));
});

describe('progress', () => {
  test('stays quiet for the first second, then reports at most ten times a second and always the end', () => {
    const shown: string[] = [];
    let now = 0;
    const report = progressReporter((text) => shown.push(`${now}: ${text}`), 0, () => now);
    for (const [time, done] of [[500, 1], [1000, 2], [1050, 3], [1100, 4], [1120, 5], [1130, 6]]) {
      now = time;
      report(done, 6);
    }
    expect(shown).toEqual(['1000: rendering apps: 2/6', '1100: rendering apps: 4/6', '1130: rendering apps: 6/6']);
  });

  test('is off when stdout is not a terminal or CI is set', () => {
    const result = synth(writeSpec(Array.from({ length: 5 }, (_, i) => app(i))));
    expect(result.stdout).not.toContain('rendering apps');
    expect(result.stdout.split('\n')).toHaveLength(2);
  });
});
