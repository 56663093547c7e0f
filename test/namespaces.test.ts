import { resolveSpec } from '../src/model/resolve';
import { SecurityProfile, type AppSpec } from '../src/spec/types';
import { synthesize } from '../src/render/synth';
import { parseManifests } from './cluster-rules';
import { cli, tempDir } from './helpers';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

const app = (name: string, extra: Partial<AppSpec> = {}): AppSpec => ({
  name, namespace: 'team', stable: { image: `${name}:1` }, canary: { image: `${name}:2` }, ...extra,
});

/** Kind/name of every object in every file of an app. */
function objectsOf(files: ReturnType<typeof synthesize>, appName: string): Set<string> {
  return new Set(files.filter((file) => file.path.startsWith(`${appName}/`))
    .flatMap((file) => parseManifests(file.content).map((doc) => `${doc.kind}/${doc.metadata.name}`)));
}

test('a namespace several apps create is emitted once, by the first of them', () => {
  const apps = [app('a'), app('b', { createNamespace: true }), app('c', { createNamespace: true }), app('d', { namespace: 'other', createNamespace: true })];
  expect(resolveSpec({ apps }).apps.map((each) => each.createsNamespace)).toEqual([false, true, false, true]);
  const files = synthesize({ apps });
  expect(objectsOf(files, 'a').has('Namespace/team')).toBe(false);
  expect(objectsOf(files, 'b').has('Namespace/team')).toBe(true);
  expect(objectsOf(files, 'c').has('Namespace/team')).toBe(false);
  expect(objectsOf(files, 'd').has('Namespace/other')).toBe(true);
  const namespaces = files.filter((file) => file.path.includes('/stages/')).flatMap((file) => parseManifests(file.content)).filter((doc) => doc.kind === 'Namespace');
  // b's and d's 5 stage files each.
  expect(namespaces).toHaveLength(10);
});

test('by default no Namespace is emitted: the namespace is not relabelled', () => {
  const files = synthesize({ apps: [app('a')] });
  expect([...objectsOf(files, 'a')].filter((object) => object.startsWith('Namespace/'))).toEqual([]);
});

test('the Namespace carries its Pod Security level and is never pruned by Argo CD', () => {
  const files = synthesize({ apps: [app('a', { createNamespace: true, securityProfile: SecurityProfile.BASELINE })] });
  const namespace = parseManifests(files[0].content).find((doc) => doc.kind === 'Namespace');
  expect(namespace.metadata).toEqual({
    name: 'team',
    labels: { 'pod-security.kubernetes.io/enforce': 'baseline' },
    annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' },
  });
});

test('plan says who creates each app\'s namespace', async () => {
  const dir = tempDir('ns');
  try {
    const spec = join(dir, 'canary.yaml');
    writeFileSync(spec, stringify({ apps: [app('a'), app('b', { createNamespace: true }), app('c', { createNamespace: true }), app('d', { namespace: 'other' })] }));
    const { code, out } = await cli('plan', '-c', spec);
    expect(code).toBe(0);
    const headers = out.split('\n').filter((line) => /^[a-d]: /.test(line)).map((line) => line.slice(0, line.indexOf(', Service')));
    expect(headers).toEqual([
      "a: namespace team (created by b's files)",
      'b: namespace team (created by these files)',
      "c: namespace team (created by b's files)",
      'd: namespace other (not created here: it must exist)',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
