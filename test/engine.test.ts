/**
 * The engine a script calls runs what the CLI runs: synth writes, checks and leaves what is up to date;
 * plan, verify and finish take the same inputs and raise the same errors. (scripts/package-test.sh
 * drives the installed package's engine from a plain script too.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finish, plan, SpecError, synth, UsageError, verify } from '../src/engine';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-engine-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const spec = (image: string, stage = 'baseline') => `apps:
  - name: web
    namespace: shop
    stage: ${stage}
    stable: { image: web:1.0 }
    canary: { image: ${image} }
  - name: api
    namespace: shop
    stable: { image: api:1.0 }
    canary: { image: api:1.0 }
`;

test('synth writes every file, checks them, and writes again only the changed app\'s', async () => {
  const config = join(dir, 'canary.yaml');
  const output = join(dir, 'dist');
  writeFileSync(config, spec('web:1.1'));
  expect(await synth({ config, output })).toEqual({ check: false, apps: 2, written: 12, unchanged: 0, removed: 0 });
  expect(await synth({ config, output, check: true })).toEqual({ check: true, apps: 2, files: 12, report: [] });
  writeFileSync(config, spec('web:1.2'));
  const stale = await synth({ config, output, check: true });
  expect(stale.check && stale.report.length).toBeGreaterThan(0);
  // Only the files whose bytes change: web's stages that hold its canary's template; api's stay.
  const api = readFileSync(join(output, 'api', 'stages', '02-canary.k8s.yaml'), 'utf8');
  expect(await synth({ config, output })).toEqual({ check: false, apps: 2, written: 4, unchanged: 8, removed: 0 });
  expect(readFileSync(join(output, 'web', 'stages', '02-canary.k8s.yaml'), 'utf8')).toContain('image: web:1.2');
  expect(readFileSync(join(output, 'web', 'stages', '01-baseline.k8s.yaml'), 'utf8')).not.toContain('image: web:1.2');
  expect(readFileSync(join(output, 'api', 'stages', '02-canary.k8s.yaml'), 'utf8')).toBe(api);
});

test('a bad spec is a SpecError, and nothing is written', async () => {
  const config = join(dir, 'canary.yaml');
  writeFileSync(config, spec('web:1.1').replace('web:1.0', '""'));
  await expect(synth({ config, output: join(dir, 'dist') })).rejects.toThrow(SpecError);
  expect(() => readFileSync(join(dir, 'dist', 'web', 'current', 'web.k8s.yaml'))).toThrow();
});

test('plan, verify and finish take the CLI\'s inputs and raise its errors', async () => {
  const config = join(dir, 'canary.yaml');
  writeFileSync(config, spec('web:1.1', 'promote'));
  const text = await plan({ config, output: 'dist', apps: ['web'] });
  expect(text).toMatch(/^web: namespace shop/);
  expect(text).not.toContain('api: namespace');
  expect(JSON.parse(await plan({ config, output: 'dist', json: true })).apps.map((app: { name: string }) => app.name)).toEqual(['web', 'api']);
  await expect(plan({ config, output: 'dist', apps: ['wbe'] })).rejects.toThrow(new UsageError('unknown app wbe: did you mean web?'));
  await expect(verify({ config, app: 'web' })).rejects.toThrow(/web has no verify block/);
  expect(finish(config, 'web')).toEqual({ stage: 'baseline' });
  expect(readFileSync(config, 'utf8')).toContain('stable: { image: web:1.1 }');
});

test('a message names an option as the caller does: by its own name, or by the name the caller gives', async () => {
  const config = join(dir, 'canary.yaml');
  writeFileSync(config, spec('web:1.1'));
  await expect(synth({ config, output: 'out\nput' })).rejects.toThrow(new UsageError('output "out\\nput" holds a control or direction character: give a path without one'));
  await expect(plan({ config, output: 'out\nput', optionNames: { output: '--out-dir' } }))
    .rejects.toThrow(new UsageError('--out-dir "out\\nput" holds a control or direction character: give a path without one'));
  writeFileSync(config, spec('web:1.1', 'canary').replace('canary: { image: web:1.1 }', 'canary: { image: web:1.1 }\n    verify:\n      smoke: { path: /healthz }'));
  await expect(verify({ config, app: 'web', canaryUrl: 'localhost:8080' })).rejects.toThrow(/^canaryUrl must be an http:\/\/ or https:\/\/ URL/);
});

test('moving stage: rewrites only the app\'s current/ file; the stage files stay byte for byte, and a hand edit is still caught and repaired', async () => {
  const config = join(dir, 'canary.yaml');
  const output = join(dir, 'dist');
  writeFileSync(config, spec('web:1.1', 'baseline'));
  await synth({ config, output });
  const stageFile = join(output, 'web', 'stages', '02-canary.k8s.yaml');
  const before = readFileSync(stageFile);
  writeFileSync(config, spec('web:1.1', 'canary'));
  expect(await synth({ config, output })).toEqual({ check: false, apps: 2, written: 1, unchanged: 11, removed: 0 });
  expect(readFileSync(stageFile)).toEqual(before);
  expect(readFileSync(join(output, 'web', 'current', 'web.k8s.yaml'))).toEqual(before);
  expect(await synth({ config, output, check: true })).toEqual({ check: true, apps: 2, files: 12, report: [] });
  writeFileSync(stageFile, before.toString().replace('replicas: 1', 'replicas: 2'));
  const edited = await synth({ config, output, check: true });
  expect(edited.check && edited.report.join('\n')).toContain('web/stages/02-canary.k8s.yaml');
  expect(await synth({ config, output })).toMatchObject({ written: 1 });
  expect(readFileSync(stageFile)).toEqual(before);
});
