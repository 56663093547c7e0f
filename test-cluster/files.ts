/** The committed stage files, a stage file moved to a namespace of a test's own, and files for a move's steps. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { stringify } from 'yaml';
import { parseManifests, type Manifest } from '../test/cluster-rules';

const root = join(__dirname, '..');

/** Every file under dist/ and examples/dist (or under `folders`), relative to the repository. */
export function committedFiles(folders: readonly string[] = ['dist', 'examples/dist']): string[] {
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.yaml') ? [join(dir, entry.name)] : []);
  return folders.flatMap((folder) => walk(join(root, folder))).map((file) => relative(root, file)).sort();
}

export const read = (file: string): string => readFileSync(join(root, file), 'utf8');

/** The namespaces a file's objects live in, and those it creates. */
export function namespacesOf(text: string): { used: string[]; created: Manifest[] } {
  const docs = parseManifests(text).filter(Boolean);
  return {
    used: [...new Set(docs.flatMap((doc) => (doc.metadata?.namespace ? [doc.metadata.namespace] : [])))],
    created: docs.filter((doc) => doc.kind === 'Namespace'),
  };
}

/** The file with each of its objects that `keep` keeps passed through `edit`, which changes it in place. */
export function editObjects(text: string, edit: (doc: Manifest) => void, keep: (doc: Manifest) => boolean = () => true): string {
  return parseManifests(text).filter(Boolean).filter(keep).map((doc) => {
    edit(doc);
    // As kubectl reads it (YAML 1.1): "yes" and "on" stay strings.
    return stringify(doc, { version: '1.1' });
  }).join('---\n');
}

/**
 * The file with its Namespace and every object in it moved from namespace `from` to `to`, and what
 * names the namespace inside them (a RoleBinding's subjects, the endpoint check's input). A fixed
 * node port is one per cluster: the copy's Services get one the API server picks.
 */
export function inNamespace(text: string, from: string, to: string): string {
  return editObjects(text, (doc) => {
    if (doc.kind === 'Namespace' && doc.metadata.name === from) doc.metadata.name = to;
    if (doc.metadata?.namespace === from) doc.metadata.namespace = to;
    if (doc.kind === 'Service') for (const port of doc.spec.ports ?? []) delete port.nodePort;
    if (doc.kind === 'RoleBinding') for (const subject of doc.subjects) if (subject.namespace === from) subject.namespace = to;
    // The Jobs that read the API server name the namespace in their input.
    if (doc.kind === 'Job' && ['endpoint-check', 'revert'].includes(doc.metadata.labels['app.kubernetes.io/component'])) {
      editEndpointChecks(doc, (checks) => { if (checks.namespace === from) checks.namespace = to; });
    }
  });
}

/** The input (first argument) of a Job that reads the API server, the endpoint check's or a revert's, changed in place by `edit`. */
export function editEndpointChecks(job: Manifest, edit: (checks: Manifest) => void): void {
  const [container] = job.spec.template.spec.containers;
  const checks = JSON.parse(container.args[0]);
  edit(checks);
  container.args[0] = JSON.stringify(checks);
}

/** The file with the pod template of the Deployment `name` given `annotations` besides its own. */
export function withPodAnnotations(text: string, name: string, annotations: Record<string, string>): string {
  return editObjects(text, (doc) => {
    if (doc.kind !== 'Deployment' || doc.metadata.name !== name) return;
    const metadata = (doc.spec.template.metadata ??= {});
    metadata.annotations = { ...metadata.annotations, ...annotations };
  });
}

/** Runs `use` in a folder with the files at the paths the steps name; the folder is removed when it is done. */
export async function withFiles<T>(paths: ReadonlyMap<string, string>, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-move-'));
  try {
    for (const [path, content] of paths) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
