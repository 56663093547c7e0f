import { chmodSync, readFileSync, lstatSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finishRelease } from '../src/engine/finish';
import { SpecError } from '../src/spec/problems';
import { parseSpec } from '../src/engine/load';
import { cli, tempDir } from './helpers';

const shop = (extra = '') => [
  '# the shop and its admin share an image through an anchor',
  'apps:',
  '  - name: shop   # storefront',
  '    namespace: shop',
  '    stable: { image: &base "shop:1.0", replicas: 3 }',
  '    canary: {image: shop:1.1}',
  `    stage: promote${extra}`,
  '  - name: admin',
  '    namespace: shop',
  '    stable: {image: *base}',
  '    canary: {image: "admin:2"}',
  '',
].join('\n');

function finish(text: string, app = 'shop'): string {
  return finishRelease(text, app, 'canary.yaml').text;
}

function problemOf(text: string, app = 'shop'): string {
  try {
    finish(text, app);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as SpecError).message;
  }
  throw new Error('finish did not refuse');
}

test('changes the named app only, splitting a shared anchor off and keeping the other app\'s value', () => {
  const result = finish(shop());
  expect(result).toBe(shop().replace('&base "shop:1.0"', '"shop:1.1"').replace('stage: promote', 'stage: baseline').replace('{image: *base}', '{image: &base "shop:1.0"}'));
  const [finished, admin] = parseSpec(result, 'canary.yaml').spec.apps;
  expect(finished.stable!.image).toBe('shop:1.1');
  expect(finished.stage).toBe('baseline');
  expect(admin.stable!.image).toBe('shop:1.0');
});

test('replaces an alias with the value, so the anchor keeps its value for the others', () => {
  const text = shop().replace('stage: promote', 'stage: baseline')
    .replace('  - name: admin\n    namespace: shop\n    stable: {image: *base}', '  - name: admin\n    namespace: shop\n    stable: {image: *base}\n    stage: promote')
    .replace('canary: {image: "admin:2"}', 'canary: {image: "admin:2"}');
  const result = finish(text, 'admin');
  expect(result).toContain('    stable: {image: admin:2}\n    stage: baseline');
  expect(result).toContain('stable: { image: &base "shop:1.0", replicas: 3 }');
});

test('adds stage on its own line when the app has none, in the file\'s line endings', () => {
  const text = shop().replace('\n    stage: promote', '').replace('  - name: admin', '    stages: [{ name: base, stableReplicas: 3, canaryReplicas: 0 }, { name: all, stableReplicas: 0, canaryReplicas: 3 }]\n  - name: admin');
  // No stage: the first, which has stable replicas; nothing to finish yet.
  expect(problemOf(text)).toBe('canary.yaml:3:5: "apps[0].stage" is "base": a release is finished only from a stage with all traffic on the canary (0 stable replicas), such as all');
  const atAll = text.replace('  - name: shop   # storefront\n', '  - name: shop   # storefront\n    stage: all\n');
  expect(finish(atAll)).toContain('  - name: shop   # storefront\n    stage: base\n');
  const crlf = text.replace(/\n/g, '\r\n').replace('  - name: shop   # storefront\r\n', '  - name: shop   # storefront\r\n    stage: all\r\n');
  const result = finish(crlf);
  expect(result.split('\r\n').length).toBe(crlf.split('\r\n').length);
  expect(result).not.toMatch(/[^\r]\n/);
});

test('a spec whose lines end in CR alone is refused, saying so, not as a merge key or an empty spec', () => {
  const cr = shop().replace(/\n/g, '\r');
  const line1 = shop().split('\n')[0].length + 1;
  expect(problemOf(cr)).toBe(`canary.yaml:1:${line1}: the spec has a line that ends in a carriage return alone (classic Mac OS line ends): convert its line ends to LF or CRLF`);
});

test('inserts stage into an app without one, after its first key; in a flow app, before the brace', () => {
  const text = 'apps:\n  - name: web # the web app\n    namespace: web\n    stable: {image: "web:1"}\n    canary: {image: "web:2"}\n    stages:\n      - {name: all, stableReplicas: 0, canaryReplicas: 3}\n      - {name: base, stableReplicas: 3, canaryReplicas: 0}\n';
  expect(finish(text, 'web')).toBe(text.replace('{image: "web:1"}', '{image: "web:2"}').replace('# the web app\n', '# the web app\n    stage: base\n'));
  const flow = 'apps:\n  - {name: web, namespace: web, stable: {image: "web:1"}, canary: {image: "web:2"}, stages: [{name: base, stableReplicas: 3, canaryReplicas: 0}, {name: all, stableReplicas: 0, canaryReplicas: 3}], stage: all}\n';
  expect(finish(flow, 'web')).toBe(flow.replace('stable: {image: "web:1"}', 'stable: {image: "web:2"}').replace('stage: all}', 'stage: base}'));
  const flowWithoutStage = 'apps:\n  - {name: web, namespace: web, stable: {image: "web:1"}, canary: {image: "web:2"}, stages: [{name: all, stableReplicas: 0, canaryReplicas: 3}, {name: base, stableReplicas: 3, canaryReplicas: 0}]}\n';
  expect(finish(flowWithoutStage, 'web')).toBe(flowWithoutStage.replace('{image: "web:1"}', '{image: "web:2"}').replace('canaryReplicas: 0}]}', 'canaryReplicas: 0}], stage: base}'));
});

test('keeps a byte order mark, comments and flow style', () => {
  const text = `\uFEFF${shop()}`;
  const result = finish(text);
  expect(result.startsWith('\uFEFF# the shop')).toBe(true);
  expect(result).toContain('  - name: shop   # storefront\n');
  expect(result).toContain('    stable: { image: "shop:1.1", replicas: 3 }\n');
});

test('refuses, with line and column, what it cannot edit in place or should not finish', () => {
  // An unknown app is a bad command line (exit 2), with the closest name.
  expect(() => finish(shop(), 'shpo')).toThrow('unknown app shpo: did you mean shop?');
  expect(problemOf(shop().replace('stage: promote', 'stage: canary'))).toBe(
    'canary.yaml:7:5: "apps[0].stage" is "canary": a release is finished only from a stage with all traffic on the canary (0 stable replicas), such as promote',
  );
  const sharedTrack = 'apps:\n  - name: a\n    namespace: a\n    stable: &track {image: "a:1"}\n    canary: {image: "a:2"}\n    stage: promote\n  - name: b\n    namespace: b\n    stable: *track\n    canary: {image: "b:2"}\n';
  expect(problemOf(sharedTrack, 'a')).toBe('canary.yaml:4:5: "apps[0].stable" is shared with other keys through an anchor or alias: write it out in full for this app, then finish');
  const noEnd = shop().replace('    stage: promote', '    stages: [{ name: tenth, canaryPercent: 10 }, { name: all, canaryPercent: 100 }]\n    stage: all');
  expect(problemOf(noEnd)).toMatch(/^canary\.yaml:7:5: "apps\[0\]\.stages" has no stage without canary pods for the release to end in/);
});

describe('through the CLI', () => {
  const dir = tempDir('finish');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('writes through a symlinked spec and keeps the file\'s mode', async () => {
    const real = join(dir, 'real.yaml');
    const link = join(dir, 'canary.yaml');
    writeFileSync(real, shop());
    chmodSync(real, 0o640);
    symlinkSync('real.yaml', link);
    const { code, out } = await cli('finish', 'shop', '-c', link);
    expect(code).toBe(0);
    expect(out).toBe('finish: shop now runs its canary\'s image and config on stable, at stage baseline; run cdk8s-canary synth, then apply baseline');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(real).mode & 0o777).toBe(0o640);
    expect(readFileSync(real, 'utf8')).toContain('stage: baseline');
  });

  test('a refusal leaves the spec byte for byte', async () => {
    const spec = join(dir, 'refused.yaml');
    writeFileSync(spec, shop().replace('stage: promote', 'stage: canary'));
    const { code, err } = await cli('finish', 'shop', '-c', spec);
    expect(code).toBe(1);
    expect(err.split('\n')[0]).toContain(`${spec}:7:5: "apps[0].stage" is "canary"`);
    expect(readFileSync(spec, 'utf8')).toBe(shop().replace('stage: promote', 'stage: canary'));
  });
});
