import { outputOf, PROCESS_TEST_TIMEOUT, root, runCommand } from './helpers';

test('the npm tarball holds the library, its types and jsii assembly, the schema and the bin, and nothing generated for tests', () => {
  const [pack] = JSON.parse(outputOf(runCommand(['npm', 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root }), 'npm pack'));
  const paths: string[] = pack.files.map((file: { path: string }) => file.path);
  expect(paths).toEqual(expect.arrayContaining([
    'lib/index.js', 'lib/index.d.ts', 'lib/constructs/canary-app.js', 'lib/constructs/canary-app.d.ts', 'lib/cli/main.js',
    'schema/canary-spec.schema.json', 'bin/cdk8s-canary.js', 'package.json', 'README.md',
    '.jsii', 'API.md', 'engine.js', 'engine.d.ts', 'lib/engine/index.js',
  ]));
  expect(paths.filter((path) => /^(src|test|dist|__snapshots__)\//.test(path))).toEqual([]);
}, PROCESS_TEST_TIMEOUT);
