/**
 * Every committed stage file passes the API server's own validation: `kubectl apply --server-side
 * --dry-run=server`, with the Gateway API and Istio CRDs installed and each file's namespaces there.
 */
import { stringify } from 'yaml';
import { committedFiles, namespacesOf, read } from './files';
import { kubectl } from './kube';

const files = committedFiles();

beforeAll(async () => {
  // A dry run creates nothing, so the namespaces come first: the files' own Namespace objects, and
  // a plain namespace for any other a file names.
  const created = files.flatMap((file) => namespacesOf(read(file)).created);
  const byName = new Map(created.map((doc) => [doc.metadata.name, doc]));
  if (byName.size) await kubectl(['apply', '-f', '-'], [...byName.values()].map((doc) => stringify(doc)).join('---\n'));
  const used = new Set(files.flatMap((file) => namespacesOf(read(file)).used));
  for (const name of used) if (!byName.has(name)) await kubectl(['create', 'namespace', name]).catch(() => undefined);
});

test('the committed files are dist/ and examples/dist', () => {
  expect(files.length).toBeGreaterThanOrEqual(30);
  expect(files).toContain('dist/nginx/stages/01-baseline.k8s.yaml');
});

// --force-conflicts: other test files apply the same objects with kubectl's client-side apply; the
// question here is whether the API server accepts the file, not who owns which field.
test.each(files)('%s passes a server-side dry run', async (file) => {
  const out = await kubectl(['apply', '--server-side', '--force-conflicts', '--dry-run=server', '-f', '-'], read(file));
  expect(out).toMatch(/serverside-applied \(server dry run\)/);
});
