import { relative } from 'node:path';
import type { Document, LineCounter, Node } from 'yaml';
import { readInsideFolder } from './config-files';
import { formatValue, type Problem, type SpecPath } from './problems';
import { checkSchema } from './schema';

/** The Deployment and Service a `from` file holds, as plain data, cleaned of what the API server writes. */
export interface WorkloadFile {
  readonly deployment: { [key: string]: any };
  readonly service?: { [key: string]: any };
}

/** The largest `from` file read: far above any app's manifests. */
const MAX_WORKLOAD_FILE_BYTES = 4 * 1024 * 1024;

// What the API server writes into an object: not the user's, and never applied back.
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'ownerReferences', 'deletionTimestamp'];
const SERVER_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];

/** An object as the user wrote it: without its status and the metadata the API server adds. */
function cleaned(object: { [key: string]: any }): { [key: string]: any } {
  const { status: _status, metadata = {}, ...rest } = object;
  const meta = Object.fromEntries(Object.entries(metadata as Record<string, unknown>).filter(([key]) => !SERVER_METADATA.includes(key)));
  const annotations = Object.entries((metadata as { annotations?: Record<string, string> }).annotations ?? {})
    .filter(([key]) => !SERVER_ANNOTATIONS.includes(key));
  if ('annotations' in meta) meta.annotations = Object.fromEntries(annotations);
  if (annotations.length === 0) delete meta.annotations;
  return { ...rest, metadata: meta };
}

// Loaded only for a `from` file: resolving construct props needs no YAML parser.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = () => require('yaml') as typeof import('yaml');

/** The YAML node at `path` in a document, or the deepest one that exists, for a line and column. */
function position(doc: Document, lines: LineCounter, path: SpecPath): { line: number; column: number } | undefined {
  const { isMap, isScalar, isSeq } = yaml();
  let node: unknown = doc.contents;
  for (const [i, part] of path.entries()) {
    const pair = isMap(node) ? node.items.find((item) => isScalar(item.key) && item.key.value === part) : undefined;
    // A field's own place is its key's.
    const next: unknown = pair ? (i === path.length - 1 ? pair.key : pair.value) : isSeq(node) && typeof part === 'number' ? node.items[part] : undefined;
    if (!next) break;
    node = next;
  }
  const range = (node as Node | undefined)?.range;
  if (!range) return undefined;
  const { line, col } = lines.linePos(range[0]);
  return { line, column: col };
}

interface Found {
  readonly object: { [key: string]: any };
  readonly doc: Document;
  /** Where the object stands in its document: `[]`, or `['items', 3]` in a List. */
  readonly at: SpecPath;
}

/** The objects of every document, a List's items each on its own. */
/**
 * The value with every key whose value is null left out, at any depth: `helm template` writes an empty
 * `annotations:` or `envFrom:`, which the API server reads as absent. A null in a list stays, for the
 * schema to refuse, as the API server does.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== null).map(([key, each]) => [key, withoutNulls(each)]));
}

function objectsOf(docs: readonly Document[]): Found[] {
  return docs.flatMap((doc) => {
    const object = withoutNulls(doc.toJS());
    if (object === null || typeof object !== 'object' || Array.isArray(object)) return [];
    const typed = object as { kind?: unknown; items?: unknown };
    if (typed.kind === 'List' && Array.isArray(typed.items)) {
      return typed.items.map((item, i) => ({ object: item as { [key: string]: any }, doc, at: ['items', i] }));
    }
    return [{ object: typed as { [key: string]: any }, doc, at: [] }];
  });
}

/** Whether a Service's selector picks a Deployment's pods. */
function selects(service: { [key: string]: any }, deployment: { [key: string]: any }): boolean {
  const selector: Record<string, string> = service.spec?.selector ?? {};
  const labels: Record<string, string> = deployment.spec?.template?.metadata?.labels ?? {};
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/**
 * Reads an app's `from` file: multi-document YAML, or a List, inside the spec's folder. It must hold
 * exactly one Deployment; of its Services, the one that selects the Deployment's pods is taken. Other
 * objects are left out, each with a note. Both objects are checked against the Kubernetes API's
 * schema; a problem in the file names the file, its line and column, and the field.
 */
export function readWorkloadFile(given: string, at: SpecPath, baseDir: string): { readonly file?: WorkloadFile; readonly problems: Problem[]; readonly notes: Problem[] } {
  const where = [...at, 'from'];
  const read = readInsideFolder(baseDir, given, MAX_WORKLOAD_FILE_BYTES);
  if ('problem' in read) return { problems: [{ path: where, message: read.problem }], notes: [] };
  const source = relative(process.cwd(), read.path) || read.path;
  const { LineCounter: Lines, parseAllDocuments } = yaml();
  const lines = new Lines();
  const docs = parseAllDocuments(read.bytes.toString('utf8'), { lineCounter: lines, prettyErrors: false });
  const syntax = docs.flatMap((doc) => doc.errors).map((error) => ({ path: [], message: `YAML syntax error: ${error.message.split('\n')[0]}`, source, ...lines.linePos(error.pos[0]) }));
  if (syntax.length) return { problems: syntax.map(({ col, ...rest }) => ({ ...rest, column: col })), notes: [] };
  const found = objectsOf(docs);
  const deployments = found.filter(({ object }) => object.kind === 'Deployment');
  if (deployments.length !== 1) {
    const rollout = found.find(({ object }) => object.kind === 'Rollout' && String(object.apiVersion).startsWith('argoproj.io/'));
    // An Argo Rollouts Rollout carries a Deployment's pod template; only its strategy is its own.
    const hint = deployments.length === 0 && rollout
      ? `; it holds an Argo Rollouts Rollout${rollout.object.metadata?.name ? ` (${formatValue(rollout.object.metadata.name)})` : ''}, whose spec.template is a pod template: give that as podTemplate, or make the Rollout a Deployment (apiVersion apps/v1, kind Deployment, without the Rollout's spec.strategy and spec.workloadRef)`
      : '';
    return { problems: [{ path: where, message: `is ${formatValue(given)}: ${source} holds ${deployments.length} Deployments; it must hold exactly one, the app's${hint}` }], notes: [] };
  }
  const [deployment] = deployments;
  const services = found.filter(({ object }) => object.kind === 'Service');
  const chosen = services.length === 1 ? services : services.filter(({ object }) => selects(object, deployment.object));
  if (chosen.length > 1) {
    return { problems: [{ path: where, message: `is ${formatValue(given)}: ${source} holds ${chosen.length} Services that select the Deployment's pods; keep the app's one` }], notes: [] };
  }
  const taken = [deployment, ...chosen];
  const located = (problem: Problem, object: Found): Problem => ({ ...problem, source, ...position(object.doc, lines, [...object.at, ...problem.path]) });
  const problems = taken.flatMap((object) => checkSchema(object.object, object === deployment ? 'KubernetesDeployment' : 'KubernetesService')
    .map((problem) => located(problem, object)));
  const notes = found.filter((object) => !taken.includes(object)).map((object) => located({
    path: [],
    message: `${object.object.kind ?? 'an object without a kind'} ${object.object.metadata?.name ?? ''} is left out: only the app's Deployment and Service are taken`.replace(/ +/g, ' '),
  }, object));
  if (problems.length) return { problems, notes };
  return { file: { deployment: cleaned(deployment.object), ...(chosen.length ? { service: cleaned(chosen[0].object) } : {}) }, problems: [], notes };
}
