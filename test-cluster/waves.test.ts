/**
 * A release across three clusters in two waves, rolled by Argo CD's own ApplicationSet controller
 * (RollingSync): the test cluster is wave ring-0, two member clusters (scripts/cluster.sh member)
 * are wave rest, each registered with Argo CD by a cluster Secret with a ring label. The spec is in a
 * git repository the git daemon serves; synth writes its files and the ApplicationSet, which is
 * applied as written; each move is one commit of the spec and its files, then a refresh of the
 * Applications (what a push webhook does). kwok runs no container: the gate Job's pod completes
 * after its ready delay (set per test), or never becomes ready and fails at its deadline, as a check
 * that never answers does. The code of the Jobs that read an API server runs here, as a kubelet would
 * run their pods (check-runner.ts): the endpoint check's in each cluster, against that cluster's API
 * server, and the guard of wave rest in Argo CD's cluster (the test cluster), against the real
 * Applications.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { synth } from '../src/engine';
import { parseManifests, type Manifest } from '../test/cluster-rules';
import { git, gitServer } from './argocd';
import { CheckRunner, runCheckPodOnce, type CheckRun } from './check-runner';
import { inCluster, memberCluster, type Cluster } from './clusters';
import { record } from './describe-moves';
import { editObjects } from './files';
import { get, kubectl, sleep, until, watch } from './kube';

const run = promisify(execFile);
const APP = 'waves';
const RING = 'cdk8s-canary.test/ring';
const GATE_DELAY = '10s';
const GUARD = `${APP}-guard-rest`;

function spec(repoURL: string, stage: string): string {
  return `argocd: { repoURL: "${repoURL}", targetRevision: main }
waves:
  - { name: ring-0, clusters: { matchLabels: { ${RING}: "0" } } }
  - { name: rest, clusters: { matchLabels: { ${RING}: "1" } }, maxUpdate: 50% }
apps:
  - name: ${APP}
    namespace: ${APP}
    createNamespace: true
    stage: ${stage}
    stable: { image: nginx:1.22, replicas: 3 }
    canary: { image: nginx:1.23 }
    securityProfile: baseline
    verify: { smoke: { path: / }, timeoutSeconds: 120 }
`;
}

/** The gate Job of `stage` in a file, its pod ready after `delay` (kwok), and its deadline if given. */
function gateTakes(file: string, stage: string, delay: string, deadline?: number): string {
  return editObjects(file, (doc: Manifest) => {
    if (doc.kind !== 'Job' || doc.metadata.name !== `${APP}-verify-${stage}`) return;
    if (deadline !== undefined) doc.spec.activeDeadlineSeconds = deadline;
    const metadata = (doc.spec.template.metadata ??= {});
    metadata.annotations = { ...metadata.annotations, 'pod-ready.stage.kwok.x-k8s.io/delay': delay };
  });
}

/** The gate Job of `stage` back in its single-cluster form, a PostSync hook, failing at a 3 s deadline. */
function failingHook(file: string, stage: string): string {
  return editObjects(gateTakes(file, stage, '1h', 3), (doc: Manifest) => {
    if (doc.kind !== 'Job' || doc.metadata.name !== `${APP}-verify-${stage}`) return;
    doc.metadata.annotations = { 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' };
  });
}

/** An Application of the set, as the test reads it. */
interface AppState {
  readonly wave: string;
  readonly guard: boolean;
  readonly revision?: string;
  readonly sync?: string;
  readonly health?: string;
  readonly operation?: { readonly phase: string; readonly revision?: string; readonly startedAt: string };
}

async function applications(): Promise<Map<string, AppState>> {
  const list = JSON.parse(await kubectl(['get', 'applications', '-n', 'argocd', '-l', `app.kubernetes.io/instance=${APP}`, '-o', 'json']));
  return new Map(list.items.map((app: any) => [app.metadata.name, {
    wave: app.metadata.labels['cdk8s-canary/wave'],
    guard: app.metadata.labels['cdk8s-canary/guard'] === 'true',
    revision: app.status?.sync?.revision,
    sync: app.status?.sync?.status,
    health: app.status?.health?.status,
    operation: app.status?.operationState && {
      phase: app.status.operationState.phase,
      revision: app.status.operationState.syncResult?.revision ?? app.status.operationState.operation?.sync?.revision,
      startedAt: app.status.operationState.startedAt,
    },
  }]));
}

/** The ApplicationSet's view of each Application: its RollingSync status and step. */
async function rollout(): Promise<Record<string, string>> {
  const set = await get(`/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets/${APP}`);
  return Object.fromEntries((set.status?.applicationStatus ?? []).map((each: any) => [each.application, `${each.status} (step ${each.step})`]));
}

/** Replicas of a track's Deployment in a cluster: how many are ready, or `none`. */
async function ready(cluster: Cluster, track: 'stable' | 'canary'): Promise<string> {
  try {
    const deployment = JSON.parse(await cluster.kubectl(['get', 'deployment', `${APP}-${track}`, '-n', APP, '-o', 'json']));
    return `${deployment.status?.readyReplicas ?? 0}/${deployment.spec.replicas}`;
  } catch {
    return 'none';
  }
}

let clusters: { ring0: Cluster; rest: Cluster[] };
let work: string;
let repoURL: string;

beforeAll(async () => {
  clusters = { ring0: await inCluster({ [RING]: '0' }), rest: [await memberCluster('ring-1a', { [RING]: '1' }), await memberCluster('ring-1b', { [RING]: '1' })] };
  runners = {
    guard: new CheckRunner('argocd', 'wave-guard'),
    endpoints: Object.fromEntries([clusters.ring0, ...clusters.rest].map((cluster) => [cluster.name, new CheckRunner(APP, 'endpoint-check', cluster.kubeconfig)])),
  };
  await Promise.all([runners.guard, ...Object.values(runners.endpoints)].map((runner) => runner.start()));
  const server = await gitServer();
  const bare = join(server.base, `${APP}.git`);
  await kubectl(['delete', 'applicationset', APP, '-n', 'argocd', '--ignore-not-found', '--wait=true']);
  rmSync(bare, { recursive: true, force: true });
  await run('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  work = mkdtempSync(join(tmpdir(), 'cdk8s-canary-waves-'));
  await git(work, 'clone', '-q', bare, '.');
  repoURL = `${server.url}${APP}.git`;
}, 5 * 60_000);

afterAll(async () => {
  await Promise.all(runners ? [runners.guard, ...Object.values(runners.endpoints)].map((runner) => runner.stop()) : []);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The guard's Job in its file, waiting `seconds` at most for ring-0 instead of its 300. */
function guardWaits(file: string, seconds: number): string {
  return editObjects(file, (doc: Manifest) => {
    if (doc.kind !== 'Job') return;
    const [container] = doc.spec.template.spec.containers;
    container.args[0] = JSON.stringify({ ...JSON.parse(container.args[0]), seconds });
    doc.spec.activeDeadlineSeconds = seconds + 60;
  });
}

const guardFile = () => join(work, 'dist', APP, 'argocd', 'guard-rest.k8s.yaml');

/**
 * Moves the release to `stage`: the spec rewritten, synth, the current file passed through `edit`
 * and the guard's through `editGuard`, one commit pushed, and the Applications refreshed. The commit's id.
 */
async function release(stage: string, edit: (file: string) => string = (file) => file, editGuard: (file: string) => string = (file) => file): Promise<string> {
  writeFileSync(join(work, 'canary.yaml'), spec(repoURL, stage));
  // The last move's files were edited here (the gate's pod, the guard's time), so they are no longer the tool's own: taken over.
  await synth({ config: join(work, 'canary.yaml'), output: join(work, 'dist'), takeOver: true });
  const current = join(work, 'dist', APP, 'current', `${APP}.k8s.yaml`);
  writeFileSync(current, edit(readFileSync(current, 'utf8')));
  writeFileSync(guardFile(), editGuard(readFileSync(guardFile(), 'utf8')));
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', `${APP}: ${stage}`);
  await git(work, 'push', '-q', 'origin', 'HEAD:main');
  await kubectl(['annotate', 'applications', '-n', 'argocd', '-l', `app.kubernetes.io/instance=${APP}`, 'argocd.argoproj.io/refresh=normal', '--overwrite']);
  return git(work, 'rev-parse', 'HEAD');
}

/** Waits until every Application (the three clusters' and the guard) is Synced and Healthy at `revision`. */
async function allAt(revision: string, timeoutMs = 6 * 60_000): Promise<Map<string, AppState>> {
  let apps = new Map<string, AppState>();
  await until(`every Application Synced and Healthy at ${revision.slice(0, 7)}`, async () => {
    apps = await applications();
    return apps.size === 4 && [...apps.values()].every((app) => app.revision === revision && app.sync === 'Synced' && app.health === 'Healthy'
      && app.operation?.revision === revision && app.operation.phase === 'Succeeded');
  }, timeoutMs).catch(async (error) => {
    throw new Error(`${(error as Error).message}\n${JSON.stringify([...apps], null, 1)}\n${JSON.stringify(await rollout())}`);
  });
  return apps;
}

/** A wave's Applications, its guard left out. */
const inWave = (apps: Map<string, AppState>, wave: string) => [...apps].filter(([, app]) => app.wave === wave && !app.guard);

/** The runs of the check pods of each cluster (its endpoint check's) and of the guard. */
interface Runs {
  readonly guard: readonly CheckRun[];
  readonly endpoints: Readonly<Record<string, readonly CheckRun[]>>;
}

/**
 * The check pods, run here as the kubelet would (kwok runs no code), for the whole file: the endpoint
 * check's in each cluster, the guard's in Argo CD's. A sync that RollingSync starts again makes its
 * Sync hook anew, so a pod may come after a test saw its Applications Synced and Healthy.
 */
let runners: { readonly guard: CheckRunner; readonly endpoints: Readonly<Record<string, CheckRunner>> };

/** `body`, and the check pods' runs that ended while it ran. */
async function withCheckRuns<T>(body: () => Promise<T>): Promise<T & { runs: Runs }> {
  const from = { guard: runners.guard.runs.length, endpoints: Object.fromEntries(Object.entries(runners.endpoints).map(([name, runner]) => [name, runner.runs.length])) };
  const result = await body();
  return {
    ...result,
    runs: {
      guard: runners.guard.runs.slice(from.guard),
      endpoints: Object.fromEntries(Object.entries(runners.endpoints).map(([name, runner]) => [name, runner.runs.slice(from.endpoints[name])])),
    },
  };
}

/** Runs as the test compares them: each pod's Job and its exit code, once each (a Job made again by a second sync runs again). */
const outcomes = (runs: readonly CheckRun[]) => [...new Set(runs.map((each) => JSON.stringify([each.pod.replace(/-[a-z0-9]{5}$/, ''), each.exitCode])))].map((each) => JSON.parse(each));

const parseGuardJob = (file: string): Manifest => parseManifests(file).find((doc) => doc?.kind === 'Job')!;

/** The guard's Job of `stage` as its file holds it, run here once, now, as its pod would run it, waiting `seconds` at most. */
async function runGuardOnce(stage: string, seconds: number): Promise<CheckRun> {
  const job = parseGuardJob(guardWaits(readFileSync(guardFile(), 'utf8'), seconds));
  expect(job.metadata.name).toBe(`${GUARD}-${stage}`);
  return runCheckPodOnce({ metadata: { name: job.metadata.name, namespace: 'argocd' }, spec: job.spec.template.spec } as never);
}

describe('a release across clusters in waves, with Argo CD\'s RollingSync', () => {
  test('the ApplicationSet makes an Application per cluster, each labelled with its wave, and the guard of the rest, and brings all to the first stage', async () => {
    const first = await release('baseline');
    const { apps, runs } = await withCheckRuns(async () => {
      await kubectl(['apply', '-f', join(work, 'dist', APP, 'argocd', 'applicationset.k8s.yaml')]);
      return { apps: await allAt(first) };
    });
    // Stable grows from nothing in every cluster: each cluster's endpoint check ran and held.
    expect({ guard: outcomes(runs.guard), endpoints: Object.values(runs.endpoints).map(outcomes) }).toEqual({
      guard: [[`${GUARD}-baseline`, 0]], endpoints: [[[`${APP}-endpoints`, 0]], [[`${APP}-endpoints`, 0]], [[`${APP}-endpoints`, 0]]],
    });
    expect(Object.fromEntries([...apps].map(([name, app]) => [name, [app.wave, app.guard]]))).toEqual({
      [`${APP}-in-cluster`]: ['ring-0', false], [GUARD]: ['rest', true], [`${APP}-ring-1a`]: ['rest', false], [`${APP}-ring-1b`]: ['rest', false],
    });
    for (const cluster of [clusters.ring0, ...clusters.rest]) expect(await ready(cluster, 'stable')).toBe('3/3');
  });

  test('a commit moving current/ to the canary stage reaches ring-0, waits for its gate, then for the guard, then the rest', async () => {
    // While ring-0's gate runs, the rest must still run the first stage: sampled until all are done.
    const samples: { gate: string; rest: string[] }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const gate = await clusters.ring0.kubectl(['get', 'job', `${APP}-verify-canary`, '-n', APP, '-o', 'jsonpath={.status.active}/{.status.succeeded}', '--ignore-not-found']);
        samples.push({ gate, rest: await Promise.all(clusters.rest.map((cluster) => ready(cluster, 'canary'))) });
        await sleep(250);
      }
    })();
    const committed = Date.now();
    const { revision, apps, runs } = await withCheckRuns(async () => {
      const commit = await release('canary', (file) => gateTakes(file, 'canary', GATE_DELAY));
      return { revision: commit, apps: await allAt(commit).finally(async () => { sampling = false; await sampler; }) };
    });
    const guardRuns = runs.guard;
    // The canary grows in every cluster, each behind its own endpoint check.
    expect(Object.values(runs.endpoints).map(outcomes)).toEqual([[[`${APP}-endpoints`, 0]], [[`${APP}-endpoints`, 0]], [[`${APP}-endpoints`, 0]]]);
    const done = Date.now();
    // The guard ran once, found ring-0 at this stage, settled, and its Job completed before the rest synced.
    expect(guardRuns.map((each) => [each.exitCode, each.output.trim()])).toEqual([[0, expect.stringMatching(/^waves ring-0 run stage canary, settled, after \d+\.\d s$/)]]);
    const guardJob = JSON.parse(await kubectl(['get', 'job', `${GUARD}-canary`, '-n', 'argocd', '-o', 'json']));
    const guardDone = Date.parse(guardJob.status.completionTime);
    // The gate's Job completed in ring-0 before any cluster of the rest started its sync.
    const job = JSON.parse(await clusters.ring0.kubectl(['get', 'job', `${APP}-verify-canary`, '-n', APP, '-o', 'json']));
    const gateDone = Date.parse(job.status.completionTime);
    const [[, ring0]] = inWave(apps, 'ring-0');
    // The gate is this commit's (made after the push; the API server's times are whole seconds). Not
    // compared with ring-0's sync: RollingSync may start a second sync of it, which finds all applied.
    expect(Date.parse(job.metadata.creationTimestamp)).toBeGreaterThanOrEqual(Math.floor(committed / 1000) * 1000);
    expect(Date.parse(guardJob.status.startTime)).toBeGreaterThanOrEqual(gateDone);
    for (const [name, app] of inWave(apps, 'rest')) {
      expect({ name, revision: app.operation?.revision, after: Date.parse(app.operation!.startedAt) >= guardDone }).toEqual({ name, revision, after: true });
    }
    // When each part took place, in seconds after the commit, for the report (README: figures).
    const after = (time: string | number) => Math.round((Date.parse(String(time)) || Number(time)) / 100 - committed / 100) / 10;
    const timings = {
      label: 'waves: baseline -> canary',
      ring0SyncStarted: after(ring0.operation!.startedAt),
      gateStarted: after(job.status.startTime),
      gateCompleted: after(job.status.completionTime),
      guardStarted: after(guardJob.status.startTime),
      guardCompleted: after(guardJob.status.completionTime),
      restSyncsStarted: inWave(apps, 'rest').map(([, app]) => after(app.operation!.startedAt)),
      allSyncedAndHealthy: after(done),
    };
    record(timings);
    // The gate ran for its ready delay (kwok), and no canary pod of the rest was made meanwhile.
    const running = samples.filter((sample) => sample.gate.startsWith('1/'));
    expect(running.length).toBeGreaterThan(0);
    for (const sample of running) expect(sample.rest).toEqual(['none', 'none']);
    for (const cluster of [clusters.ring0, ...clusters.rest]) {
      expect({ cluster: cluster.name, stable: await ready(cluster, 'stable'), canary: await ready(cluster, 'canary') }).toEqual({ cluster: cluster.name, stable: '3/3', canary: '1/1' });
    }
  });

  test('a gate that fails in ring-0 leaves the rest where they are, until the rollback commit moves every wave back', async () => {
    const before = await applications();
    let apps = new Map<string, AppState>();
    const { runs } = await withCheckRuns(async () => {
      const commit = await release('expand', (file) => gateTakes(file, 'expand', '1h', 3));
      await until('ring-0\'s gate to fail', async () => {
        apps = await applications();
        const [[, ring0]] = inWave(apps, 'ring-0');
        return ring0.health === 'Degraded' && ring0.operation?.revision === commit && ring0.operation.phase !== 'Running';
      }, 5 * 60_000);
      return {};
    });
    // The canary grew in ring-0 alone, behind its endpoint check, which held.
    expect(Object.values(runs.endpoints).map(outcomes)).toEqual([[[`${APP}-endpoints`, 0]], [], []]);
    const [[ring0Name]] = inWave(apps, 'ring-0');
    // Degraded by the gate's Job alone: the stage is applied in ring-0 (the sync applies the gate last
    // and ends; the Job's outcome is the Application's health).
    const application = await get(`/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${ring0Name}`);
    expect(application.status.health).toMatchObject({ status: 'Degraded', message: `Caused by batch/Job:${APP}/${APP}-verify-expand` });
    const gate = JSON.parse(await clusters.ring0.kubectl(['get', 'job', `${APP}-verify-expand`, '-n', APP, '-o', 'json']));
    expect(gate.status.conditions.find((condition: { type: string }) => condition.type === 'Failed')).toMatchObject({ status: 'True', reason: 'DeadlineExceeded' });
    expect(await ready(clusters.ring0, 'canary')).toBe('3/3');
    // The rest hold: a while later their last sync is still the canary stage's, their canary at one pod, and
    // RollingSync keeps the guard and them waiting behind ring-0, which stays Progressing.
    for (const pause of [0, 20_000]) {
      await sleep(pause);
      const now = await applications();
      for (const [name, app] of inWave(now, 'rest')) {
        expect({ name, synced: app.operation?.revision }).toEqual({ name, synced: before.get(name)!.operation!.revision });
      }
      for (const cluster of clusters.rest) expect({ cluster: cluster.name, canary: await ready(cluster, 'canary') }).toEqual({ cluster: cluster.name, canary: '1/1' });
      const status = await rollout();
      expect(status[ring0Name]).toBe('Progressing (step 1)');
      expect(status[GUARD]).toBe('Waiting (step 2)');
      for (const [name] of inWave(now, 'rest')) expect(status[name]).toBe('Waiting (step 3)');
    }
    // The guard of this stage, had it run, would not pass: its own code, run here against the real
    // Applications, names ring-0's health and why.
    const guard = await runGuardOnce('expand', 4);
    expect({ exitCode: guard.exitCode, output: guard.output }).toEqual({
      exitCode: 1,
      output: expect.stringContaining(`wave ring-0: Application ${ring0Name} is Degraded (Caused by batch/Job:${APP}/${APP}-verify-expand), not Healthy`),
    });
    // The answer to a failed gate: the rollback stage, committed; every wave moves to it in turn.
    await allAt(await release('rollback'));
    for (const cluster of [clusters.ring0, ...clusters.rest]) {
      expect({ cluster: cluster.name, stable: await ready(cluster, 'stable'), canary: await ready(cluster, 'canary') }).toEqual({ cluster: cluster.name, stable: '3/3', canary: '0/0' });
    }
  });

  test('the guard holds the rest where ring-0\'s health does not tell: a failing gate as a PostSync hook, its single-cluster form', async () => {
    // A hook counts toward the sync, not the Application's health: ring-0 ends Synced and Healthy
    // with its gate failed, and RollingSync alone opens the next step (the control). That step is the
    // guard, which finds ring-0's last sync failed and holds the rest.
    // Every state of the gate's Job, watched: RollingSync may start ring-0's failed sync again, and
    // the hook made anew replaces the Job that failed.
    const failures: string[] = [];
    const gateJobs = await watch(`/apis/batch/v1/namespaces/${APP}/jobs`, (_type, job) => {
      const failed = job.metadata.name === `${APP}-verify-canary` && (job.status?.conditions ?? []).find((condition: { type: string; status: string }) => condition.type === 'Failed' && condition.status === 'True');
      if (failed && !failures.includes(`${job.metadata.uid} ${failed.reason}`)) failures.push(`${job.metadata.uid} ${failed.reason}`);
    }, clusters.ring0.kubeconfig);
    const { revision, runs: checks } = await withCheckRuns(async () => {
      const commit = await release('canary', (file) => failingHook(file, 'canary'), (file) => guardWaits(file, 20));
      await until('the guard of the rest to fail', async () => {
        const apps = await applications();
        return apps.get(GUARD)?.revision === commit && apps.get(GUARD)?.health === 'Degraded';
      }, 5 * 60_000);
      return { revision: commit };
    }).finally(() => gateJobs.stop());
    const runs = checks.guard;
    // The gate failed at its deadline, at least once.
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.every((failure) => failure.endsWith(' DeadlineExceeded'))).toBe(true);
    const apps = await applications();
    const [[ring0Name, ring0]] = inWave(apps, 'ring-0');
    // Its last sync failed; RollingSync may have started it again since.
    expect({ sync: ring0.sync, health: ring0.health, revision: ring0.revision }).toEqual({ sync: 'Synced', health: 'Healthy', revision });
    expect(runs.map((each) => each.exitCode)).toEqual([1]);
    // Its last sync failed, or RollingSync started it again (with the endpoint check's hook anew): not Succeeded either way.
    expect(runs[0].output).toMatch(new RegExp(`wave ring-0: Application ${ring0Name} has its last sync (Failed|Running)`));
    const status = await rollout();
    expect({ ring0: status[ring0Name], guard: status[GUARD] }).toEqual({ ring0: 'Healthy (step 1)', guard: 'Progressing (step 2)' });
    for (const [name] of inWave(apps, 'rest')) expect(status[name]).toBe('Waiting (step 3)');
    // The rest still run the rollback stage.
    for (const cluster of clusters.rest) expect({ cluster: cluster.name, canary: await ready(cluster, 'canary') }).toEqual({ cluster: cluster.name, canary: '0/0' });
  });
});
