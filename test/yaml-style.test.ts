import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseManifests, type Manifest } from './cluster-rules';
import { outputOf, PROCESS_TEST_TIMEOUT, runCommand, tempDir } from './helpers';
import type { AppSpec } from '../src/spec/types';
import { loadSpec } from '../src/engine/load';
import { synthesize } from '../src/render/synth';

// The longest names the spec allows, a digest image and a long regular expression: the lines most
// likely to break yamllint's 80-column limit.
const long = 'a'.repeat(56);
const LONG_FILE = `short line\n${'x'.repeat(120)}\n    # an indented comment ${'y'.repeat(90)}\n\nlast: line\n`;
const stress: AppSpec = {
  name: `l${long}123456`,
  namespace: `n${long}123456`,
  createNamespace: true,
  service: { name: `s${long.slice(1)}` },
  stable: {
    name: `st${long}12345`,
    image: `registry.example.com/team/${long}@sha256:${'0'.repeat(64)}`,
    config: { mountPath: '/etc/long', files: { 'long.conf': { content: LONG_FILE } } },
  },
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
  // A Job's pods must say Never or OnFailure: Always, the default, is refused for them.
  ['pod restartPolicy', (d) => (d.kind === 'Job' ? undefined : d.spec?.template?.spec.restartPolicy)],
  ['pod setHostnameAsFQDN', (d) => d.spec?.template?.spec.setHostnameAsFQDN],
  ['pod terminationGracePeriodSeconds', (d) => d.spec?.template?.spec.terminationGracePeriodSeconds],
  ['pod fsGroupChangePolicy', (d) => d.spec?.template?.spec.securityContext?.fsGroupChangePolicy],
  ['container imagePullPolicy', (d) => d.spec?.template?.spec.containers[0].imagePullPolicy],
  ['container privileged', (d) => d.spec?.template?.spec.containers[0].securityContext.privileged],
  ['probe failureThreshold', (d) => d.spec?.template?.spec.containers[0].readinessProbe?.failureThreshold],
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

test('names and values that YAML 1.1 reads as booleans, numbers or dates stay strings for kubectl', () => {
  // Each is a valid DNS label, label value or header value; unquoted, YAML 1.1 turns it into another type.
  const app: AppSpec = {
    name: 'yes', namespace: 'on', createNamespace: true, service: { name: 'off' },
    stable: { name: 'no', image: 'registry.example.com/y:1' }, canary: { name: 'n', image: 'registry.example.com/y:2' },
    routing: {
      istio: { hosts: ['y'] },
      match: [{ header: 'x-flag', value: 'true' }, { header: 'x-count', value: '1_000' }, { cookie: 'since', value: '2001-01-01' }, { header: 'x-o', value: '0o14' }],
    },
  };
  const docs = synthesize({ apps: [app] }).flatMap((file) => parseManifests(file.content));
  const namespace = docs.find((doc) => doc.kind === 'Namespace');
  expect(namespace.metadata.name).toBe('on');
  for (const doc of docs.filter((each) => each.kind !== 'Namespace')) expect(doc.metadata.namespace).toBe('on');
  const deployments = docs.filter((doc) => doc.kind === 'Deployment').map((doc) => doc.metadata.name);
  expect(new Set(deployments)).toEqual(new Set(['no', 'n']));
  expect(docs.find((doc) => doc.kind === 'Service').metadata.name).toBe('off');
  const services = docs.filter((doc) => doc.kind === 'VirtualService');
  for (const service of services) expect(service.spec.hosts).toEqual(['y']);
  const matches = JSON.stringify(services.map((service) => service.spec.http[0].match));
  for (const value of ['"exact":"true"', '"exact":"1_000"', 'since=2001-01-01(;', '"exact":"0o14"']) expect(matches).toContain(value);
  expect(docs.find((doc) => doc.kind === 'Deployment').metadata.labels['app.kubernetes.io/name']).toBe('yes');
});

test('a config file with long lines arrives byte for byte: the yamllint comments stay outside its block', () => {
  const maps = files.filter((file) => file.path.startsWith('l')).flatMap((file) => parseManifests(file.content))
    .filter((doc) => doc.kind === 'ConfigMap' && doc.metadata.labels['app.kubernetes.io/component'] === 'config');
  expect(maps.length).toBeGreaterThan(0);
  for (const map of maps) expect(map.data).toEqual({ 'long.conf': LONG_FILE });
  const content = files.find((file) => file.path.startsWith('l'))!.content;
  expect(content).toContain('  # yamllint disable rule:line-length\n  long.conf: |\n    short line\n');
  expect(content).toContain('    last: line\n  # yamllint enable rule:line-length\n');
});

test('every file passes yamllint with its default configuration', () => {
  const dir = tempDir('lint');
  try {
    for (const file of files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.content);
    }
    const version = runCommand(['yamllint', '--version']);
    if (version.error?.code === 'ENOENT') throw new Error('yamllint is not installed: apt-get install yamllint (.ci/run installs it)');
    expect(outputOf(version, 'yamllint --version')).toMatch(/^yamllint \d/);
    // --strict: warnings (such as a missing document start) fail too; each problem is a line of its output.
    const lint = runCommand(['yamllint', '--strict', '--format', 'parsable', dir]);
    expect(lint.stdout).toBe('');
    expect(lint.status).toBe(0);
    expect(files.some((file) => file.content.includes('# yamllint disable-line rule:line-length'))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, PROCESS_TEST_TIMEOUT);
