/**
 * The moves of a plan on the real control plane: each stage to the next, each stage to rollback, and
 * finish, each from its stage settled on the cluster (its file applied, every rollout done), with
 * the plan's own kubectl commands (what `cdk8s-canary plan` prints for the stage), while a
 * CapacityMonitor watches the app's ready endpoints and routes. The same move also goes through the
 * simulator of test/transition-sim.ts, so the two can be compared.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppSpec } from '../src/spec/types';
import { loadSpec } from '../src/engine/load';
import { formatStep } from '../src/engine/kubectl-steps';
import { parseManifests } from '../test/cluster-rules';
import { applyWithKubectl, Cluster, syncWithArgoCd } from '../test/transition-sim';
import { argoSync } from './argo-sync';
import { ArgoApplication, describeOutcome, type SyncOutcome } from './argocd';
import { CapacityMonitor, LANES, type Lane, type Track } from './capacity';
import { GatewayController } from './gateway-controller';
import { editObjects, inNamespace, withFiles, withPodAnnotations } from './files';
import { get, kubectl, shell, until } from './kube';
import { movesOf as planMoves, withBaselineTrack, type AppShape, type Move } from '../test/plan-moves';

export type { Move };

const root = join(__dirname, '..');
export const examples = join(root, 'examples');

/**
 * The apps whose plans the project ships: the walkthrough (canary.yaml) and the examples, each read
 * from the examples' folder (the real app's Deployment file named from there).
 */
export function shippedApps(): AppSpec[] {
  return [
    ...loadSpec(join(root, 'canary.yaml')).spec.apps,
    ...loadSpec(join(examples, 'routing.yaml')).spec.apps,
    ...loadSpec(join(examples, 'config.yaml')).spec.apps,
    ...loadSpec(join(examples, 'blue-green.yaml')).spec.apps,
    ...loadSpec(join(examples, 'real-app', 'canary.yaml')).spec.apps.map((app) => ({ ...app, from: join('real-app', app.from as string) })),
  ];
}

/**
 * What a running app has beside the Deployment and Service its spec takes from its `from` file, as
 * its cluster holds them before the first stage is applied: its namespace, the file's other objects
 * (the real app's ServiceAccount) in it, the PriorityClass its pods name, and nodes of the pool
 * they select.
 */
export async function prepareRunningApp(app: AppSpec, namespace: string): Promise<void> {
  const created = (error: Error) => { if (!/already ?exists/i.test(error.message)) throw error; };
  await kubectl(['create', 'namespace', namespace]).catch(created);
  if (typeof app.from !== 'string') return;
  const docs = parseManifests(readFileSync(join(examples, app.from), 'utf8'));
  for (const doc of docs.filter((each) => each.kind !== 'Deployment' && each.kind !== 'Service')) {
    await kubectl(['apply', '-f', '-'], JSON.stringify({ ...doc, metadata: { ...doc.metadata, namespace } }));
  }
  for (const deployment of docs.filter((doc) => doc.kind === 'Deployment')) {
    const { priorityClassName, nodeSelector } = deployment.spec.template.spec;
    if (priorityClassName) await kubectl(['create', 'priorityclass', priorityClassName, '--value=1000']).catch(created);
    // Nodes of the pool its pods select (the fake nodes: no other test selects on these labels).
    const labels = Object.entries(nodeSelector ?? {}).map(([key, value]) => `${key}=${value}`);
    if (labels.length) await kubectl(['label', 'nodes', '--all', '--overwrite', ...labels]);
  }
}

/** The shipped apps, and the routed example with a baseline track (`nginx-baselined`), which none of them runs. */
export function movedApps(): AppSpec[] {
  const apps = shippedApps();
  return [...apps, withBaselineTrack(apps.find((app) => app.name === 'nginx-gateway')!, 'nginx-baselined')];
}

/** Every move an app's plan offers (test/plan-moves.ts), its config files read from the examples. */
export function movesOf(app: AppSpec): Move[] {
  return planMoves(app, examples);
}

/** The move with every file it holds (the stage it starts from, the one it goes to, the steps' files) passed through `edit`. */
function edited(move: Move, edit: (text: string) => string): Move {
  return { ...move, from: edit(move.from), to: edit(move.to), paths: new Map([...move.paths].map(([path, text]) => [path, edit(text)])) };
}

/** The move in namespace `<namespace>-<suffix>`, so that it can run beside the app's other moves. */
export function renamed(move: Move, suffix: string): Move {
  const from = move.shape.namespace;
  const to = `${from}-${suffix}`;
  return { ...edited(move, (text) => inNamespace(text, from, to)), shape: { ...move.shape, namespace: to } };
}

/**
 * The move with the pods of `track` becoming ready `delay` (a Go duration) after they are created,
 * whatever the cluster's own delay: kwok's per-pod delay (scripts/cluster.sh). A test whose outcome
 * depends on how long pods take to start sets it.
 */
export function readyAfter(move: Move, track: Track, delay: string): Move {
  return edited(move, (text) => withPodAnnotations(text, move.shape.deployments[track], { 'pod-ready.stage.kwok.x-k8s.io/delay': delay }));
}

/** Whether every Deployment of the app is done: its pods all of the current template and ready. */
export async function settledDeployments(namespace: string, names: readonly string[]): Promise<boolean> {
  const list = (await get(`/apis/apps/v1/namespaces/${namespace}/deployments`)).items;
  const autoscalers = (await get(`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`)).items;
  return list.filter((d: any) => names.includes(d.metadata.name)).every((d: any) => {
    const floor = autoscalers.find((hpa: any) => hpa.spec.scaleTargetRef.name === d.metadata.name)?.spec.minReplicas ?? 0;
    const want = d.spec.replicas;
    const status = d.status ?? {};
    return (status.observedGeneration ?? 0) >= d.metadata.generation
      && (want === 0 || want >= floor)
      && (status.replicas ?? 0) === want && (status.updatedReplicas ?? 0) === want && (status.readyReplicas ?? 0) === want;
  });
}

/** The kinds of a track's own objects, with kubectl's names for them. */
const KINDS = { Deployment: 'deployment', HorizontalPodAutoscaler: 'hpa', PodDisruptionBudget: 'pdb' };

/**
 * A stage's file as the stage stands once reached: without the endpoint check's Job, which checks the
 * move into it (a test may reach a stage from one the plan does not move from).
 */
export function atRest(file: string): string {
  return editObjects(file, () => undefined, (doc) => !(doc.kind === 'Job' && doc.metadata.labels['app.kubernetes.io/component'] === 'endpoint-check'));
}

/**
 * Puts the cluster in the state the simulator's `Cluster.settled(file)` describes: the file applied
 * (with kubectl apply, as the plan's commands do; the verification Job deleted first), each track's
 * objects the file does not hold deleted, and every rollout done.
 */
export async function settle(file: string, shape: AppShape): Promise<void> {
  // A Job's pod template cannot change: a gated stage's verification Job goes first, as in the plan's
  // commands. The endpoint check's Job runs only within a sync (a hook): a settled stage has none.
  await kubectl(['delete', 'jobs', '-l', 'app.kubernetes.io/component in (verify,endpoint-check)', '-n', shape.namespace, '--ignore-not-found']);
  await withFiles(new Map([['from.yaml', atRest(file)]]), (dir) => kubectl(['apply', '-f', join(dir, 'from.yaml')]));
  // A track's Deployment, autoscaler and disruption budget (each named after the Deployment) that
  // the file does not hold are deleted, as a sync prunes them: an autoscaler left from an earlier
  // move would keep its old status, which a health check reads.
  const docs = parseManifests(file);
  for (const name of Object.values(shape.deployments)) {
    const gone = Object.entries(KINDS).filter(([kind]) => !docs.some((doc) => doc.kind === kind && doc.metadata.name === name)).map(([, resource]) => resource);
    if (gone.length) await kubectl(['delete', gone.join(','), name, '-n', shape.namespace, '--ignore-not-found', '--wait=true']);
  }
  await settled(file, shape);
}

/** Waits for every rollout of the app to be done and for each Service of `file` to list exactly the ready pods. */
async function settled(file: string, shape: AppShape): Promise<void> {
  await until(`the app in ${shape.namespace} to settle`, () => settledDeployments(shape.namespace, Object.values(shape.deployments)));
  // Each Service's endpoints (the app's, and a track's own) follow the pods a moment later.
  const services = parseManifests(file).filter((doc) => doc.kind === 'Service').map((service) => ({
    name: service.metadata.name, tracks: selectedLanes(shape, service.spec.selector),
  }));
  await until(`the endpoints in ${shape.namespace} to settle`, async () => {
    const monitor = new CapacityMonitor(shape);
    await monitor.start();
    monitor.stop();
    return endpointsFollowPods(monitor, shape, services);
  });
}

/**
 * The lanes a Service's selector takes pods of: every lane without a track label, else the lane of
 * that track, or under blue/green the lane whose Deployment is named after that colour.
 */
function selectedLanes(shape: AppShape, selector: Record<string, string> | undefined): Lane[] {
  const track = selector?.track;
  return LANES.filter((lane) => track === undefined || lane === track || shape.deployments[lane]?.endsWith(`-${track}`));
}

/** The lanes the app's Service selects now, as the API server holds it. */
async function liveLanes(shape: AppShape): Promise<Lane[]> {
  return selectedLanes(shape, (await get(`/api/v1/namespaces/${shape.namespace}/services/${shape.service}`)).spec.selector);
}

/** Each lane's ready pods, by its Deployment's status (0 for one that is gone, or that the app does not run). */
async function readyPods(shape: AppShape): Promise<Record<Lane, number>> {
  const list: any[] = (await get(`/apis/apps/v1/namespaces/${shape.namespace}/deployments`)).items;
  const ready = (lane: Lane) => list.find((d) => d.metadata.name === shape.deployments[lane])?.status?.readyReplicas ?? 0;
  return { stable: ready('stable'), canary: ready('canary'), baseline: ready('baseline') };
}

/** Whether the monitor has seen each Service list every ready pod of the lanes it selects, and no other. */
async function endpointsFollowPods(monitor: CapacityMonitor, shape: AppShape, services: readonly { name: string; tracks: readonly Lane[] }[]): Promise<boolean> {
  const ready = await readyPods(shape);
  return monitor.caughtUp() && services.every(({ name, tracks }) => LANES.every((lane) => monitor.ready(name, lane) === (tracks.includes(lane) ? ready[lane] : 0)));
}

export interface MoveResult {
  readonly label: string;
  /** On the cluster. */
  readonly lowestCapacity: number;
  readonly worstLoad: number;
  readonly worstLoadInMove: number;
  readonly unservedTraffic: readonly string[];
  /** States where a lane had weight with fewer ready endpoints than the standing stage runs (see CapacityMonitor). */
  readonly underServed: readonly string[];
  readonly weightsOfNeither: readonly string[];
  readonly log: readonly string[];
  /** The simulator's view of the same move. */
  readonly simulated: { readonly lowestCapacity: number; readonly worstLoad: number; readonly log: readonly string[] };
  readonly seconds: number;
}

/**
 * Runs `commands` (shell lines) in `dir`, then `run`, while the monitor watches; `from` settled first.
 * Where the app has a Gateway API route, a stand-in Gateway controller accepts it (see
 * gateway-controller.ts), before the move and during it, unless `acceptRoutes` is false.
 */
export async function watched(label: string, move: Pick<Move, 'from' | 'shape'> & Partial<Pick<Move, 'traffic'>>, dir: string, commands: readonly string[], run?: () => Promise<unknown>, acceptRoutes = true): Promise<Omit<MoveResult, 'simulated'>> {
  return withGateway(move.from, move.shape.namespace, acceptRoutes, async () => {
    await settle(move.from, move.shape);
    return observed(label, move, dir, commands, run);
  });
}

/** Runs `use` with a stand-in Gateway controller accepting the namespace's routes, where `file` has one. */
async function withGateway<T>(file: string, namespace: string, acceptRoutes: boolean, use: () => Promise<T>): Promise<T> {
  const gateway = acceptRoutes && /^kind: (HTTPRoute|GRPCRoute)$/m.test(file) ? new GatewayController(namespace) : undefined;
  await gateway?.start();
  try {
    return await use();
  } finally {
    gateway?.stop();
  }
}

async function observed(label: string, move: Pick<Move, 'from' | 'shape'> & Partial<Pick<Move, 'traffic'>>, dir: string, commands: readonly string[], run?: () => Promise<unknown>): Promise<Omit<MoveResult, 'simulated'>> {
  const monitor = new CapacityMonitor(move.shape, move.traffic);
  await monitor.start();
  const started = Date.now();
  try {
    for (const command of commands) await shell(command, dir);
    if (run) await run();
    // Whatever the last command started (a scale-down, a deletion) shows in the endpoints next: the
    // monitor watches until the app's Service lists the pods that are ready, and no others.
    await until(`${label} to settle`, () => settledDeployments(move.shape.namespace, Object.values(move.shape.deployments)));
    await until(`${label}: the endpoints to follow the pods`, async () => endpointsFollowPods(monitor, move.shape, [{ name: move.shape.service, tracks: await liveLanes(move.shape) }]));
  } finally {
    monitor.stop();
  }
  return {
    label,
    lowestCapacity: monitor.lowestCapacity,
    worstLoad: monitor.worstLoad,
    worstLoadInMove: monitor.worstLoadInMove,
    unservedTraffic: [...monitor.unservedTraffic],
    underServed: [...monitor.underServed],
    weightsOfNeither: [...monitor.weightsOfNeither],
    log: [...monitor.log],
    seconds: (Date.now() - started) / 1000,
  };
}

/** What a move result keeps of the simulator's run. */
const simulatedView = ({ lowestCapacity, worstLoad, log }: MoveResult['simulated']): MoveResult['simulated'] => ({ lowestCapacity, worstLoad, log });

/** One move with the plan's own commands, on the cluster and in the simulator. */
export async function runMove(move: Move): Promise<MoveResult> {
  const commands = move.steps.map((step) => formatStep(step, move.shape.namespace));
  const real = await withFiles(move.paths, (dir) => watched(move.label, move, dir, commands));
  return { ...real, simulated: simulatedView(applyWithKubectl(Cluster.settled(move.from, move.shape.sizes), move.steps, move.paths)) };
}

export type { Track };

/** The Application of a namespace's moves: each test file works in a namespace of its own. */
const applications = new Map<string, Promise<ArgoApplication>>();
function applicationOf(namespace: string): Promise<ArgoApplication> {
  if (!applications.has(namespace)) applications.set(namespace, ArgoApplication.create(namespace));
  return applications.get(namespace)!;
}
afterAll(async () => { for (const application of applications.values()) (await application).dispose(); });

/**
 * A move through Argo CD itself while the monitor watches: the stage it starts from is committed and
 * synced, and settles; then the move is one commit of `to`, which Argo CD's automated sync applies
 * (the README's autoscaler health check is in the harness's argocd-cm), run within `around`. How
 * that sync ended is returned beside what the monitor saw, whether it succeeded or not.
 */
export async function watchedThroughArgoCd(label: string, move: Pick<Move, 'from' | 'shape'> & Partial<Pick<Move, 'traffic'>>, to: string, around: (sync: () => Promise<void>) => Promise<unknown> = (sync) => sync()): Promise<{ result: Omit<MoveResult, 'simulated'>; outcome: SyncOutcome }> {
  const application = await applicationOf(move.shape.namespace);
  return withGateway(move.from, move.shape.namespace, true, async () => {
    await application.syncTo(atRest(move.from), `${label}: the stage it starts from`);
    await settled(move.from, move.shape);
    let outcome: SyncOutcome | undefined;
    const result = await observed(label, move, tmpdir(), [], () => around(async () => { outcome = await application.sync(to, label); }));
    return { result, outcome: outcome! };
  });
}

/** One move through Argo CD itself (watchedThroughArgoCd), which must sync; on the cluster and in the simulator. */
export async function runArgoCdMove(move: Pick<Move, 'label' | 'from' | 'to' | 'shape'> & Partial<Pick<Move, 'traffic'>>): Promise<MoveResult> {
  const { result, outcome } = await watchedThroughArgoCd(move.label, move, move.to);
  if (outcome.phase !== 'Succeeded') throw new Error(`${move.label}: ${describeOutcome(outcome)}`);
  return { ...result, simulated: simulatedView(syncWithArgoCd(Cluster.settled(move.from, move.shape.sizes), move.to, 'readme')) };
}

/**
 * One move synced with Argo CD's sync engine alone (argo-sync), on the cluster and in the simulator;
 * with the README's autoscaler health check unless `readmeHealth` is false. For what one Argo CD
 * cannot show beside the other tests: its health checks are one setting for every Application.
 */
export async function runSyncEngineMove(move: Pick<Move, 'label' | 'from' | 'to' | 'shape'> & Partial<Pick<Move, 'traffic'>>, readmeHealth = true): Promise<MoveResult> {
  const real = await watched(move.label, move, tmpdir(), [], () => argoSync(move.to, readmeHealth));
  return { ...real, simulated: simulatedView(syncWithArgoCd(Cluster.settled(move.from, move.shape.sizes), move.to, readmeHealth ? 'readme' : 'built-in')) };
}
