/**
 * A stand-in for a Gateway controller, where no real one can run (no container runtime): it watches
 * a namespace's HTTPRoutes and GRPCRoutes and, `delayMs` after each change of a route's spec, reports
 * every parent as accepting the route's current generation, in `status.parents` through the status
 * subresource, as a controller does once it has programmed its data plane. The plan's route check
 * reads exactly that; the move tests run it for apps with a Gateway API route.
 */
import { kubectl, watch, type KubeObject } from './kube';

const CONTROLLER = 'gateway.example.net/test-controller';
const KINDS = ['httproutes', 'grpcroutes'];

export class GatewayController {
  private readonly watches: { stop(): void }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Each acceptance written: the route and the generation. */
  readonly accepted: string[] = [];

  constructor(private readonly namespace: string, private readonly delayMs = 300) {}

  async start(): Promise<void> {
    for (const plural of KINDS) {
      this.watches.push(await watch(`/apis/gateway.networking.k8s.io/v1/namespaces/${this.namespace}/${plural}`, (type, route) => {
        if (type !== 'DELETED') this.schedule(plural, route);
      }));
    }
  }

  stop(): void {
    for (const each of this.watches.splice(0)) each.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(plural: string, route: KubeObject): void {
    const generation = route.metadata.generation ?? 0;
    const reported = (route.status?.parents ?? []).every((parent: any) => parent.conditions?.some((c: any) => c.type === 'Accepted' && c.observedGeneration === generation));
    if (reported && route.status?.parents?.length) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.accept(plural, route, generation).catch(() => { /* a later event reports again */ });
    }, this.delayMs);
    this.timers.add(timer);
  }

  private async accept(plural: string, route: KubeObject, generation: number): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const parents = route.spec.parentRefs.map((ref: object) => ({
      parentRef: ref,
      controllerName: CONTROLLER,
      conditions: ['Accepted', 'ResolvedRefs'].map((type) => ({ type, status: 'True', reason: type, message: '', observedGeneration: generation, lastTransitionTime: now })),
    }));
    await kubectl(['patch', `${plural}/${route.metadata.name}`, '-n', this.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { parents } })]);
    this.accepted.push(`${route.metadata.name} generation ${generation}`);
  }
}
