import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { fastValues, slowValues } from '../src/engine/load';
import { cli, generatedApps, LARGE_APPS, LARGE_SPEC_THREADS, PROCESS_TEST_TIMEOUT, root, run, tempDir, tree } from './helpers';

/*
 * Incremental runs: a run writes only the files that differ from a render, and what it leaves is
 * byte for byte what a cold render of the same spec writes.
 */

let dir: string;

beforeEach(() => {
  dir = tempDir('incremental');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * `synth -c spec -o out`: the large spec as a process, whose render threads run the built code; the
 * examples in this process, which runs the same command on one thread, without a process start each.
 */
async function synth(spec: string, out: string, ...more: string[]) {
  const args = ['synth', '-c', spec, '-o', out, ...more];
  let result: { status: number | null; stdout: string; stderr: string };
  if (spec.endsWith('large.yaml')) {
    result = run(args, { env: LARGE_SPEC_THREADS });
  } else {
    const { code, out: stdout, err: stderr } = await cli(...args);
    result = { status: code, stdout, stderr };
  }
  if (result.status !== 0 && !more.includes('--check')) throw new Error(result.stderr);
  return result;
}

/** A large generated spec, made once for the file. */
const LARGE = stringify({ apps: generatedApps(LARGE_APPS) });

/** The examples, each copied with the files it reads, and a large generated spec. */
function specs(): Record<string, string> {
  cpSync(join(root, 'examples'), join(dir, 'examples'), { recursive: true, filter: (path) => !path.includes(`${join('examples', 'dist')}`) });
  cpSync(join(root, 'canary.yaml'), join(dir, 'canary.yaml'));
  writeFileSync(join(dir, 'large.yaml'), LARGE);
  return {
    walkthrough: join(dir, 'canary.yaml'),
    routing: join(dir, 'examples', 'routing.yaml'),
    config: join(dir, 'examples', 'config.yaml'),
    'real-app': join(dir, 'examples', 'real-app', 'canary.yaml'),
    large: join(dir, 'large.yaml'),
  };
}

/** The spec with its first app's canary image changed. */
function changeFirstApp(spec: string): string {
  const data = parse(readFileSync(spec, 'utf8'));
  data.apps[0].canary.image = 'registry.local/changed:9.9.9';
  writeFileSync(spec, stringify(data));
  return data.apps[0].name;
}

test.each(['walkthrough', 'routing', 'config', 'real-app', 'large'])('%s: a re-run writes nothing; a one-app change writes only that app\'s files; both are byte for byte a cold render', async (name) => {
  const spec = specs()[name];
  const out = join(dir, 'out');
  await synth(spec, out);
  const cold = tree(out);
  const files = Object.keys(cold).length;

  expect((await synth(spec, out)).stdout).toMatch(new RegExp(`^synth: \\d+ apps?, 0 files written, ${files} unchanged, 0 removed`));
  expect((await synth(spec, out, '--check')).stdout).toMatch(new RegExp(`^check: \\d+ apps?, ${files} files up to date`));
  expect(tree(out)).toEqual(cold);

  const changed = changeFirstApp(spec);
  const before = tree(out);
  expect((await synth(spec, out, '--check')).status).toBe(1);
  const result = await synth(spec, out);
  const after = tree(out);
  const touched = Object.keys(after).filter((path) => after[path] !== before[path]);
  expect(touched.length).toBeGreaterThan(0);
  expect(touched.every((path) => path.startsWith(`${changed}/`))).toBe(true);
  expect(result.stdout).toMatch(new RegExp(`^synth: \\d+ apps?, ${touched.length} files? written`));

  const fresh = join(dir, 'fresh');
  await synth(spec, fresh);
  expect(after).toEqual(tree(fresh));
}, PROCESS_TEST_TIMEOUT);

test.each([
  ['a config file', 'config', 'config/canary.conf', (text: string) => `${text}# changed\n`],
  ['a manifest the app is taken from', 'real-app', 'real-app/catalog.yaml', (text: string) => text.replace('owner: storefront@example.com', 'owner: catalog@example.com')],
])('%s changed beside an unchanged spec is rendered again, as a cold render would', async (_what, name, file, edit) => {
  const spec = specs()[name];
  const out = join(dir, 'out');
  await synth(spec, out);
  const before = tree(out);
  const path = join(dir, 'examples', file);
  const text = readFileSync(path, 'utf8');
  expect(edit(text)).not.toBe(text);
  writeFileSync(path, edit(text));
  expect((await synth(spec, out, '--check')).status).toBe(1);
  expect((await synth(spec, out)).stdout).not.toMatch(/ 0 files written/);
  const after = tree(out);
  expect(after).not.toEqual(before);
  const fresh = join(dir, 'fresh');
  await synth(spec, fresh);
  expect(after).toEqual(tree(fresh));
}, PROCESS_TEST_TIMEOUT);

test('a hand-edited file of an unchanged app is caught by --check and written anew by synth, whatever its header says', async () => {
  const spec = specs().routing;
  const out = join(dir, 'out');
  await synth(spec, out);
  const cold = tree(out);
  const [path] = Object.keys(cold).filter((each) => each.endsWith('02-canary.k8s.yaml'));
  const edits = [
    (text: string) => text.replace(/replicas: \d+/, 'replicas: 7'),
    (text: string) => `${text}# a note\n`,
    // The image swapped, the header left as the tool wrote it: nothing in a file proves what made it.
    (text: string) => text.replace(/image: nginx:1\.23\b/, 'image: registry.evil/nginx:1.23'),
    (text: string) => text.replace(/^# replicas: .*$/m, '# replicas: stable 4, canary 0; canary share 0%'),
    // An object appended after the tool's.
    (text: string) => `${text}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: everyone-admin\n`,
  ];
  for (const edit of edits) {
    const edited = edit(cold[path]);
    expect(edited).not.toBe(cold[path]);
    writeFileSync(join(out, path), edited);
    const check = await synth(spec, out, '--check');
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(`stale: ${join(out, path)}`);
    expect((await synth(spec, out)).stdout).toMatch(/^synth: \d+ apps, 1 file written/);
    expect(tree(out)).toEqual(cold);
  }
}, PROCESS_TEST_TIMEOUT);

describe('spec read', () => {
  const examples = [join(root, 'canary.yaml'), join(root, 'examples', 'routing.yaml'), join(root, 'examples', 'config.yaml'), join(root, 'examples', 'real-app', 'canary.yaml')];

  test.each(examples)('%s: the fast reader gives the values the position-keeping reader gives', (spec) => {
    const text = readFileSync(spec, 'utf8');
    const fast = fastValues(text);
    expect(fast).toBeDefined();
    expect(fast).toEqual(slowValues(text));
  });

  // Where YAML 1.1 and 1.2 readers part: the fast reader agrees with the document, or leaves it to it.
  const scalars = ['yes', 'no', 'on', 'off', 'y', 'n', 'True', 'FALSE', '~', 'null', 'Null', 'NULL', 'nUll', '017', '0o17', '0x1F', '0b101',
    '1_000', '+12', '-0', '.5', '1.', '1e3', '1E3', '.inf', '-.Inf', '.NaN', '2024-01-01', '2001-12-14t21:59:43.10-05:00', '12:30', '1:20:30',
    '0.1e+2', '0017', '08', '09.5', '"yes"', "'0o17'", '= x', '"\\x41"', '[1, yes, 0o7]', '{a: on}', '|\n  text\n', '>-\n  folded\n  text\n'];
  test.each(scalars)('the readers agree on %j', (scalar) => {
    const text = `apps:\n  - name: web\n    value: ${scalar}\n`;
    const fast = fastValues(text);
    if (fast) expect(fast).toEqual(slowValues(text));
  });

  test.each([
    ['a duplicate key', 'apps: []\napps: []\n'],
    ['a merge key', 'base: &b {port: 80}\napps:\n  - <<: *b\n    name: web\n'],
    ['an alias', 'x: &a web\napps: [{name: *a}]\n'],
    ['a tag', 'apps: !!seq []\n'],
    ['a directive', '%YAML 1.1\n---\napps: []\n'],
    ['two documents', 'apps: []\n---\napps: []\n'],
    ['a syntax error', 'apps: [\n'],
    ['an empty text', ''],
    ['a prototype key', 'apps: [{__proto__: {name: web}}]\n'],
  ])('%s is left to the position-keeping reader', (_what, text) => {
    expect(fastValues(text)).toBeUndefined();
  });
});
