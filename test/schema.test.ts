import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaChecker } from '../src/schema-messages';

const root = join(__dirname, '..');
const generate = (source: string, target: string) =>
  execFileSync(process.execPath, [join(root, 'scripts', 'generate-schema.js'), source, target], { cwd: root });

test('the shipped schema is what src/spec.ts generates', () => {
  const target = join(mkdtempSync(join(tmpdir(), 'cdk8s-canary-schema-')), 'schema.json');
  generate(join(root, 'src', 'spec.ts'), target);
  expect(readFileSync(target, 'utf8')).toBe(readFileSync(join(root, 'schema', 'canary-spec.schema.json'), 'utf8'));
}, 60_000);

test('a rule changed in the types changes the schema and the message together', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-schema-'));
  try {
    const spec = readFileSync(join(root, 'src', 'spec.ts'), 'utf8');
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
}, 60_000);
