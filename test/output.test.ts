import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { progressReporter } from '../src/cli/io';
import { checkOutput } from '../src/io/check';
import type { Ownership } from '../src/io/ownership';
import { openOutput } from '../src/io/write-session';
import { OUTPUT_LAYOUT } from '../src/render/paths';
import type { RenderedFile } from '../src/io/header';
import type { AppSpec } from '../src/spec/types';
import { synthesize } from '../src/render/synth';
import {
  bin, generatedApp, generatedApps, LARGE_APPS, LARGE_SPEC_THREADS, preload, PROCESS_TEST_TIMEOUT, root, run, runCommand, startBin, tempDir, tree, writeSpec as writeSpecTo,
} from './helpers';

let dir: string;
let out: string;

beforeEach(() => {
  dir = tempDir('out');
  out = join(dir, 'dist');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const app = generatedApp;

const writeSpec = (apps: AppSpec[], name = 'canary.yaml'): string => writeSpecTo(join(dir, name), apps);

/** `synth -c spec -o out` as a process, with `env` and node's own `options` (a preload). */
const synth = (spec: string, env: NodeJS.ProcessEnv = {}, ...node: string[]) => run(['synth', '-c', spec, '-o', out], { env, node });

test('a failing spec leaves the previous output byte for byte', () => {
  expect(synth(writeSpec([app(1), app(2)])).status).toBe(0);
  const before = tree(out);
  const bad = writeSpec([app(1), { ...app(2), stage: 'nope' }], 'bad.yaml');
  const result = synth(bad);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('"apps[1].stage" is "nope"');
  expect(tree(out)).toEqual(before);
}, PROCESS_TEST_TIMEOUT);

test.each([
  ['before it writes a file', 'writeFileSync:4'],
  ['between writing a file and renaming it into place', 'renameSync:3'],
])('a run killed %s leaves every file old or new, and the next run finishes the job', (_when, crashAt) => {
  const spec = writeSpec([app(1), app(2)]);
  expect(synth(spec).status).toBe(0);
  writeFileSync(join(out, 'README.md'), 'mine\n');
  const before = tree(out);

  const changed = [{ ...app(1), stage: 'promote' }, app(3)];
  writeSpec(changed);
  const fresh = join(dir, 'fresh');
  expect(run(['synth', '-c', spec, '-o', fresh]).status).toBe(0);
  const after: Record<string, string> = { ...tree(fresh), 'README.md': 'mine\n' };

  const killed = synth(spec, { CRASH_AT: crashAt }, ...preload('crash.js'));
  expect(killed.signal).toBe('SIGKILL');
  // What a reader sees now: each file whole, old or new; a temporary file is hidden and not YAML.
  const seen = tree(out);
  for (const [path, content] of Object.entries(seen)) {
    if (path.split('/').pop()!.startsWith('.')) expect(path).toMatch(/^\.cdk8s-canary\.lock$|\.cdk8s-canary-tmp-\d+$/);
    else expect([before[path], after[path]]).toContain(content);
  }
  expect(Object.entries(seen).some(([path, content]) => after[path] === content && before[path] !== content)).toBe(true);

  // The next run removes the dead run's temporary files and writes what is left.
  expect(synth(spec).status).toBe(0);
  expect(tree(out)).toEqual(after);
}, PROCESS_TEST_TIMEOUT);

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
}, PROCESS_TEST_TIMEOUT);

test('a run refuses an output folder that another live run holds, and takes over a dead run\'s lock', () => {
  const spec = writeSpec([app(1)]);
  mkdirSync(out);
  const lock = join(out, '.cdk8s-canary.lock');
  const held = (holder: object | number) => {
    writeFileSync(lock, typeof holder === 'number' ? String(holder) : JSON.stringify(holder));
    return synth(spec);
  };
  // This test's own process is alive: a lock naming it holds (the earlier format, a bare pid, too).
  const refused = held(process.pid);
  expect(refused.status).toBe(4);
  expect(refused.stderr).toBe(`cdk8s-canary: another cdk8s-canary run (pid ${process.pid}) is writing ${out}; run again when it has finished\n`);
  expect(readdirSync(out)).toEqual(['.cdk8s-canary.lock']);
  const host = hostname();
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const pidns = readlinkSync('/proc/self/ns/pid');
  const start = readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
  expect(held({ pid: process.pid, start, boot, pidns, host }).status).toBe(4);
  // Another container (its own host name, this boot), another host (another boot too), or another
  // boot of a host of this name (this one before a reboot, or another machine sharing the folder):
  // its pid cannot be looked up, so a fresh lock holds, and one left unrefreshed for 30 s is a dead run's.
  for (const [holder, where] of [
    [{ pid: 1, start: '5', boot, pidns: 'pid:[1]', host: 'build-7' }, 'pid 1 on build-7'],
    [{ pid: 1, start: '5', boot: 'other-boot', pidns, host: 'build-7' }, 'pid 1 on build-7'],
    [{ pid: process.pid, start, boot: 'other-boot', pidns, host }, `pid ${process.pid} on a machine with another boot id`],
  ] as const) {
    const elsewhere = held(holder);
    expect(elsewhere.stderr).toBe(`cdk8s-canary: another cdk8s-canary run (${where}) is writing ${out}; run again when it has finished (a lock it leaves unrefreshed for 30 s is taken over)\n`);
    const old = new Date(Date.now() - 31_000);
    utimesSync(lock, old, old);
    expect(synth(spec).status).toBe(0);
  }

  // A lock refreshed ahead of this clock (another host's, on a shared folder): what is said is true.
  const ahead = held({ pid: 1, start: '5', boot: 'other-boot', pidns, host: 'build-7' });
  const future = new Date(Date.now() + 120_000);
  utimesSync(lock, future, future);
  const skewed = synth(spec);
  expect(skewed.status).toBe(4);
  expect(skewed.stderr).toMatch(new RegExp(`^cdk8s-canary: another cdk8s-canary run \\(pid 1 on build-7\\) is writing ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; run again when it has finished \\(its last refresh is 1[12][0-9] s ahead of this machine's clock, so the clocks differ: it is taken over if left unrefreshed until 1[45][0-9] s from now; if that run has ended, remove .*\\.cdk8s-canary\\.lock\\)\n$`));
  expect(ahead.status).toBe(4);
  rmSync(lock);

  // Gone, or reused by another process (another start time): stale.
  for (const stale of [999999999, { pid: process.pid, start: '1', boot, pidns, host }]) {
    expect(held(stale).status).toBe(0);
    expect(existsSync(lock)).toBe(false);
  }
}, PROCESS_TEST_TIMEOUT);

test('two runs at once: each succeeds or refuses clearly, and the output is right', async () => {
  const spec = writeSpec(generatedApps(150));
  const results = await Promise.all([1, 2, 3].map(() => startBin(['synth', '-c', spec, '-o', out]).ended));
  for (const result of results) {
    if (result.status === 0) continue;
    expect(result.status).toBe(4);
    expect(result.stderr).toMatch(/another cdk8s-canary run \(pid \d+\) is writing/);
  }
  expect(results.some((result) => result.status === 0)).toBe(true);
  const check = run(['synth', '--check', '-c', spec, '-o', out]);
  expect(check.status).toBe(0);
}, PROCESS_TEST_TIMEOUT);

test('a large spec renders exactly what each app renders alone', () => {
  const apps = generatedApps(LARGE_APPS);
  const together = synthesize({ apps });
  const alone = apps.flatMap((a) => synthesize({ apps: [a] }));
  // 6 files for apps whose canary has more than one pod (an expand stage), 5 for the others
  expect(together.length).toBe(45 * 6 + 15 * 5);
  expect(together).toEqual(alone);
});

test('a spec large enough for render threads writes what one thread renders, and --check agrees', () => {
  expect(availableParallelism()).toBeGreaterThanOrEqual(2);
  const apps = generatedApps(LARGE_APPS);
  const files = 45 * 6 + 15 * 5;
  const threads = join(dir, 'threads');
  const spec = writeSpec(apps);
  // Threads start from 600 apps to render; these runs set the number lower (LARGE_SPEC_THREADS).
  const synthOrCheck = (outdir: string, env: NodeJS.ProcessEnv, ...more: string[]) =>
    run(['synth', ...more, '-c', spec, '-o', outdir], { env: { RENDER_THREADS_FILE: threads, ...env }, node: preload('render-threads.js') });
  const result = synthOrCheck(out, LARGE_SPEC_THREADS);
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(new RegExp(`^synth: ${LARGE_APPS} apps, ${files} files written, 0 unchanged, 0 removed`));
  // One render thread fewer than cores: the main thread writes.
  expect(new Set(readFileSync(threads, 'utf8').trim().split('\n')).size).toBe(Math.min(availableParallelism() - 1, Math.ceil(LARGE_APPS / 25)));
  const expected = Object.fromEntries(synthesize({ apps }, '../canary.yaml').map((file) => [file.path, file.content]));
  expect(tree(out)).toEqual(expected);
  rmSync(threads);
  // Nothing changed: a write and --check each render every app again, on threads, and write nothing.
  expect(synthOrCheck(out, LARGE_SPEC_THREADS).stdout).toMatch(new RegExp(`^synth: ${LARGE_APPS} apps, 0 files written, ${files} unchanged`));
  expect(existsSync(threads)).toBe(true);
  rmSync(threads);
  expect(synthOrCheck(out, LARGE_SPEC_THREADS, '--check').stdout).toMatch(new RegExp(`^check: ${LARGE_APPS} apps, ${files} files up to date`));
  expect(existsSync(threads)).toBe(true);
  rmSync(threads);
  // An empty folder: every app is rendered, on threads, and every file is missing.
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const missing = synthOrCheck(empty, LARGE_SPEC_THREADS, '--check');
  expect(missing.status).toBe(1);
  expect(missing.stderr.split('\n').filter((line) => line.startsWith('missing: '))).toHaveLength(files);
  expect(existsSync(threads)).toBe(true);
  // Without the setting, the spec renders on the main thread.
  rmSync(threads);
  expect(synthOrCheck(out, {}).stdout).toMatch(new RegExp(`^synth: ${LARGE_APPS} apps, 0 files written`));
  const single = synthOrCheck(join(dir, 'main-only'), {});
  expect(single.stdout).toMatch(new RegExp(`^synth: ${LARGE_APPS} apps, ${files} files written`));
  expect(existsSync(threads)).toBe(false);
}, PROCESS_TEST_TIMEOUT);

test('writing nothing new touches nothing', () => {
  const writeOutput = (outdir: string, files: RenderedFile[], ownership: Ownership) => {
    const writer = openOutput(outdir, files.map((file) => file.path), ownership);
    files.forEach((file) => writer.write(file));
    return writer.close();
  };
  const files = synthesize({ apps: [app(1)] });
  const ownership = { spec: '../canary.yaml', apps: ['app-1'], layout: OUTPUT_LAYOUT };
  expect(writeOutput(out, files, ownership)).toEqual({ written: 6, unchanged: 0, removed: 0 });
  const times = Object.keys(tree(out)).map((path) => statSync(join(out, path)).mtimeMs);
  expect(writeOutput(out, files, ownership)).toEqual({ written: 0, unchanged: 6, removed: 0 });
  expect(Object.keys(tree(out)).map((path) => statSync(join(out, path)).mtimeMs)).toEqual(times);
  expect(checkOutput(out, files, ownership)).toEqual([]);
});

test('plan, the writer and the spec layer load no cdk8s code', () => {
  const loaded = (...args: string[]) => {
    const record = join(dir, 'modules.json');
    runCommand([process.execPath, ...preload('loaded-modules.js'), ...args], { cwd: root, env: { LOADED_MODULES_FILE: record } });
    return JSON.parse(readFileSync(record, 'utf8')) as string[];
  };
  // The spec's validators are compiled ahead of time: of Ajv, only the helpers they call are loaded,
  // not its compiler (which needs fast-uri and json-schema-traverse).
  // The spec is read by js-yaml; the position-keeping reader (yaml) is loaded only for a message, and
  // the RE2 parser only for a spec with a regex (the routing example has one).
  const specLayer = ['ajv', 'fast-deep-equal', 'js-yaml'];
  // A spec with nothing to warn about: a warning's line and column come from the position-keeping reader.
  const spec = writeSpec([app(1)]);
  expect(loaded(bin, 'plan', '-c', spec)).toEqual(specLayer);
  expect(loaded(bin, 'plan')).toEqual([...specLayer, 'yaml'].sort());
  expect(loaded('-e', "require('./lib/io/write-session'); require('./lib/io/check'); require('./lib/io/header')")).toEqual([]);
  expect(loaded('-e', "require('./lib/model/resolve').resolveSpec({ apps: [{ name: 'web', namespace: 'shop', stable: { image: 'web:1' }, canary: { image: 'web:2' } }] })"))
    .toEqual(specLayer.filter((name) => name !== 'js-yaml'));
  // Rendering writes plain data; only routes use the typed route classes, which load cdk8s (and no
  // cdk8s-plus line).
  const renderCode = ['application-set', 'drain', 'endpoint-check', 'gate', 'manifest', 'node-job', 'revert', 'routes', 'services', 'stage-objects', 'track-objects', 'wave-guard', 'workload'].map((name) => `lib/constructs/manifests/${name}.js`)
    .concat('lib/render/render.js', 'lib/render/synth.js');
  expect(loaded(bin, 'synth', '-c', spec, '-o', out)).toEqual([...specLayer, ...renderCode]);
  const routed = loaded(bin, 'synth', '-c', join(root, 'examples', 'routing.yaml'), '-o', join(dir, 'routed'));
  expect(routed).toEqual(expect.arrayContaining(['cdk8s', 'constructs', 'js-yaml', 're2js']));
  expect(routed.filter((name) => name.startsWith('cdk8s-plus'))).toEqual([]);
  // Nothing changed: synth and --check still render every app, to compare every file with a render.
  expect(loaded(bin, 'synth', '-c', spec, '-o', out)).toEqual([...specLayer, ...renderCode]);
  expect(loaded(bin, 'synth', '--check', '-c', spec, '-o', out)).toEqual([...specLayer, ...renderCode]);
}, PROCESS_TEST_TIMEOUT);

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

  test('shows on a terminal, and never with NO_COLOR or CI set', () => {
    // Long enough that progress shows, after its first second, however fast the machine: each reading
    // of the run's clock is a second after the last (fixtures/fast-clock.js). The spec renders on a
    // thread, whose progress comes back a job of apps at a time.
    const spec = writeSpec(generatedApps(LARGE_APPS));
    const command = [process.execPath, ...preload('fast-clock.js'), bin, 'synth', '-c', spec, '-o', out].map((arg) => `"${arg}"`).join(' ');
    const onTerminal = (env: NodeJS.ProcessEnv) => {
      rmSync(out, { recursive: true, force: true });
      // script(1) gives the run a pseudo-terminal, as a person's shell would.
      return runCommand(['script', '-qec', command, '/dev/null'], { env: { CI: undefined, NO_COLOR: undefined, ...LARGE_SPEC_THREADS, ...env } }).stdout;
    };
    expect(onTerminal({})).toMatch(new RegExp(`\\rrendering apps: ${LARGE_APPS}/${LARGE_APPS}\\x1b\\[K`));
    expect(onTerminal({ NO_COLOR: '1' })).not.toContain('rendering apps');
    expect(onTerminal({ CI: 'true' })).not.toContain('rendering apps');
  }, PROCESS_TEST_TIMEOUT);

  test('is off when stdout is not a terminal or CI is set', () => {
    const result = synth(writeSpec(generatedApps(5)));
    expect(result.stdout).not.toContain('rendering apps');
    expect(result.stdout.split('\n')).toHaveLength(2);
  }, PROCESS_TEST_TIMEOUT);
});
