import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseManifests, type Manifest } from './cluster-rules';
import type { AppSpec } from '../src/spec';
import { loadSpec } from '../src/spec-load';
import { synthesize } from '../src/synth';

// The longest names the spec allows, a digest image and a long regular expression: the lines most
// likely to break yamllint's 80-column limit.
const long = 'a'.repeat(56);
const stress: AppSpec = {
  name: `l${long}123456`,
  namespace: `n${long}123456`,
  createNamespace: true,
  service: { name: `s${long.slice(1)}` },
  stable: { name: `st${long}12345`, image: `registry.example.com/team/${long}@sha256:${'0'.repeat(64)}` },
  canary: { name: `ca${long}12345`, image: `registry.example.com/team/${long}:v1.2.3-rc.4` },
  writablePaths: [`/var/${long}/${long}`],
  routing: {
    gatewayApi: { parentRefs: [{ name: `g${long}`, namespace: `gn${long}` }], hostnames: [`${long}.${long}.example.com`] },
    istio: { hosts: [`${long}.${long}.example.com`] },
    match: [{ header: `x-${long}`, regex: `^(${long}|${long})-[0-9]+$` }, { cookie: `c${long}`, value: long }],
  },
};
const files = [
  ...synthesize(loadSpec(`${__dirname}/../canary.yaml`).spec),
  ...synthesize(loadSpec(`${__dirname}/../examples/routing.yaml`).spec),
  ...synthesize({ apps: [stress] }),
].map((file) => ({ ...file, path: file.path }));

/** Every place below `value` that holds an empty object or list, except where emptiness is the value. */
function emptyPlaces(value: Manifest, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Object.entries(value);
  // `emptyDir: {}` is how Kubernetes spells an emptyDir volume with no limits: it is the volume type.
  if (!entries.length) return path.endsWith('.emptyDir') ? [] : [path];
  return entries.flatMap(([key, child]) => emptyPlaces(child, `${path}.${key}`));
}

// Fields that restate Kubernetes' default; none may appear in any object.
const DEFAULTS: [string, (doc: Manifest) => unknown][] = [
  ['spec.minReadySeconds', (d) => d.spec?.minReadySeconds],
  ['spec.progressDeadlineSeconds', (d) => d.spec?.progressDeadlineSeconds],
  ['spec.strategy', (d) => d.spec?.strategy],
  ['pod dnsPolicy', (d) => d.spec?.template?.spec.dnsPolicy],
  ['pod hostNetwork', (d) => d.spec?.template?.spec.hostNetwork],
  ['pod restartPolicy', (d) => d.spec?.template?.spec.restartPolicy],
  ['pod setHostnameAsFQDN', (d) => d.spec?.template?.spec.setHostnameAsFQDN],
  ['pod terminationGracePeriodSeconds', (d) => d.spec?.template?.spec.terminationGracePeriodSeconds],
  ['pod fsGroupChangePolicy', (d) => d.spec?.template?.spec.securityContext?.fsGroupChangePolicy],
  ['container imagePullPolicy', (d) => d.spec?.template?.spec.containers[0].imagePullPolicy],
  ['container privileged', (d) => d.spec?.template?.spec.containers[0].securityContext.privileged],
  ['probe failureThreshold', (d) => d.spec?.template?.spec.containers[0].readinessProbe.failureThreshold],
  ['Service externalIPs', (d) => d.spec?.externalIPs],
];

describe.each(files.map((file) => [file.path, file.content]))('%s', (_path, content) => {
  const docs = parseManifests(content);

  test('holds no empty object or list', () => {
    expect(docs.length).toBeGreaterThanOrEqual(2);
    expect(docs.flatMap((doc) => emptyPlaces(doc).map((place) => `${doc.kind}/${doc.metadata.name}${place}`))).toEqual([]);
  });

  test('restates no Kubernetes default, and says false only where true is the default', () => {
    for (const doc of docs) for (const [field, get] of DEFAULTS) expect([field, get(doc)]).toEqual([field, undefined]);
    const falses = [...content.matchAll(/^\s*(?:- )?([A-Za-z]+): false$/gm)].map((match) => match[1]);
    expect(new Set(falses)).toEqual(new Set(falses.length ? ['automountServiceAccountToken', 'allowPrivilegeEscalation'] : []));
    for (const doc of docs.filter((d) => d.kind === 'Deployment')) {
      expect(doc.spec.template.spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(doc.spec.template.spec.containers[0].readinessProbe.tcpSocket).toBeDefined();
      expect(doc.spec.template.spec.containers[0].resources.requests).toBeDefined();
    }
  });
});

test('every file passes yamllint with its default configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-lint-'));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  let version: string;
  try {
    version = execFileSync('yamllint', ['--version'], { encoding: 'utf8' });
  } catch {
    throw new Error('yamllint is not installed: apt-get install yamllint (.ci/run installs it)');
  }
  expect(version).toMatch(/^yamllint \d/);
  // --strict: warnings (such as a missing document start) fail too.
  const run = () => execFileSync('yamllint', ['--strict', '--format', 'parsable', dir], { encoding: 'utf8' });
  expect(run).not.toThrow();
  expect(files.some((file) => file.content.includes('# yamllint disable-line rule:line-length'))).toBe(true);
});
