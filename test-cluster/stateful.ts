/**
 * A StatefulSet release on the control plane (examples/stateful: a store of 3 pods with a claim
 * each): the real StatefulSet controller in kube-controller-manager replaces the pods, under the
 * namespace's Pod Security level, kwok makes them Ready. A chain of moves goes through every move the plan offers (each stage reached anew from
 * the first, rolled back, then the whole plan and finish), on one road: the plan's kubectl steps, or
 * Argo CD's automated sync of each stage's file. Each move is watched, every pod and EndpointSlice
 * event observed: the pods it replaces and their order, the fewest Ready pods and ready endpoints of
 * the Service, and at its end which pods run which image; what `plan` states for it is the measure.
 */
import { join } from 'node:path';
import { loadSpec } from '../src/engine/load';
import { formatStep, type KubectlStep } from '../src/engine/kubectl-steps';
import { statefulMoves, statefulSize, type StatefulApp } from '../src/model/stateful';
import type { StageMove } from '../src/model/moves';
import { resolveOne } from '../test/stage-files';
import { movesOf, type Move } from '../test/plan-moves';
import type { Manifest } from '../test/cluster-rules';
import { ArgoApplication, describeOutcome } from './argocd';
import { editObjects, inNamespace, withFiles } from './files';
import { get, kubectl, shell, until, watch, type KubeObject } from './kube';
import { examples, atRest } from './moves';

const folder = join(examples, 'stateful');
export const storeApp = loadSpec(join(folder, 'canary.yaml')).spec.apps[0];
const resolved = resolveOne(storeApp, folder);
export const store = resolved.spec as StatefulApp;
export const SIZE = statefulSize(store);
const SET = store.statefulSet.name;
const SERVICE = store.service.name;
const HOME = store.namespace;

/** What `plan` states of a move: the pods it replaces, in order, and the fewest ready pods while it runs. */
export interface Stated {
  readonly replaced: readonly string[];
  readonly readyFloor: number;
}

const key = (move: Pick<StageMove, 'kind'> & { from: { name: string }; to: { name: string } }) => `${move.kind} ${move.from.name} -> ${move.to.name}`;
const stated = new Map(statefulMoves(store, resolved.plan).map(({ move, replaced, readyFloor }) => [key(move), { replaced: replaced.map((ordinal) => `${SET}-${ordinal}`), readyFloor }]));
const moves = movesOf(storeApp, folder);

/** A move of the plan by its words: `next baseline -> canary`, `rollback expand -> rollback`, `finish promote -> baseline`. */
export function planMove(words: string): Move & { readonly stated: Stated } {
  const move = moves.find((each) => each.label === `${storeApp.name}: ${words}`);
  if (!move) throw new Error(`the plan offers no move ${words}`);
  return { ...move, stated: stated.get(words)! };
}

/**
 * The chain that takes every move once: for each stage, the stages up to it from the first, then
 * rollback from it (and the first stage again, which restarts no pod); then every stage and finish.
 *
 *   baseline, canary, expand, promote: rollback from baseline; canary, rollback; canary, expand,
 *   rollback; canary, expand, promote, rollback; canary, expand, promote, finish
 */
export function chain(): string[] {
  const stages = resolved.plan.stages.filter((stage) => stage.name !== 'rollback').map((stage) => stage.name);
  const walk = (to: number) => stages.slice(1, to + 1).map((name, i) => `next ${stages[i]} -> ${name}`);
  return [
    ...stages.flatMap((name, i) => [...walk(i), `rollback ${name} -> rollback`]),
    ...walk(stages.length - 1),
    `finish ${stages.at(-1)} -> ${stages[0]}`,
  ];
}

/** A file of the example in namespace `namespace`. */
export const retargeted = (text: string, namespace: string): string => inNamespace(text, HOME, namespace);

/** The file with the canary's pods held unready (kwok's per-pod delay): a canary that never turns Ready. */
export function stuckCanary(text: string): string {
  return editObjects(text, (doc: Manifest) => {
    if (doc.kind !== 'StatefulSet') return;
    const metadata = (doc.spec.template.metadata ??= {});
    metadata.annotations = { ...metadata.annotations, 'pod-ready.stage.kwok.x-k8s.io/delay': '1h' };
  });
}

/**
 * The namespace, new, and a volume for each pod's claim, bound to it ahead (no provisioner runs
 * here): what a cluster's storage class would give the StatefulSet's claims. What an earlier run
 * left (its pods, claims and volumes) goes first: a pod it held unready would hold this run too.
 */
export async function prepare(namespace: string): Promise<void> {
  const volumes = store.statefulSet.claims.flatMap((claim) => Array.from({ length: SIZE }, (_unused, ordinal) => `${claim}-${SET}-${store.statefulSet.firstOrdinal + ordinal}`));
  await kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=180s']);
  // A volume its claim has left is Released, bound to that claim's uid for good: it goes too.
  await kubectl(['delete', 'persistentvolumes', ...volumes.map((name) => `${namespace}-${name}`), '--ignore-not-found', '--wait=true', '--timeout=60s']);
  await kubectl(['create', 'namespace', namespace]);
  // Pod Security admission judges every pod the StatefulSet controller makes, at the app's level.
  await kubectl(['label', 'namespace', namespace, `pod-security.kubernetes.io/enforce=${store.securityProfile}`]);
  for (const name of volumes) {
    await kubectl(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `${namespace}-${name}` },
      spec: {
        accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, storageClassName: '', persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: `/tmp/cdk8s-canary/${namespace}/${name}` }, claimRef: { namespace, name },
      },
    }));
  }
}

/** The StatefulSet as the API server holds it. */
const statefulSet = (namespace: string) => get(`/apis/apps/v1/namespaces/${namespace}/statefulsets/${SET}`);

/** Whether the StatefulSet's rolling update is done and every pod Ready. */
async function rolledOut(namespace: string): Promise<boolean> {
  const set = await statefulSet(namespace).catch(() => undefined);
  const status = set?.status ?? {};
  const partition = set?.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  return set !== undefined && (status.observedGeneration ?? 0) >= set.metadata.generation && (status.readyReplicas ?? 0) === SIZE
    && (status.updatedReplicas ?? 0) >= SIZE - partition && (partition > 0 || status.currentRevision === status.updateRevision);
}

/** Each pod, by name: whether it is Ready, its image and its uid. */
interface PodState { readonly ready: boolean; readonly image: string; readonly uid: string }

const podState = (pod: KubeObject): PodState => ({
  ready: (pod.status?.conditions ?? []).some((each: { type: string; status: string }) => each.type === 'Ready' && each.status === 'True'),
  image: pod.spec.containers[0].image,
  uid: pod.metadata.uid!,
});

/** What a watched move did. */
export interface Observed {
  /** The pods there before the move that it deleted (to be made anew under their names), in the order they went. */
  readonly replaced: string[];
  /**
   * Pods made during the move that went during it. kwok deletes a pod that is terminating by its
   * name, without the UID precondition a kubelet sends, and a repeat of that delete can take the
   * StatefulSet's successor of the same name, made a moment after (no kubelet does this): such
   * deletions are kept apart from the controller's, and listed here.
   */
  readonly strays: string[];
  /** The fewest Ready pods, and ready endpoints of the Service, in any state seen. */
  readonly fewestReadyPods: number;
  readonly fewestReadyEndpoints: number;
  /** Each pod's image at the end, by ordinal. */
  readonly images: string[];
}

/** Watches the app's pods and its Service's EndpointSlices, each event an observation. */
class Watcher {
  private readonly pods = new Map<string, PodState>();
  private readonly slices = new Map<string, KubeObject>();
  /** The last resourceVersion seen of each pod, by uid; the pods there before the start, and those seen going. */
  private readonly versions = new Map<string, number>();
  private readonly before = new Set<string>();
  private readonly going = new Set<string>();
  private readonly watches: { stop(): void }[] = [];
  private counting = false;
  readonly replaced: string[] = [];
  readonly strays: string[] = [];
  fewestReadyPods = Infinity;
  fewestReadyEndpoints = Infinity;

  constructor(private readonly namespace: string) {}

  async start(): Promise<void> {
    const selector = encodeURIComponent(Object.entries(store.service.selector).map(([k, v]) => `${k}=${v}`).join(','));
    this.watches.push(await watch(`/api/v1/namespaces/${this.namespace}/pods?labelSelector=${selector}`, (type, pod) => {
      const { name, uid } = pod.metadata as { name: string; uid: string };
      // An event seen before (a watch that reconnects may send one again) changes nothing.
      const version = Number(pod.metadata.resourceVersion);
      if (version <= (this.versions.get(uid) ?? -1)) return;
      this.versions.set(uid, version);
      if (!this.counting) this.before.add(uid);
      if (type === 'DELETED' || pod.metadata.deletionTimestamp) {
        // The first sight of a pod going: one the move replaces, if it was there before the move;
        // else a successor that kwok deleted (see Observed.strays).
        if (this.counting && !this.going.has(uid)) (this.before.has(uid) ? this.replaced : this.strays).push(name);
        this.going.add(uid);
        // A pod going serves nothing from here on.
        if (this.pods.get(name)?.uid === uid) this.pods.delete(name);
      } else {
        this.pods.set(name, podState(pod));
      }
      this.observe();
    }));
    this.watches.push(await watch(`/apis/discovery.k8s.io/v1/namespaces/${this.namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${SERVICE}`)}`, (type, slice) => {
      if (type === 'DELETED') this.slices.delete(slice.metadata.name);
      else this.slices.set(slice.metadata.name, slice);
      this.observe();
    }));
  }

  /** From now on, states count. */
  begin(): void {
    this.counting = true;
    this.observe();
  }

  readyEndpoints(): number {
    const ready = new Set<string>();
    for (const slice of this.slices.values()) {
      for (const endpoint of slice.endpoints ?? []) if (endpoint.conditions?.ready === true && endpoint.targetRef?.name) ready.add(endpoint.targetRef.name);
    }
    return ready.size;
  }

  private observe(): void {
    if (!this.counting) return;
    this.fewestReadyPods = Math.min(this.fewestReadyPods, [...this.pods.values()].filter((pod) => pod.ready).length);
    this.fewestReadyEndpoints = Math.min(this.fewestReadyEndpoints, this.readyEndpoints());
  }

  images(): string[] {
    return Array.from({ length: SIZE }, (_unused, ordinal) => this.pods.get(`${SET}-${store.statefulSet.firstOrdinal + ordinal}`)?.image ?? 'none');
  }

  stop(): void {
    for (const each of this.watches) each.stop();
  }
}

/** Runs `move` while a Watcher observes, then waits until the StatefulSet is rolled out and the Service lists every pod. */
async function observe(namespace: string, move: () => Promise<void>): Promise<Observed> {
  const watcher = new Watcher(namespace);
  await watcher.start();
  try {
    await until(`${namespace}: the watches to see the app`, async () => watcher.readyEndpoints() === SIZE);
    watcher.begin();
    await move();
    await until(`${namespace}: the StatefulSet to roll out`, () => rolledOut(namespace));
    await until(`${namespace}: the Service to list every pod`, async () => watcher.readyEndpoints() === SIZE);
  } finally {
    watcher.stop();
  }
  return { replaced: [...watcher.replaced], strays: [...watcher.strays], fewestReadyPods: watcher.fewestReadyPods, fewestReadyEndpoints: watcher.fewestReadyEndpoints, images: watcher.images() };
}

/** The image each pod runs once `move` is done: the canary's on its ordinals, stable's below; after finish, the new one everywhere. */
export function expectedImages(move: Move): string[] {
  const to = resolved.plan.stages.find((stage) => move.label.endsWith(`-> ${stage.name}`))!;
  const canaryPods = move.kind === 'finish' ? SIZE : move.kind === 'rollback' ? 0 : to.canaryReplicas;
  return Array.from({ length: SIZE }, (_unused, ordinal) => (ordinal >= SIZE - canaryPods ? store.canary.image : store.stable.image));
}

/** A road a move takes: the plan's kubectl steps, or Argo CD's sync of the stage's file. */
export interface Road {
  /** Puts the first stage's file in place, settled. */
  start(): Promise<void>;
  /** Makes the move, watched. */
  move(move: Move): Promise<Observed>;
}

/** The plan's kubectl steps, in `namespace`, as `plan` prints them. */
export function kubectlRoad(namespace: string): Road {
  const run = (move: Move, steps: readonly KubectlStep[] = move.steps) => withFiles(
    new Map([...move.paths].map(([path, text]) => [path, retargeted(text, namespace)])),
    async (dir) => { for (const step of steps) await shell(formatStep(step, namespace), dir); },
  );
  return {
    async start() {
      await prepare(namespace);
      await withFiles(new Map([['first.yaml', atRest(retargeted(planMove('rollback baseline -> rollback').from, namespace))]]), (dir) => kubectl(['apply', '-f', join(dir, 'first.yaml'), '-l', 'app.kubernetes.io/component notin (verify,endpoint-check,revert)']));
      await until(`${namespace}: the first stage to roll out`, () => rolledOut(namespace));
    },
    move: (move) => observe(namespace, () => run(move)),
  };
}

/** Argo CD's automated sync of each stage's file, committed to the Application of `namespace`. */
export function argoRoad(namespace: string, application: Promise<ArgoApplication>): Road {
  return {
    async start() {
      await prepare(namespace);
      await (await application).syncTo(atRest(retargeted(planMove('rollback baseline -> rollback').from, namespace)), 'the first stage');
    },
    move: (move) => observe(namespace, async () => {
      const outcome = await (await application).sync(retargeted(move.to, namespace), move.label);
      if (outcome.phase !== 'Succeeded') throw new Error(`${move.label}: ${describeOutcome(outcome)}`);
    }),
  };
}

/** The pod of the highest ordinal, where the canary starts: its image, uid and readiness. */
export async function canaryPod(namespace: string): Promise<PodState | undefined> {
  const pod = await get(`/api/v1/namespaces/${namespace}/pods/${SET}-${store.statefulSet.firstOrdinal + SIZE - 1}`).catch(() => undefined);
  return pod && !pod.metadata.deletionTimestamp ? podState(pod) : undefined;
}

/** Waits until the canary's first pod runs the canary's image, held unready. */
export async function stuck(namespace: string): Promise<PodState> {
  let pod: PodState | undefined;
  await until(`${namespace}: the canary's pod to start, unready`, async () => {
    pod = await canaryPod(namespace);
    return pod?.image === store.canary.image && !pod.ready;
  });
  return pod!;
}

/**
 * Takes every move of the chain on `road`, each held to what `plan` states: the pods it replaces, in
 * order; the fewest Ready pods exactly its floor (a replaced pod serves nothing until its successor
 * is Ready), and never fewer ready endpoints; and after it, which pods run which image.
 */
export async function expectEveryMove(road: Road): Promise<void> {
  await road.start();
  for (const words of chain()) {
    const move = planMove(words);
    const seen = await road.move(move);
    // One object a move, so a failure says which.
    expect({ words, ...seen }).toEqual({
      words,
      replaced: move.stated.replaced,
      strays: expect.any(Array),
      fewestReadyPods: move.stated.readyFloor,
      fewestReadyEndpoints: expect.any(Number),
      images: expectedImages(move),
    });
    expect(seen.fewestReadyEndpoints).toBeGreaterThanOrEqual(move.stated.readyFloor);
  }
}
