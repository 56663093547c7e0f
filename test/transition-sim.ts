/**
 * A model of the two ways a stage file reaches a cluster, precise where capacity is decided:
 * a Deployment scales down at once and up only when its new pods are ready (at a wait), and a pod
 * template that changes rolls as the Deployment controller rolls it: old pods stay available down to
 * `maxUnavailable` (25% by default) until new ones are ready. (It used to assume a changed template
 * starts from no pods; the real control plane showed the rolling update keeping them.)
 *
 * - Argo CD: the target file's objects are applied wave by wave (`argocd.argoproj.io/sync-wave`,
 *   default 0), and each wave is waited for (healthy, and its hook Jobs done) before the next. A live Deployment the file no
 *   longer holds is pruned after every wave with `PruneLast=true`; without it, at the start (the
 *   earliest Argo CD may prune it).
 * - kubectl: the plan's steps in order; `apply -f F -l S` applies F's objects that S selects, one
 *   after another in file order.
 *
 * Autoscalers, as the HorizontalPodAutoscaler controller acts: it raises a Deployment with pods to its
 * floor some time after it is applied (here: only where something waits for it, the worst case), and
 * lowers it to a lowered floor at once (also the worst case; the real one waits 5 minutes), and it
 * leaves a Deployment at 0 pods alone. `kubectl apply` (and Argo CD, which applies the same way)
 * deletes a field it applied before and no longer finds: a Deployment whose replica count goes from
 * the file falls back to 1, unless the record of the last apply was removed.
 *
 * Argo CD's health of an autoscaler is either its built-in one (healthy as soon as the controller
 * reports, so a wave does not wait for the floor) or the README's check (progressing until the
 * Deployment has reached the floor); `hpaHealth` picks one.
 *
 * Endpoints: the EndpointSlice controller lists a Deployment's new ready pods a moment after its
 * rollout is done. With `endpointsLag` (the default) the model takes the worst case, that it has not
 * until a step waits for it (the plan's endpoint check, or the endpoint check's Job on Argo CD's
 * road); without, it lists them at once.
 *
 * After every object applied and every wait, it records ready capacity (for each track, its pods
 * listed as ready endpoints over its full size, summed) and, with a router, the worst ratio of a
 * track's traffic weight to what those pods carry.
 */
import type { KubectlStep } from '../src/engine/kubectl-steps';
import { parseManifests, type Manifest } from './cluster-rules';

type Track = 'stable' | 'canary';
/** Under blue/green, a colour's pods. */
type Colour = 'blue' | 'green';
/** A track, the baseline track (stable's pods with the canary's count and weight), or a colour. */
type Lane = Track | 'baseline' | Colour;

interface LiveDeployment {
  readonly doc: Manifest;
  desired: number;
  ready: number;
  /** Ready pods the Services list as ready endpoints: what carries traffic. */
  served: number;
  /** Whether the record of the last apply is there (kubectl.kubernetes.io/last-applied-configuration). */
  recorded: boolean;
}

/**
 * How many pods a rolling update may take down at once: the Deployment's `maxUnavailable` (a count or a
 * percent, rounded down), 25% by default; a Recreate strategy takes them all.
 */
function maxUnavailable(doc: Manifest, desired: number): number {
  const strategy = doc.spec.strategy ?? {};
  if (strategy.type === 'Recreate') return desired;
  const given = strategy.rollingUpdate?.maxUnavailable ?? '25%';
  return typeof given === 'number' ? given : Math.floor((desired * Number(String(given).replace('%', ''))) / 100);
}

/** The cluster: Deployments by name, and the route weights when a router is in front. */
export class Cluster {
  readonly deployments = new Map<string, LiveDeployment>();
  /** Autoscalers: the floor each holds its Deployment (by name) at. */
  readonly autoscalers = new Map<string, number>();
  weights?: Record<Track | 'baseline', number>;
  /** Under blue/green: the colour the Service selects. */
  selected?: Colour;
  /** The lowest ready capacity seen, 1 being both tracks' full sizes' worth (one full track). */
  lowestCapacity = Infinity;
  /** The highest traffic weight a track got per unit of what its ready pods carry; above 1 is overload. */
  worstLoad = 0;
  readonly log: string[] = [];

  /**
   * With `endpointsLag` (the worst case, and what the control plane shows), a Deployment's new ready
   * pods are listed as ready endpoints only when something waits for that (listEndpoints); without,
   * at once.
   */
  constructor(private readonly sizes: Record<Track, number>, readonly endpointsLag = true) {}

  /** A cluster where `file` was applied and every rollout finished. */
  static settled(file: string, sizes: Record<Track, number>, endpointsLag = true): Cluster {
    const cluster = new Cluster(sizes, endpointsLag);
    for (const doc of parseManifests(file)) cluster.apply(doc, false);
    for (const name of cluster.deployments.keys()) cluster.autoscale(name, false);
    for (const live of cluster.deployments.values()) live.served = live.ready = live.desired;
    cluster.lowestCapacity = Infinity;
    cluster.worstLoad = 0;
    cluster.log.length = 0;
    return cluster;
  }

  private trackOf(doc: Manifest): Lane {
    return doc.spec.template.metadata.labels.track;
  }

  /** A lane's pods listed as ready endpoints. */
  private ready(track: Lane): number {
    let ready = 0;
    for (const live of this.deployments.values()) if (this.trackOf(live.doc) === track) ready += live.served;
    return ready;
  }

  private observe(what: string): void {
    // The baseline track runs the canary's count of pods: its full size is the canary's.
    const share = { stable: this.ready('stable') / this.sizes.stable, canary: this.ready('canary') / this.sizes.canary, baseline: this.ready('baseline') / this.sizes.canary };
    // Under blue/green the Service selects one colour, of the app's full size: its pods are the capacity.
    const capacity = this.selected ? this.ready(this.selected) / this.sizes.stable : share.stable + share.canary;
    this.lowestCapacity = Math.min(this.lowestCapacity, capacity);
    if (this.weights) {
      for (const track of ['stable', 'canary', 'baseline'] as const) {
        const weight = (this.weights[track] ?? 0) / 100;
        if (weight > 0) this.worstLoad = Math.max(this.worstLoad, share[track] === 0 ? Infinity : weight / share[track]);
      }
    }
    const lanes = this.selected ? `Service on ${this.selected}, blue ${this.ready('blue')}, green ${this.ready('green')}` : `stable ${this.ready('stable')}, canary ${this.ready('canary')}`;
    this.log.push(`${what}: ${lanes}, capacity ${capacity.toFixed(2)}`);
  }

  /** Applies one object: a Deployment's scale-down is immediate, its scale-up waits for `wait`. */
  apply(doc: Manifest, observe = true): void {
    if (doc.kind === 'Deployment') {
      const name = doc.metadata.name;
      const live = this.deployments.get(name);
      const sameTemplate = live && JSON.stringify(live.doc.spec.template) === JSON.stringify(doc.spec.template);
      // Without a count in the file: the live one stays, unless the last apply stated one, which is deleted.
      const dropped = live?.recorded && live.doc.spec.replicas !== undefined;
      const desired = doc.spec.replicas ?? (live && !dropped ? live.desired : 1);
      // A changed pod template rolls: the controller keeps desired - maxUnavailable of the old pods
      // available until new ones are ready (as the real control plane showed: 3 old pods kept serving).
      const kept = !live ? 0 : sameTemplate ? live.ready : Math.max(0, Math.min(live.ready, desired - maxUnavailable(doc, desired)));
      const ready = Math.min(kept, desired);
      this.deployments.set(name, { doc, desired, ready, served: Math.min(live?.served ?? 0, ready), recorded: true });
    } else if (doc.kind === 'HorizontalPodAutoscaler') {
      const target = doc.spec.scaleTargetRef.name;
      const lowered = (this.autoscalers.get(target) ?? Infinity) > doc.spec.minReplicas;
      this.autoscalers.set(target, doc.spec.minReplicas);
      const live = this.deployments.get(target);
      // A lowered floor takes effect at once (the worst case); a raised one only when waited for.
      if (lowered && live && live.desired > doc.spec.minReplicas) {
        live.desired = doc.spec.minReplicas;
        live.ready = Math.min(live.ready, live.desired);
        live.served = Math.min(live.served, live.ready);
      }
    } else if (doc.kind === 'Service' && doc.metadata.labels?.['app.kubernetes.io/component'] === 'router') {
      // A blue/green Service: it moves traffic to the colour it selects.
      this.selected = doc.spec.selector.track;
    } else if (doc.kind === 'HTTPRoute' || doc.kind === 'GRPCRoute') {
      const refs = doc.spec.rules[doc.spec.rules.length - 1].backendRefs;
      this.weights = { stable: refs[0].weight, canary: refs[1].weight, baseline: refs[2]?.weight ?? 0 };
    } else if (doc.kind === 'VirtualService') {
      const route = doc.spec.http.find((http: Manifest) => http.name === 'weighted').route;
      this.weights = { stable: route[0].weight, canary: route[1].weight, baseline: route[2]?.weight ?? 0 };
    }
    if (observe) this.observe(`apply ${doc.kind}/${doc.metadata.name}`);
  }

  /** The autoscaler of a Deployment with pods raises it to its floor. */
  autoscale(name: string, observe = true): void {
    const live = this.deployments.get(name);
    const floor = this.autoscalers.get(name);
    if (live && floor !== undefined && live.desired > 0) live.desired = Math.max(live.desired, floor);
    if (observe) this.observe(`autoscale ${name}`);
  }

  /**
   * Waits until a Deployment's rollout is done: all its desired pods ready. The EndpointSlice
   * controller lists them a moment later (0.3-0.6 s on the control plane): until something waits
   * for that, the worst case is that it has not.
   */
  wait(name: string): void {
    const live = this.deployments.get(name);
    if (live) live.ready = live.desired;
    if (live && !this.endpointsLag) live.served = live.ready;
    this.observe(`wait ${name}`);
  }

  /**
   * Waits until the Services list at least `count` of a lane's pods as ready endpoints, and with them
   * every ready pod of the lane: a check of `count` waits for that many pods to be ready too (the
   * autoscaler's floor raised, the rollout done). A check that can never hold throws.
   */
  listEndpoints(lane: Lane, count = 0): void {
    const lanes = [...this.deployments.entries()].filter(([, live]) => this.trackOf(live.doc) === lane);
    if (lanes.reduce((sum, [, live]) => sum + live.ready, 0) < count) {
      for (const [name, live] of lanes) {
        this.autoscale(name, false);
        live.ready = live.desired;
      }
    }
    const ready = lanes.reduce((sum, [, live]) => sum + live.ready, 0);
    if (ready < count) throw new Error(`the check of ${count} ${lane} endpoints never holds: the lane runs ${ready} pods`);
    for (const [, live] of lanes) live.served = live.ready;
    this.observe(`endpoints of ${lane}`);
  }

  /** Removes the record of a Deployment's last apply (kubectl annotate ... last-applied-configuration-). */
  forgetLastApply(name: string): void {
    const live = this.deployments.get(name);
    if (live) live.recorded = false;
  }

  delete(name: string): void {
    this.deployments.delete(name);
    this.autoscalers.delete(name);
    this.observe(`delete ${name}`);
  }
}

/** Argo CD's health of an autoscaler: its built-in one, or the README's check. */
export type AutoscalerHealth = 'built-in' | 'readme';

const WAVE = 'argocd.argoproj.io/sync-wave';
const OPTIONS = 'argocd.argoproj.io/sync-options';
const waveOf = (doc: Manifest): number => Number(doc.metadata.annotations?.[WAVE] ?? 0);

/** The checks the endpoint check's Job waits for (none for any other object): the track each one's pod selector names, and its count. */
function jobChecks(doc: Manifest): { lane: Lane; count: number }[] {
  if (doc.kind !== 'Job' || doc.metadata.labels?.['app.kubernetes.io/component'] !== 'endpoint-check') return [];
  const { checks } = JSON.parse(doc.spec.template.spec.containers[0].args[0]) as { checks: { pods: string; count: number }[] };
  return checks.map((check) => ({ lane: laneOfPods(check.pods), count: check.count }));
}

/** The lane a check's pod selector names by its track label (under blue/green, a colour). */
function laneOfPods(pods: string): Lane {
  return /(?:^|,)track=([a-z]+)/.exec(pods)![1] as Lane;
}

/** Syncs `file` the way Argo CD does, with pruning on. */
export function syncWithArgoCd(cluster: Cluster, file: string, hpaHealth: AutoscalerHealth = 'readme'): Cluster {
  const docs = parseManifests(file);
  const names = new Set(docs.filter((doc) => doc.kind === 'Deployment').map((doc) => doc.metadata.name));
  const pruned = [...cluster.deployments.values()].filter((live) => !names.has(live.doc.metadata.name));
  const pruneLast = pruned.filter((live) => String(live.doc.metadata.annotations?.[OPTIONS] ?? '').includes('PruneLast=true'));
  // Autoscalers the file no longer holds go at once (the worst case: a floor gone early).
  const autoscaled = new Set(docs.filter((doc) => doc.kind === 'HorizontalPodAutoscaler').map((doc) => doc.spec.scaleTargetRef.name));
  for (const name of [...cluster.autoscalers.keys()]) if (!autoscaled.has(name)) cluster.autoscalers.delete(name);
  for (const live of pruned) if (!pruneLast.includes(live)) cluster.delete(live.doc.metadata.name);
  for (const wave of [...new Set(docs.map(waveOf))].sort((a, b) => a - b)) {
    const inWave = docs.filter((doc) => waveOf(doc) === wave);
    for (const doc of inWave) cluster.apply(doc);
    // With the README's check, an autoscaler is healthy once its Deployment has reached the floor.
    if (hpaHealth === 'readme') for (const doc of inWave) if (doc.kind === 'HorizontalPodAutoscaler') cluster.autoscale(doc.spec.scaleTargetRef.name);
    for (const doc of inWave) if (doc.kind === 'Deployment') cluster.wait(doc.metadata.name);
    // The endpoint check's hook Job holds its wave until the lanes it checks are ready endpoints.
    for (const doc of inWave) for (const { lane, count } of jobChecks(doc)) cluster.listEndpoints(lane, count);
  }
  for (const live of pruneLast) cluster.delete(live.doc.metadata.name);
  return cluster;
}

/** Whether a label selector (`a=b`, `a!=b`, `k notin (x,y)`, joined by commas) selects these labels, as Kubernetes reads it. */
export function selectorMatches(selector: string, labels: Record<string, string> = {}): boolean {
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms.every((term) => {
    const set = /^(\S+) notin \((.*)\)$/.exec(term);
    if (set) return !set[2].split(',').includes(labels[set[1]]);
    const unequal = /^([^!=]+)!=(.*)$/.exec(term);
    if (unequal) return labels[unequal[1]] !== unequal[2];
    const [key, value] = term.split('=');
    return labels[key] === value;
  });
}

/** Runs the plan's kubectl steps; `files` maps each step's file path to its content. */
export function applyWithKubectl(cluster: Cluster, steps: readonly KubectlStep[], files: ReadonlyMap<string, string>): Cluster {
  for (const step of steps) {
    if (step.verb === 'wait') {
      // The loop waits for the autoscaler's floor to be ready, then the rollout.
      if (step.readyAtLeast !== undefined) cluster.autoscale(step.deployment);
      cluster.wait(step.deployment);
    }
    else if (step.verb === 'delete') {
      if (step.kinds.includes('deployment')) cluster.delete(step.name);
    } else if (step.verb === 'gate') {
      // The checks pass: the verification gate's own tests say when they do not.
    } else if (step.verb === 'endpoints') {
      cluster.listEndpoints(laneOfPods(step.pods), step.count);
    } else if (step.verb === 'drain') {
      // The old colour waits: nothing changes.
    } else if (step.verb === 'route') {
      // The route's parents accept it: its weights took effect when it was applied.
    } else if (step.verb === 'rollout' || step.verb === 'revert') {
      throw new Error(`${step.verb} statefulset/${step.statefulSet}: a StatefulSet's moves are test/stateful-sim.ts's to model`);
    } else {
      for (const doc of parseManifests(files.get(step.file)!)) {
        if (step.selector === undefined || selectorMatches(step.selector, doc.metadata.labels)) cluster.apply(doc);
      }
    }
  }
  return cluster;
}
