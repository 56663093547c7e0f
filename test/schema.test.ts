import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkSchema, schemaChecker } from '../src/spec/schema';
import { outputOf, PROCESS_TEST_TIMEOUT, root, runCommand, tempDir } from './helpers';

const generate = (source: string, target: string, validator = join(dirname(target), 'validate.js')) =>
  outputOf(runCommand([process.execPath, join(root, 'scripts', 'generate-schema.js'), source, target, validator], { cwd: root }), 'generate-schema.js');

test('the shipped schema and its compiled validators are what src/spec/types.ts generates', () => {
  const dir = tempDir('schema');
  try {
    generate(join(root, 'src', 'spec', 'types.ts'), join(dir, 'schema.json'), join(dir, 'validate.js'));
    expect(readFileSync(join(dir, 'schema.json'), 'utf8')).toBe(readFileSync(join(root, 'schema', 'canary-spec.schema.json'), 'utf8'));
    expect(readFileSync(join(dir, 'validate.js'), 'utf8')).toBe(readFileSync(join(root, 'schema', 'canary-spec.validate.js'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, PROCESS_TEST_TIMEOUT);

test('the compiled validators find what Ajv finds compiling the schema now', () => {
  const compiled = schemaChecker(JSON.parse(readFileSync(join(root, 'schema', 'canary-spec.schema.json'), 'utf8')));
  const app = { name: 'web', namespace: 'shop', stable: { image: 'web:1' }, canary: { image: 'web:2' } };
  const cases: [unknown, ('AppSpec' | 'HttpUrl')?][] = [
    [{ apps: [app] }],
    [{ apps: [] }],
    [{ apps: [{ ...app, name: 'Web', port: 70000, stable: { image: '', replicas: -1 }, colour: 'blue' }], extra: 1 }],
    [{ ...app, service: { type: 'Nodeport' }, stages: [{ name: 'x', canaryWeight: 120 }] }, 'AppSpec'],
    ['ftp://example', 'HttpUrl'],
    ['http://prometheus.monitoring.svc:9090', 'HttpUrl'],
  ];
  const found = cases.map(([data, definition]) => checkSchema(data, definition));
  expect(found.map((problems) => problems.length)).toEqual([0, 1, 6, 2, 1, 0]);
  expect(found).toEqual(cases.map(([data, definition]) => compiled(data, definition)));
});

test('a rule changed in the types changes the schema and the message together', () => {
  const dir = tempDir('schema');
  try {
    const spec = readFileSync(join(root, 'src', 'spec', 'types.ts'), 'utf8');
    const changed = spec
      .replace(' * A replica count.\n * @asType integer\n * @minimum 0\n * @maximum 1000', ' * A replica count.\n * @asType integer\n * @minimum 0\n * @maximum 500')
      .replace('@message must be a DNS-1123 label: lowercase letters', '@message must be a short DNS-1123 label: lowercase letters');
    expect(changed).not.toBe(spec);
    writeFileSync(join(dir, 'spec.ts'), changed);
    generate(join(dir, 'spec.ts'), join(dir, 'schema.json'));
    const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'));
    expect(schema.definitions.ReplicaCount).toMatchObject({ type: 'integer', minimum: 0, maximum: 500 });
    const check = schemaChecker(schema);
    const app = { name: 'Web', namespace: 'shop', stable: { image: 'web:1', replicas: 700 }, canary: { image: 'web:2' } };
    expect(check({ apps: [app] }).map((problem) => `${problem.path.join('.')} ${problem.message}`)).toEqual([
      'apps.0.name is "Web": must be a short DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit',
      'apps.0.stable.replicas is 700: must be a whole number from 0 to 500',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, PROCESS_TEST_TIMEOUT);

test('every problem of a spec at once, in the order of the file: shape problems beside another app\'s rule problems, a close enum value named', async () => {
  const { cli } = await import('./helpers');
  const dir = tempDir('problems');
  try {
    const spec = join(dir, 'canary.yaml');
    writeFileSync(spec, [
      'apps:',
      '  - name: web',
      '    namespace: web',
      '    stage: canery',
      '    stable: { image: "web:1", replicas: -1 }',
      '    canary: { image: "web:2" }',
      '    service: { type: ClusterIp }',
      '    profile: restricted',
      '  - name: api',
      '    namespace: api',
      '    stage: promot',
      '    stable: { image: "api:1" }',
      '    canary: { image: "api:2" }',
      '',
    ].join('\n'));
    const result = await cli('synth', '-c', spec, '-o', join(dir, 'dist'));
    expect(result.code).toBe(1);
    expect(result.err.split('\n').map((line) => line.replace(/ allowed keys here are .*/, ''))).toEqual([
      `${spec}:4:5: "apps[0].stage" is "canery": did you mean canary? must be a stage of the default plan: baseline, mirror, canary, expand, promote, rollback`,
      `${spec}:5:31: "apps[0].stable.replicas" is -1: must be a whole number from 0 to 1000`,
      `${spec}:7:16: "apps[0].service.type" is "ClusterIp": did you mean ClusterIP? must be one of NodePort, ClusterIP, LoadBalancer`,
      `${spec}:8:5: "apps[0].profile" is not a known key:`,
      `${spec}:11:5: "apps[1].stage" is "promot": did you mean promote? must be a stage of the plan: baseline, canary, expand, promote, rollback`,
    ]);
    // The construct road tells the same at once.
    const { resolveApp } = await import('../src/model/resolve');
    expect(() => resolveApp({ name: 'web', namespace: 'web', stage: 'canery', stable: { image: 'web:1', replicas: -1 }, canary: { image: 'web:2' }, stages: [{ name: 'one', stableReplicas: 1, canaryReplicas: 0 }] }, { at: [] }))
      .toThrow('"stage" is "canery": must be a stage of the plan: one, rollback');
    // --check on an empty folder: every file missing, in the folder's order.
    writeFileSync(spec, 'apps:\n  - { name: web, namespace: web, stable: { image: "web:1" }, canary: { image: "web:2" } }\n  - { name: api, namespace: api, stable: { image: "api:1" }, canary: { image: "api:2" } }\n');
    const check = await cli('synth', '--check', '-c', spec, '-o', join(dir, 'empty'));
    const missing = check.err.split('\n').filter((line) => line.startsWith('missing: '));
    expect(missing).toHaveLength(12);
    expect(missing[0]).toBe(`missing: ${join(dir, 'empty', 'api', 'current', 'api.k8s.yaml')}`);
    expect(missing).toEqual([...missing].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
