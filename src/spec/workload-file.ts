import { relative } from 'node:path';
import type { Document, LineCounter, Node } from 'yaml';
import { utf8Text } from '../io/bounded-read';
import { readInsideFolder } from './config-files';
import { formatValue, printable, type Problem, type SpecPath } from './problems';
import { checkSchema } from './schema';
import type { AppSpec } from './types';

/** The workload (a Deployment or a StatefulSet) and Services a `from` file holds, as plain data, cleaned of what the API server writes. */
export interface WorkloadFile {
  /** The app's Deployment or StatefulSet (see its `kind`). */
  readonly deployment: { [key: string]: any };
  readonly service?: { [key: string]: any };
  /** A StatefulSet's headless Service, the one its `serviceName` names, where the files hold it. */
  readonly headless?: { [key: string]: any };
}

/** The kinds of workload a `from` file may hold for the app. */
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'];

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
  /** The file, as a message names it, and its lines. */
  readonly source: string;
  readonly lines: LineCounter;
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

function objectsOf(docs: readonly Document[]): Omit<Found, 'source' | 'lines'>[] {
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

/** The `stable:` keys that give the app what a HorizontalPodAutoscaler of the file says, or nothing it says. */
function autoscalingKeys(hpa: { [key: string]: any }): string {
  const metrics: { [key: string]: any }[] = Array.isArray(hpa.spec?.metrics) ? hpa.spec.metrics : [];
  const utilization = (name: string) => metrics.find((metric) => metric.type === 'Resource' && metric.resource?.name === name)?.resource?.target?.averageUtilization;
  const keys = [
    ['maxReplicas', hpa.spec?.maxReplicas],
    ['cpuUtilization', utilization('cpu')],
    ['memoryUtilization', utilization('memory')],
  ].filter(([, value]) => typeof value === 'number').map(([key, value]) => `${key}: ${value}`);
  const floor = typeof hpa.spec?.minReplicas === 'number' ? `replicas: ${hpa.spec.minReplicas}, ` : '';
  return `stable: { ${floor}autoscaling: { ${keys.join(', ')} } }`;
}

/**
 * Why an object of the file is left out. A budget or an autoscaler of the app's pods says what to do
 * with it: kept, a budget covers both tracks beside the tool's own (a pod with two cannot be evicted:
 * `kubectl drain` fails); an autoscaler scales the Deployment the migration retires.
 */
function leftOutMessage(object: { [key: string]: any }, deployment: { [key: string]: any }): string {
  const what = `${object.kind ?? 'an object without a kind'} ${object.metadata?.name ?? ''}`.trim();
  const name = deployment.metadata?.name;
  if (object.kind === 'PodDisruptionBudget' && selects({ spec: { selector: object.spec?.selector?.matchLabels } }, deployment)) {
    return `${what} is left out: it selects the app's pods, so it would cover both tracks beside the budget the tool gives each (disruptionBudget), and a pod under two budgets cannot be evicted (kubectl drain fails); delete it when you retire your Deployment, or set disruptionBudget: { enabled: false } to keep it`;
  }
  if (object.kind === 'HorizontalPodAutoscaler' && object.spec?.scaleTargetRef?.kind === 'Deployment' && object.spec?.scaleTargetRef?.name === name) {
    return `${what} is left out: it scales your Deployment ${name}, which the migration retires; delete it with that Deployment, and give the app ${autoscalingKeys(object)}`;
  }
  return deployment.kind === 'StatefulSet' ? `${what} is left out: only the app's StatefulSet and its Services are taken` : `${what} is left out: only the app's Deployment and Service are taken`;
}

/** The files of a `from` and the names it picks, whichever form it takes. */
export function fromParts(from: AppSpec['from']): { readonly files: readonly string[]; readonly deployment?: string; readonly service?: string } {
  if (from === undefined) return { files: [] };
  if (typeof from === 'string') return { files: [from] };
  if (Array.isArray(from)) return { files: from };
  return { files: Array.isArray(from.file) ? from.file : [from.file], deployment: from.deployment, service: from.service };
}

/** The objects of one of the files, or what is wrong with its YAML. */
function readObjects(given: string, where: SpecPath, baseDir: string): { readonly found: Found[] } | { readonly problems: Problem[] } {
  const read = readInsideFolder(baseDir, given, MAX_WORKLOAD_FILE_BYTES);
  if ('problem' in read) return { problems: [{ path: where, message: read.problem }] };
  const source = relative(process.cwd(), read.path) || read.path;
  const { LineCounter: Lines, parseAllDocuments } = yaml();
  const lines = new Lines();
  // Bytes that are not UTF-8 would reach the tracks' env and command as U+FFFD.
  const text = utf8Text(read.bytes);
  if ('badLine' in text) return { problems: [{ path: [], message: 'the file is not UTF-8 text, as a YAML file must be: save it as UTF-8; nothing was written', source, line: text.badLine, column: 1 }] };
  const docs = parseAllDocuments(text.text, { lineCounter: lines, prettyErrors: false });
  const syntax = docs.flatMap((doc) => doc.errors).map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    return { path: [], message: `YAML syntax error: ${error.message.split('\n')[0]}`, source, line, column: col };
  });
  if (syntax.length) return { problems: syntax };
  try {
    return { found: objectsOf(docs).map((object) => ({ ...object, source, lines })) };
  } catch (error) {
    // An alias without its anchor, or one that makes the document too large: said at the alias.
    const { visit } = yaml();
    let at: number | undefined;
    for (const doc of docs) {
      visit(doc, { Alias: (_key, node) => { if (at === undefined && node.resolve(doc) === undefined) at = node.range?.[0]; } });
    }
    const place = at === undefined ? {} : (({ line, col }) => ({ line, column: col }))(lines.linePos(at));
    return { problems: [{ path: [], message: `YAML error: ${printable((error as Error).message.split('\n')[0])}`, source, ...place }] };
  }
}

/** Workloads counted by kind, for a message: `3 Deployments`, `2 Deployments and 1 StatefulSet`. */
function counted(found: readonly Found[]): string {
  return WORKLOAD_KINDS.map((kind) => [kind, found.filter(({ object }) => object.kind === kind).length] as const).filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind}${count === 1 ? '' : 's'}`).join(' and ');
}

/** The names of objects, for a message: `"web", "worker"` */
function names(found: readonly Found[]): string {
  return found.map(({ object }) => formatValue(object.metadata?.name ?? '')).join(', ');
}

/**
 * The app's Deployment of the files: the one named, else the only one. A file of an Argo Rollouts
 * Rollout is told how to convert it (its spec.template is a pod template).
 */
function pickDeployment(found: readonly Found[], named: string | undefined, what: string): Found | string {
  const deployments = found.filter(({ object }) => WORKLOAD_KINDS.includes(object.kind));
  if (named !== undefined) {
    const chosen = deployments.filter(({ object }) => object.metadata?.name === named);
    if (chosen.length === 1) return chosen[0];
    return `${what} ${chosen.length ? 'holds several workloads' : 'holds no Deployment or StatefulSet'} named ${formatValue(named)}${deployments.length ? `; it holds ${counted(deployments)}: ${names(deployments)}` : ''}`;
  }
  if (deployments.length === 1) return deployments[0];
  if (deployments.length > 1) {
    return `${what} holds ${counted(deployments)} (${names(deployments)}): name the app's, as from: { file: ..., deployment: <name> }`;
  }
  const rollout = found.find(({ object }) => object.kind === 'Rollout' && String(object.apiVersion).startsWith('argoproj.io/'));
  // An Argo Rollouts Rollout carries a Deployment's pod template; only its strategy is its own.
  const hint = rollout
    ? `; it holds an Argo Rollouts Rollout${rollout.object.metadata?.name ? ` (${formatValue(rollout.object.metadata.name)})` : ''}, whose spec.template is a pod template: give that as podTemplate, or make the Rollout a Deployment (apiVersion apps/v1, kind Deployment, without the Rollout's spec.strategy and spec.workloadRef)`
    : '';
  return `${what} holds no Deployment or StatefulSet; it must hold the app's${hint}`;
}

/** The app's Service of the files: the one named, else the one that selects the Deployment's pods, if any. */
function pickService(found: readonly Found[], named: string | undefined, deployment: Found, what: string): Found[] | string {
  // A StatefulSet's headless Service gives its pods their names; it is kept apart (see headlessOf).
  const headless = headlessOf(found, deployment);
  const services = found.filter((each) => each.object.kind === 'Service' && each !== headless);
  if (named !== undefined) {
    const chosen = services.filter(({ object }) => object.metadata?.name === named);
    if (chosen.length === 1 && !selects(chosen[0].object, deployment.object)) {
      // An ExternalName Service, or one without a selector, routes nowhere near the app's pods.
      const spec = chosen[0].object.spec ?? {};
      const why = spec.type === 'ExternalName' ? 'is an ExternalName Service' : !spec.selector || !Object.keys(spec.selector).length ? 'has no selector' : `selects ${Object.entries(spec.selector).map(([key, value]) => `${key}=${value}`).join(',')}`;
      return `${what} its Service ${formatValue(named)} ${why}, so it does not serve the Deployment's pods: name the app's Service`;
    }
    if (chosen.length === 1) return chosen;
    return `${what} ${chosen.length ? 'holds several Services' : 'holds no Service'} named ${formatValue(named)}${services.length ? `; its Services: ${names(services)}` : ''}`;
  }
  const chosen = services.filter(({ object }) => selects(object, deployment.object));
  if (chosen.length > 1) return `${what} holds ${chosen.length} Services that select the Deployment's pods (${names(chosen)}): name the app's, as from: { file: ..., service: <name> }`;
  return chosen;
}

/** The headless Service a StatefulSet's `serviceName` names, where the files hold it. */
function headlessOf(found: readonly Found[], workload: Found): Found | undefined {
  const name = workload.object.kind === 'StatefulSet' ? workload.object.spec?.serviceName : undefined;
  return name === undefined ? undefined : found.find(({ object }) => object.kind === 'Service' && object.metadata?.name === name);
}

/**
 * Reads an app's `from`: one file or several, read as one; each multi-document YAML or a List, inside
 * the repository that holds the spec. Of their objects, the app's Deployment (the one named, else the
 * only one) and its Service (the one named, else the one that selects the Deployment's pods) are
 * taken; others are left out, each with a note. Both objects are checked against the Kubernetes API's
 * schema; a problem in a file names the file, its line and column, and the field.
 */
export function readWorkloadFile(given: NonNullable<AppSpec['from']>, at: SpecPath, baseDir: string): { readonly file?: WorkloadFile; readonly problems: Problem[]; readonly notes: Problem[] } {
  const where = [...at, 'from'];
  const parts = fromParts(given);
  if (!parts.files.length) return { problems: [{ path: where, message: `is ${formatValue(given)}: must name at least one file` }], notes: [] };
  // Where each file is named: `from`, `from[1]`, `from.file` or `from.file[1]`.
  const listed = typeof given === 'string' ? undefined : Array.isArray(given) ? given : given.file;
  const field = typeof given === 'object' && !Array.isArray(given) ? [...where, 'file'] : where;
  const reads = parts.files.map((file, i) => readObjects(file, Array.isArray(listed) ? [...field, i] : field, baseDir));
  const unread = reads.flatMap((read) => ('problems' in read ? read.problems : []));
  if (unread.length) return { problems: unread, notes: [] };
  const found = reads.flatMap((read) => ('found' in read ? read.found : []));
  const what = `is ${formatValue(given)}:`;
  const deployment = pickDeployment(found, parts.deployment, what);
  if (typeof deployment === 'string') return { problems: [{ path: where, message: deployment }], notes: [] };
  const chosen = pickService(found, parts.service, deployment, what);
  if (typeof chosen === 'string') return { problems: [{ path: where, message: chosen }], notes: [] };
  const headless = headlessOf(found, deployment);
  const taken = [deployment, ...chosen, ...(headless ? [headless] : [])];
  const located = (problem: Problem, object: Found): Problem => ({ ...problem, source: object.source, ...position(object.doc, object.lines, [...object.at, ...problem.path]) });
  const definition = (object: Found) => (object !== deployment ? 'KubernetesService' : object.object.kind === 'StatefulSet' ? 'KubernetesStatefulSet' : 'KubernetesDeployment');
  const problems = taken.flatMap((object) => checkSchema(object.object, definition(object)).map((problem) => located(problem, object)));
  const notes = found.filter((object) => !taken.includes(object))
    .map((object) => located({ path: [], message: leftOutMessage(object.object, deployment.object) }, object));
  if (problems.length) return { problems, notes };
  return {
    file: { deployment: cleaned(deployment.object), ...(chosen.length ? { service: cleaned(chosen[0].object) } : {}), ...(headless ? { headless: cleaned(headless.object) } : {}) },
    problems: [],
    notes,
  };
}
