/**
 * Every committed stage file (the examples' that bring their own manifests too) passes the API server's own validation: `kubectl apply --server-side
 * --dry-run=server`, with the Gateway API and Istio CRDs installed and each file's namespace there
 * first (its own Namespace object, applied for real). The files are checked in namespaces of this
 * test's own (`<namespace>-dry`, their node ports left to the API server), so the objects that the
 * move tests apply at the same time, a verification Job whose pod template cannot change among
 * them, do not stand in the way.
 */
import { stringify } from 'yaml';
import { resolveSpec } from '../src/model/resolve';
import { routeParentRef } from '../src/model/routing';
import { SpecError } from '../src/spec/problems';
import type { ParentRefSpec } from '../src/spec/types';
import { committedFiles, inNamespace, namespacesOf, read } from './files';
import { kubectl } from './kube';

// The examples that bring their own manifests too: the real app's Deployment, the store's StatefulSet.
const files = committedFiles(['dist', 'examples/dist', 'examples/real-app/dist', 'examples/stateful/dist']);
const copy = (file: string) => {
  const text = read(file);
  const [namespace] = namespacesOf(text).used;
  return inNamespace(text, namespace, `${namespace}-dry`);
};

beforeAll(async () => {
  // A dry run creates nothing, so the namespaces come first: the files' own Namespace objects, and
  // a plain namespace for any other a file names.
  const created = files.flatMap((file) => namespacesOf(copy(file)).created);
  const byName = new Map(created.map((doc) => [doc.metadata.name, doc]));
  if (byName.size) await kubectl(['apply', '-f', '-'], [...byName.values()].map((doc) => stringify(doc)).join('---\n'));
  const used = new Set(files.flatMap((file) => namespacesOf(copy(file)).used));
  for (const name of used) if (!byName.has(name)) await kubectl(['create', 'namespace', name]).catch(() => undefined);
});

afterAll(async () => {
  const used = new Set(files.flatMap((file) => namespacesOf(copy(file)).used));
  for (const name of used) await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
});

test('the committed files are dist/ and examples/dist, each in one namespace', () => {
  expect(files.length).toBeGreaterThanOrEqual(30);
  expect(files).toContain('dist/nginx/stages/01-baseline.k8s.yaml');
  for (const file of files) expect(namespacesOf(read(file)).used).toHaveLength(1);
});

test.each(files)('%s passes a server-side dry run', async (file) => {
  const out = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], copy(file));
  expect(out).toMatch(/serverside-applied \(server dry run\)/);
});

// Argo CD's CRDs come from its module (scripts/cluster.sh): the API server validates each field of
// the copy-ready Application and ApplicationSet against their schemas; the control shows that a
// misspelled field is refused, not dropped.
test.each(['argocd-application.yaml', 'argocd-applicationset.yaml'])('examples/integrations/%s passes a strict server-side dry run against Argo CD\'s CRD', async (name) => {
  const text = read(`examples/integrations/${name}`);
  const out = await kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'], text);
  expect(out).toMatch(/argoproj\.io\/canary-releases|argoproj\.io\/nginx/);
  const misspelled = text.replace('selfHeal: true', 'selfheal: true');
  expect(misspelled).not.toEqual(text);
  await expect(kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'], misspelled)).rejects.toThrow(/\.syncPolicy\.automated\.selfheal: field not declared in schema/);
});

// The ApplicationSet synth writes for an app in waves (examples/waves.yaml), as written: the control
// shows a misspelled field of RollingSync is refused.
test.each(files.filter((file) => file.endsWith('/argocd/applicationset.k8s.yaml')))('%s passes a strict server-side dry run against Argo CD\'s CRD', async (file) => {
  const text = read(file);
  const out = await kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'], text);
  expect(out).toMatch(/^applicationset\.argoproj\.io\/[a-z0-9-]+ serverside-applied \(server dry run\)$/m);
  const misspelled = text.replace('rollingSync:', 'rollingsync:');
  expect(misspelled).not.toEqual(text);
  await expect(kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'], misspelled)).rejects.toThrow(/\.strategy\.rollingsync: field not declared in schema/);
});

// The parents of a Gateway API route, differentially: each list goes through synth's rules and, as
// the route would name them, to the API server (the Gateway API CRD's own rules), which must agree
// on the rules they share: one parent twice only by distinct sectionNames. synth refuses more (a
// group that is not its kind's, a track Service as the parent, hostnames on an east-west route): the
// CRD takes those, and the route would not do what it says.
describe('parentRefs: synth and the API server agree on the Gateway API CRD\'s rules', () => {
  const gateway = (sectionName?: string) => ({ name: 'gw', ...(sectionName ? { sectionName } : {}) });
  const service = (name = 'inventory', sectionName?: string) => ({ name, kind: 'Service', ...(sectionName ? { sectionName } : {}) });
  const synthRefuses = (parentRefs: object[]): boolean => {
    const spec = { apps: [{ name: 'inventory', namespace: 'default', service: { type: 'ClusterIP' }, stable: { image: 'nginx:1.22' }, canary: { image: 'nginx:1.23' }, routing: { gatewayApi: { parentRefs } } }] };
    try {
      resolveSpec(spec);
      return false;
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      return true;
    }
  };
  const serverRefuses = async (parentRefs: object[]): Promise<boolean> => {
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'parents', namespace: 'default' },
      spec: { parentRefs: parentRefs.map((ref) => routeParentRef(ref as ParentRefSpec)), rules: [{ backendRefs: [{ name: 'inventory-stable', port: 80 }] }] },
    };
    return kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'], JSON.stringify(route)).then(() => false, () => true);
  };
  test.each<[string, object[], boolean]>([
    ['one Gateway', [gateway()], false],
    ['two listeners of one Gateway', [gateway('http'), gateway('https')], false],
    ['a Gateway and a Service', [gateway(), service()], false],
    ['the app\'s Service, by port name', [service('inventory', 'http')], false],
    ['one Gateway twice', [gateway(), gateway()], true],
    ['one Gateway, once with a listener and once without', [gateway('https'), gateway()], true],
    ['one listener twice', [gateway('https'), gateway('https')], true],
    ['one Service twice', [service(), service()], true],
  ])('%s', async (_, parentRefs, refused) => {
    expect({ synth: synthRefuses(parentRefs), server: await serverRefuses(parentRefs) }).toEqual({ synth: refused, server: refused });
  });
});
