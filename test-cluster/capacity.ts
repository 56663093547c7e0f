/**
 * Watches an app's ready capacity on the cluster while a move runs: the ready endpoints of its
 * Services (EndpointSlices, condition ready), by track, and the routes' traffic to each track.
 *
 * Capacity is measured as the simulator in test/transition-sim.ts states it: for each track, its
 * ready pods over its full size, summed; 1 is one full track's worth. Every watch event is an
 * observation, so the lowest value seen is exact for the states the API server went through, not a
 * sample. The watches of EndpointSlices and of routes are separate streams: their events are put
 * back in the order the API server stored them (by resourceVersion, which one etcd numbers for
 * all kinds) before they are observed. With a router, each state is also checked for a track that
 * gets traffic (any backend of any route rule, mirrors aside) while its backend has no ready
 * endpoint, and for the highest weighted share a track gets per unit of what its ready pods carry
 * (the simulator's `worstLoad`; `worstLoadInMove` leaves out the settled state the move starts
 * from, which the simulator does not observe when a move starts with its route).
 *
 * Given what the two stages of a move give each lane, each state is also checked the way the
 * stages promise: while the route's weights are one stage's, every lane with weight has at least
 * that stage's count of pods as ready endpoints of the Service the route sends its requests to
 * (`underServed` lists each state that breaks it, and `weightsOfNeither` a split of neither stage).
 */
import type { AppShape, StageTraffic } from '../test/plan-moves';
import { watch, type KubeObject, type WatchEvent } from './kube';

export type Track = 'stable' | 'canary';
export const TRACKS: readonly Track[] = ['stable', 'canary'];
/** A track, or the baseline track. */
export type Lane = Track | 'baseline';
export const LANES: readonly Lane[] = [...TRACKS, 'baseline'];

interface Backend { readonly track: Lane; readonly service: string; readonly weight: number }

const ROUTES = [
  { path: 'apis/gateway.networking.k8s.io/v1', plural: 'httproutes' },
  { path: 'apis/gateway.networking.k8s.io/v1', plural: 'grpcroutes' },
  { path: 'apis/networking.istio.io/v1beta1', plural: 'virtualservices' },
];

export class CapacityMonitor {
  private readonly slices = new Map<string, KubeObject>();
  private readonly routes = new Map<string, KubeObject>();
  private readonly watches: { stop(): void }[] = [];
  lowestCapacity = Infinity;
  worstLoad = 0;
  worstLoadInMove = 0;
  /** Events waiting to be observed in resourceVersion order. */
  private pending: { version: number; at: number; apply: () => void }[] = [];
  private timer?: NodeJS.Timeout;
  private inMove = false;
  /** States in which a track got traffic with no ready endpoint behind it. */
  readonly unservedTraffic: string[] = [];
  /** States in which a lane had weight and fewer ready endpoints than the stage whose weights stood runs. */
  readonly underServed: string[] = [];
  /** Weighted splits that were neither stage's. */
  readonly weightsOfNeither: string[] = [];
  /** Each distinct state seen: ms since start, ready pods by track, capacity, weights. */
  readonly log: string[] = [];
  private started = Date.now();
  private last = '';

  constructor(private readonly app: AppShape, private readonly stages?: { readonly from: StageTraffic; readonly to: StageTraffic }) {}

  async start(): Promise<void> {
    const ns = `namespaces/${this.app.namespace}`;
    this.watches.push(await watch(`/apis/discovery.k8s.io/v1/${ns}/endpointslices`, (type, slice) => this.update(this.slices, type, slice)));
    for (const route of ROUTES) {
      this.watches.push(await watch(`/${route.path}/${ns}/${route.plural}`, (type, object) => this.update(this.routes, type, object)));
    }
    this.flush(Infinity);
    this.started = Date.now();
    this.lowestCapacity = Infinity;
    this.worstLoad = 0;
    this.worstLoadInMove = 0;
    this.unservedTraffic.length = 0;
    this.underServed.length = 0;
    this.weightsOfNeither.length = 0;
    this.log.length = 0;
    this.last = '';
    this.observe();
    this.inMove = true;
    // An event is observed once 300 ms have passed since it came, with every earlier-stored event.
    this.timer = setInterval(() => this.flush(Date.now() - 300), 50);
  }

  /** Whether every event that has come is observed (an event waits 300 ms for earlier-stored ones). */
  caughtUp(): boolean {
    return this.pending.length === 0;
  }

  stop(): void {
    for (const each of this.watches.splice(0)) each.stop();
    if (this.timer) clearInterval(this.timer);
    this.flush(Infinity);
  }

  private update(map: Map<string, KubeObject>, type: WatchEvent, object: KubeObject): void {
    const key = `${object.kind}/${object.metadata.name}`;
    const version = Number(object.metadata.resourceVersion ?? 0);
    this.pending.push({ version, at: Date.now(), apply: () => {
      if (type === 'DELETED') map.delete(key);
      else map.set(key, object);
    } });
  }

  /** Observes, in resourceVersion order, the pending events that came before `before` (ms). */
  private flush(before: number): void {
    const due = this.pending.filter((event) => event.at <= before);
    if (!due.length) return;
    const latest = Math.max(...due.map((event) => event.version));
    // Events stored before the latest due one go too, even if they came later on another stream.
    const now = this.pending.filter((event) => event.version <= latest).sort((a, b) => a.version - b.version);
    this.pending = this.pending.filter((event) => event.version > latest);
    for (const event of now) {
      event.apply();
      this.observe(event.version);
    }
  }

  private trackOfPod(pod: string): Lane | undefined {
    // The longest Deployment name that the pod's name starts with: `<deployment>-<hash>-<suffix>`.
    const name = (lane: Lane) => this.app.deployments[lane] ?? '';
    const matches = LANES.filter((lane) => name(lane) && pod.startsWith(`${name(lane)}-`));
    return matches.sort((a, b) => name(b).length - name(a).length)[0];
  }

  /** Ready pods of a lane behind a Service, by the Service's EndpointSlices. */
  ready(service: string, track: Lane): number {
    const pods = new Set<string>();
    for (const slice of this.slices.values()) {
      if (slice.metadata.labels?.['kubernetes.io/service-name'] !== service) continue;
      for (const endpoint of slice.endpoints ?? []) {
        const name = endpoint.targetRef?.kind === 'Pod' ? endpoint.targetRef.name : undefined;
        if (name && endpoint.conditions?.ready !== false && this.trackOfPod(name) === track) pods.add(name);
      }
    }
    return pods.size;
  }

  private trackOfService(service: string): Lane | undefined {
    if (service === this.app.service) return undefined;
    return LANES.find((track) => service.endsWith(`-${track}`));
  }

  /** Every backend that gets traffic, and the weighted split of the route's last (weighted) rule. */
  private backends(): { all: Backend[]; weighted: Backend[] } {
    const all: Backend[] = [];
    let weighted: Backend[] = [];
    for (const route of this.routes.values()) {
      if (route.kind === 'VirtualService') {
        for (const http of route.spec.http ?? []) {
          const destinations: Backend[] = (http.route ?? []).map((each: any) => ({
            track: each.destination.subset as Lane, service: this.app.service, weight: each.weight ?? 100,
          }));
          all.push(...destinations);
          if (http.name === 'weighted') weighted = destinations;
        }
      } else {
        const rules = route.spec.rules ?? [];
        for (const rule of rules) {
          for (const ref of rule.backendRefs ?? []) {
            const track = this.trackOfService(ref.name);
            if (track) all.push({ track, service: ref.name, weight: ref.weight ?? 1 });
          }
        }
        const last = rules[rules.length - 1];
        weighted = (last?.backendRefs ?? []).flatMap((ref: any) => {
          const track = this.trackOfService(ref.name);
          return track ? [{ track, service: ref.name, weight: ref.weight ?? 1 }] : [];
        });
      }
    }
    return { all, weighted };
  }

  private observe(version?: number): void {
    const ready = { stable: this.ready(this.app.service, 'stable'), canary: this.ready(this.app.service, 'canary') };
    const share = { stable: ready.stable / this.app.sizes.stable, canary: ready.canary / this.app.sizes.canary };
    const capacity = share.stable + share.canary;
    this.lowestCapacity = Math.min(this.lowestCapacity, capacity);
    const { all, weighted } = this.backends();
    for (const backend of all) {
      if (backend.weight > 0 && this.ready(backend.service, backend.track) === 0) {
        const what = `${backend.track} gets traffic through ${backend.service} with no ready endpoint`;
        if (!this.unservedTraffic.includes(what)) this.unservedTraffic.push(what);
      }
    }
    const total = weighted.reduce((sum, backend) => sum + backend.weight, 0);
    const weights: Partial<Record<Lane, number>> = {};
    for (const backend of weighted) {
      weights[backend.track] = total ? Math.round((backend.weight / total) * 100) : 0;
      // The baseline track runs the canary's count of pods: its full size is the canary's.
      const behind = this.ready(backend.service, backend.track) / this.app.sizes[backend.track === 'baseline' ? 'canary' : backend.track];
      const weight = total ? backend.weight / total : 0;
      const load = behind === 0 ? Infinity : weight / behind;
      if (weight > 0) this.worstLoad = Math.max(this.worstLoad, load);
      if (weight > 0 && this.inMove) this.worstLoadInMove = Math.max(this.worstLoadInMove, load);
    }
    const behind = (track: Lane) => weighted.filter((backend) => backend.track === track && backend.service !== this.app.service)
      .map((backend) => ` (${backend.service} ${this.ready(backend.service, track)})`).join('');
    const baseline = this.app.deployments.baseline ? `, baseline ${this.ready(this.app.service, 'baseline')}` : '';
    const split = weighted.length ? `, weights ${weights.stable ?? 0}${behind('stable')}/${weights.canary ?? 0}${behind('canary')}`
      + (this.app.deployments.baseline ? `/${weights.baseline ?? 0}${behind('baseline')}` : '') : '';
    const state = `stable ${ready.stable}, canary ${ready.canary}${baseline}, capacity ${capacity.toFixed(2)}${split}`;
    if (weighted.length) this.checkStages(weighted, weights, state);
    if (state !== this.last) {
      this.log.push(`${((Date.now() - this.started) / 1000).toFixed(1)}s${version ? ` rv ${version}` : ''} ${state}`);
      this.last = state;
    }
  }

  /**
   * Whether the lanes the route gives weight have the ready endpoints the stage whose weights stand
   * runs: the stage the move starts from until the route moves, the one it goes to after.
   */
  private checkStages(weighted: readonly Backend[], weights: Partial<Record<Lane, number>>, state: string): void {
    if (!this.stages) return;
    const same = (stage: StageTraffic) => LANES.every((lane) => (stage.weights?.[lane] ?? 0) === (weights[lane] ?? 0));
    const [from, to] = [same(this.stages.from), same(this.stages.to)];
    if (!from && !to) {
      if (!this.weightsOfNeither.includes(state)) this.weightsOfNeither.push(state);
      return;
    }
    // Where both stages give the same weights the route never moves: the fewer pods of the two.
    const count = (lane: Lane) => Math.min(from ? this.stages!.from.counts[lane] : Infinity, to ? this.stages!.to.counts[lane] : Infinity);
    for (const backend of weighted) {
      if (backend.weight > 0 && this.ready(backend.service, backend.track) < count(backend.track)) {
        const what = `${backend.track} has weight ${weights[backend.track]}% with ${this.ready(backend.service, backend.track)} of ${count(backend.track)} ready endpoints in ${backend.service} (${state})`;
        if (!this.underServed.includes(what)) this.underServed.push(what);
      }
    }
  }
}
