/**
 * Adopting a running app on the real control plane, as README "Migrating a running app" says: the
 * app runs from its own files (a chart's `helm template`, a microservices release file); the first
 * stage's file is applied beside it; the old Deployment is scaled to 0 and deleted. The app's Service
 * must have every pod of its full size as a ready endpoint at every moment. The control: the same
 * first stage with the Service's selector replaced by `app=<appLabel>`, as the tool wrote it before,
 * drops the running pods at once. A blue/green app is adopted with its first stage's commands from
 * `plan`, as the README says for every app: blue grows beside the running pods, and the Service
 * narrows to blue only once blue's pods are its ready endpoints.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { stageCommands } from '../src/engine/kubectl-steps';
import { resolveSpec } from '../src/model/resolve';
import { synthesize } from '../src/render/synth';
import type { Manifest } from '../test/cluster-rules';
import { chartRelease, microservice } from '../test/real-files';
import { editObjects, withPodAnnotations } from './files';
import { get, kubectl, shell, until, watch, type KubeObject } from './kube';
import { settledDeployments } from './moves';

/** The lowest count of ready endpoints a Service had, from every EndpointSlice event after `start`. */
class ReadyEndpoints {
  private readonly slices = new Map<string, KubeObject>();
  private stopWatch?: () => void;
  lowest = Infinity;
  readonly seen: number[] = [];

  constructor(private readonly namespace: string, private readonly service: string) {}

  get now(): number {
    return [...this.slices.values()].reduce((sum, slice) => sum + (slice.endpoints ?? [])
      .filter((endpoint: { conditions?: { ready?: boolean } }) => endpoint.conditions?.ready === true).length, 0);
  }

  async start(): Promise<void> {
    const selector = encodeURIComponent(`kubernetes.io/service-name=${this.service}`);
    const { stop } = await watch(`/apis/discovery.k8s.io/v1/namespaces/${this.namespace}/endpointslices?labelSelector=${selector}`, (type, slice) => {
      if (type === 'DELETED') this.slices.delete(slice.metadata.name);
      else this.slices.set(slice.metadata.name, slice);
      const now = this.now;
      if (this.seen.at(-1) !== now) this.seen.push(now);
      this.lowest = Math.min(this.lowest, now);
    });
    this.stopWatch = stop;
  }

  stop(): void {
    this.stopWatch?.();
  }
}

const yamlOf = (objects: readonly Manifest[]) => objects.map((object) => stringify(object)).join('---\n');

interface Running {
  /** The namespace, the app's files in it, and the spec's app (without its namespace). */
  readonly namespace: string;
  readonly objects: Manifest[];
  readonly app: Record<string, unknown>;
  /** The running Deployment and the Service that carries the traffic. */
  readonly deployment: string;
  readonly service: string;
  readonly replicas: number;
}

const apps: Record<string, (namespace: string) => Running> = {
  'a chart\'s app (pods labelled only app.kubernetes.io/*)': (namespace) => ({
    namespace, objects: chartRelease(namespace), deployment: 'web-nginx', service: 'web-nginx', replicas: 2,
    app: { name: 'web', canary: { image: 'docker.io/bitnami/nginx:1.27.4' } },
  }),
  'a release file\'s app (pods labelled app=frontend), under another name': (namespace) => ({
    namespace, objects: [...microservice('frontend', 8080, namespace), ...microservice('cartservice', 7070, namespace)],
    deployment: 'frontend', service: 'frontend', replicas: 3,
    app: { name: 'shop-frontend', from: { file: 'app.yaml', deployment: 'frontend' }, stable: { replicas: 3 }, canary: { image: 'gcr.io/shop/frontend:v0.10.2' } },
  }),
};

/** The first stage's file for the running app, made from its files as the CLI makes it. */
function firstStage(running: Running): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-adopt-'));
  try {
    writeFileSync(join(dir, 'app.yaml'), yamlOf(running.objects));
    const spec = { apps: [{ namespace: running.namespace, from: 'app.yaml', ...running.app }] };
    const name = running.app.name as string;
    return synthesize(spec as any, undefined, dir).find((file) => file.path === `${name}/stages/01-baseline.k8s.yaml`)!.content;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The ready endpoints of a Service now, from its EndpointSlices. */
async function readyNow(namespace: string, service: string): Promise<number> {
  const endpoints = new ReadyEndpoints(namespace, service);
  await endpoints.start();
  endpoints.stop();
  return endpoints.now;
}

/** Runs the app from its own files, with `replicas` pods, and waits until each is a ready endpoint. */
async function runApp(running: Running): Promise<void> {
  await kubectl(['create', 'namespace', running.namespace]);
  const scaled = running.objects.map((object) => (object.kind === 'Deployment' && object.metadata.name === running.deployment
    ? { ...object, spec: { ...object.spec, replicas: running.replicas } } : object));
  await kubectl(['apply', '-f', '-'], yamlOf(scaled));
  await until(`${running.deployment} ready`, () => settledDeployments(running.namespace, [running.deployment]));
  await until(`${running.service}'s endpoints`, async () => (await readyNow(running.namespace, running.service)) === running.replicas);
}

/**
 * Adopts the running app with `stage` (the first stage's file), as README "Migrating a running app"
 * says: applied beside it; once the stable track is ready (and the Service has `reaching` ready
 * endpoints), the old Deployment's autoscaler deleted, the Deployment scaled to 0, then deleted with
 * its budget. Returns the lowest count of the Service's ready endpoints, each count seen, and the
 * count at the end.
 */
async function adopt(running: Running, stage: string, reaching: number): Promise<{ lowest: number; end: number; seen: number[] }> {
  const { namespace, deployment, service } = running;
  const endpoints = new ReadyEndpoints(namespace, service);
  await endpoints.start();
  try {
    await kubectl(['apply', '-f', '-'], stage);
    await until('the stable track ready', () => settledDeployments(namespace, [`${running.app.name}-stable`]));
    await until(`${service} with ${reaching} ready endpoints`, async () => endpoints.now === reaching);
    await kubectl(['delete', `hpa/${deployment}`, '-n', namespace, '--ignore-not-found']);
    await kubectl(['scale', `deployment/${deployment}`, '-n', namespace, '--replicas=0']);
    await until(`${deployment} scaled to 0`, async () => ((await get(`/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}`)).status?.replicas ?? 0) === 0);
    await kubectl(['delete', `deployment/${deployment}`, `pdb/${deployment}`, '-n', namespace, '--ignore-not-found']);
    await until(`${service} at full size on the tracks`, async () => endpoints.now === running.replicas);
    return { lowest: endpoints.lowest, end: endpoints.now, seen: endpoints.seen };
  } finally {
    endpoints.stop();
  }
}

describe.each(Object.entries(apps))('%s', (_title, make) => {
  test('is adopted with every pod of its full size a ready endpoint of its Service throughout', async () => {
    const running = make(`adopt-${Object.keys(apps).indexOf(_title)}`);
    await runApp(running);
    // The Service reaches the old pods and the new ones at once, before the old ones leave.
    const { lowest, end, seen } = await adopt(running, firstStage(running), 2 * running.replicas);
    expect({ lowest, end }).toEqual({ lowest: running.replicas, end: running.replicas });
    expect(Math.max(...seen)).toBe(2 * running.replicas);
    await kubectl(['delete', 'namespace', running.namespace, '--wait=false']);
  });
});

test('control: with the Service selecting app=<appLabel>, which the running pods lack, their endpoints go at once', async () => {
  const running = apps['a chart\'s app (pods labelled only app.kubernetes.io/*)']('adopt-control');
  await runApp(running);
  // The first stage as the tool wrote it before the chart's selector was kept; the tracks' pods
  // take 5 s to be ready, so the dip cannot be hidden by a quick start.
  const replaced = editObjects(firstStage(running), (doc) => {
    if (doc.kind === 'Service' && doc.metadata.name === running.service) doc.spec.selector = { app: 'web' };
  });
  const stage = withPodAnnotations(replaced, 'web-stable', { 'pod-ready.stage.kwok.x-k8s.io/delay': '5s' });
  const { lowest } = await adopt(running, stage, running.replicas);
  expect(lowest).toBeLessThan(running.replicas);
  await kubectl(['delete', 'namespace', running.namespace, '--wait=false']);
});

/**
 * Runs a release file's app, then adopts it as a blue/green app with `commands` (given the files'
 * folder's plan) while watching its Service, then retires the old Deployment. Blue's pods take 5 s
 * to be ready: a Service narrowed before they are drops the running pods. The watch's counts, and
 * the Service's selector at the end.
 */
async function adoptBlueGreen(namespace: string, commands: (steps: string[]) => string[]) {
  const running: Running = {
    namespace, objects: microservice('frontend', 8080, namespace), deployment: 'frontend', service: 'frontend', replicas: 3,
    app: { name: 'shop-frontend', from: 'app.yaml', strategy: 'blueGreen', stable: { replicas: 3 }, canary: { image: 'gcr.io/shop/frontend:v0.10.2' } },
  };
  await runApp(running);
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-adopt-'));
  const endpoints = new ReadyEndpoints(namespace, running.service);
  try {
    writeFileSync(join(dir, 'app.yaml'), yamlOf(running.objects));
    const spec = { apps: [{ namespace, ...running.app }] };
    for (const file of synthesize(spec as any, undefined, dir)) {
      const path = join(dir, 'dist', file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.path.endsWith('01-steady.k8s.yaml') ? withPodAnnotations(file.content, 'shop-frontend-blue', { 'pod-ready.stage.kwok.x-k8s.io/delay': '5s' }) : file.content);
    }
    const [{ spec: app, plan }] = resolveSpec(spec, dir).apps;
    await endpoints.start();
    for (const command of commands(stageCommands(app, plan, plan.stages[0], 'dist'))) await shell(command, dir);
    await until('blue ready', () => settledDeployments(namespace, ['shop-frontend-blue']));
    // The old Deployment is retired as the README says.
    await kubectl(['scale', `deployment/${running.deployment}`, '-n', namespace, '--replicas=0']);
    await kubectl(['delete', `deployment/${running.deployment}`, '-n', namespace]);
    await until(`${running.service} on blue`, async () => endpoints.now === running.replicas);
    const { selector } = (await get(`/api/v1/namespaces/${namespace}/services/${running.service}`)).spec;
    return { lowest: endpoints.lowest, seen: endpoints.seen, selector };
  } finally {
    endpoints.stop();
    rmSync(dir, { recursive: true, force: true });
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  }
}

test('a blue/green app is adopted with its first stage\'s commands: the Service never has fewer than the app\'s pods as ready endpoints, and ends on blue\'s', async () => {
  const { lowest, seen, selector } = await adoptBlueGreen('adopt-blue-green', (steps) => steps);
  expect(selector).toEqual({ app: 'frontend', track: 'blue' });
  expect(lowest).toBe(3);
  // The Service listed the running pods and blue's together before it narrowed.
  expect(Math.max(...seen)).toBe(6);
});

test('control: a blue/green app\'s first stage applied at once narrows the Service before blue is ready, and the running pods\' endpoints go', async () => {
  const { lowest } = await adoptBlueGreen('adopt-blue-green-control', () => ['kubectl apply -f dist/shop-frontend/stages/01-steady.k8s.yaml']);
  expect(lowest).toBeLessThan(3);
});
