/**
 * Traffic mirroring (Gateway API RequestMirror with percent, Istio mirror with mirrorPercentage) and
 * gRPC (a GRPCRoute), checked against the Gateway API and Istio schemas, and their bad combinations.
 */
import { RouteProtocol, type AppSpec } from '../src/spec/types';
import { loadSpec } from '../src/engine/load';
import { isGated } from '../src/model/gate';
import { checkGatewayApiSchemas, validateAgainstSchema, type Manifest } from './cluster-rules';
import { PROCESS_TEST_TIMEOUT } from './helpers';
import { find, problemsOf as problems, resolveOne, stageManifests } from './stage-files';

const greeter = loadSpec(`${__dirname}/../examples/routing.yaml`).spec.apps.find((app) => app.name === 'greeter')!;

describe('gRPC through a GRPCRoute, with a mirror stage (examples/routing.yaml: greeter)', () => {
  const stages = stageManifests(greeter);
  // The Gateway API schemas are checked in a process: one for all the stages.
  beforeAll(() => checkGatewayApiSchemas([...stages.values()].flat()), PROCESS_TEST_TIMEOUT);

  test('the default plan gets a mirror stage after baseline: weight 0, the canary pods the copies need', () => {
    const { plan } = resolveOne(greeter);
    expect(plan.stages.map((stage) => [stage.name, stage.stableReplicas, stage.canaryReplicas, stage.canaryWeight, stage.mirrorPercent ?? null])).toEqual([
      ['baseline', 3, 0, 0, null], ['mirror', 3, 1, 0, 20], ['canary', 3, 1, 25, null], ['expand', 3, 3, 50, null],
      ['promote', 0, 3, 100, null], ['rollback', 3, 0, 0, null],
    ]);
  });

  test('every stage routes by a GRPCRoute (never an HTTPRoute), and only the mirror stage copies calls', () => {
    for (const [stage, docs] of stages) {
      expect(docs.filter((doc) => doc.kind === 'HTTPRoute')).toEqual([]);
      const route = find(docs, 'GRPCRoute');
      expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
      const weighted = route.spec.rules[route.spec.rules.length - 1];
      if (stage === 'mirror') {
        expect(weighted.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'greeter-canary', port: 50051 }, percent: 20 } }]);
        expect(weighted.backendRefs.map((ref: Manifest) => ref.weight)).toEqual([100, 0]);
      } else {
        expect(weighted.filters).toBeUndefined();
      }
    }
    expect(find(stages.get('mirror')!, 'GRPCRoute').spec.rules[0].matches).toEqual([{ headers: [{ name: 'x-canary', type: 'Exact', value: 'always' }] }]);
  });

  test('every object validates against its schema; the Services speak h2c', () => {
    for (const docs of stages.values()) {
      for (const doc of docs) expect(() => validateAgainstSchema(doc)).not.toThrow();
      for (const service of docs.filter((doc) => doc.kind === 'Service')) expect(service.spec.ports[0].appProtocol).toBe('kubernetes.io/h2c');
    }
  });

  test('the schema check is real: a mirror percent that is not a whole number is refused', () => {
    const route = find(stages.get('mirror')!, 'GRPCRoute');
    const bad = JSON.parse(JSON.stringify(route));
    bad.spec.rules[1].filters[0].requestMirror.percent = 'twenty';
    expect(() => validateAgainstSchema(bad)).toThrow(/percent must be integer/);
  }, PROCESS_TEST_TIMEOUT);
});

describe('mirroring with an HTTPRoute and with Istio', () => {
  const app: AppSpec = {
    name: 'web', namespace: 'web', stable: { image: 'web:1' }, canary: { image: 'web:2' },
    routing: { gatewayApi: { parentRefs: [{ name: 'gw' }] }, istio: {} },
    stages: [{ name: 'base', canaryPercent: 0 }, { name: 'shadow', canaryPercent: 0, mirrorPercent: 50 }, { name: 'half', canaryPercent: 50, mirrorPercent: 10 }, { name: 'all', canaryPercent: 100 }],
  };
  const stages = stageManifests(app);
  beforeAll(() => checkGatewayApiSchemas([...stages.values()].flat()), PROCESS_TEST_TIMEOUT);

  test('a mirror stage without counts runs the canary pods its copies need', () => {
    expect(resolveOne(app).plan.stages.find((stage) => stage.name === 'shadow')).toMatchObject({ stableReplicas: 3, canaryReplicas: 2, canaryWeight: 0, mirrorPercent: 50 });
  });

  test.each([['shadow', 50], ['half', 10]])('%s: HTTPRoute RequestMirror and Istio mirror of %i%%, answers by weight', (stage, percent) => {
    const docs = stages.get(stage)!;
    const http = find(docs, 'HTTPRoute').spec.rules.at(-1);
    expect(http.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'web-canary', port: 80 }, percent } }]);
    const weighted = find(docs, 'VirtualService').spec.http.find((route: Manifest) => route.name === 'weighted');
    expect(weighted.mirror).toEqual({ host: 'web.web.svc.cluster.local', subset: 'canary', port: { number: 80 } });
    expect(weighted.mirrorPercentage).toEqual({ value: percent });
    for (const doc of docs) expect(() => validateAgainstSchema(doc)).not.toThrow();
  });

  test('never in rollback, nor in stages that do not ask for it', () => {
    for (const stage of ['base', 'all', 'rollback']) {
      const docs = stages.get(stage)!;
      expect(find(docs, 'HTTPRoute').spec.rules.at(-1).filters).toBeUndefined();
      expect(find(docs, 'VirtualService').spec.http.find((route: Manifest) => route.name === 'weighted').mirror).toBeUndefined();
    }
  });

  test('a mirror stage is gated: the canary gets copies', () => {
    const { spec, plan } = resolveOne({ ...app, verify: { smoke: {} } });
    expect(plan.stages.filter((stage) => isGated(spec, stage)).map((stage) => stage.name)).toEqual(['shadow', 'half', 'all']);
  });
});

describe('bad combinations: the field, the value and the rule', () => {
  const base: AppSpec = { name: 'web', namespace: 'web', stable: { image: 'web:1' }, canary: { image: 'web:2' } };

  test.each<[string, AppSpec, string]>([
    ['mirroring without a router', { ...base, stages: [{ name: 'a', stableReplicas: 3, canaryReplicas: 1, mirrorPercent: 10 }] },
      'apps.0.stages.0.mirrorPercent: is 10: mirroring needs routing (gatewayApi or istio): only a router copies requests'],
    ['mirroring to no canary pod', { ...base, routing: { istio: {} }, stages: [{ name: 'a', stableReplicas: 3, canaryReplicas: 0, mirrorPercent: 10 }] },
      'apps.0.stages.0.mirrorPercent: is 10: the stage runs 0 canary replicas, so the copies would go to no pod; give canaryReplicas of at least 1'],
    ['a mirror stage asked of a plan of your own', { ...base, routing: { istio: {}, mirrorPercent: 10 }, stages: [{ name: 'a', canaryPercent: 50 }] },
      'apps.0.routing.mirrorPercent: adds a mirror stage to the default plan only: with stages of your own, give mirrorPercent on a stage'],
    ['a cookie rule on a GRPCRoute', { ...base, routing: { gatewayApi: { parentRefs: [{ name: 'gw' }], protocol: RouteProtocol.GRPC }, match: [{ cookie: 'canary', value: 'true' }] } },
      'apps.0.routing.match.0: matches cookie "canary": a GRPCRoute matches gRPC metadata (headers) only; match a header instead'],
    ['a mirror of 0%', { ...base, routing: { istio: {} }, stages: [{ name: 'a', canaryPercent: 0, mirrorPercent: 0 }] },
      'apps.0.stages.0.mirrorPercent: is 0: must be a whole number from 1 to 100'],
    ['a protocol that is not one', { ...base, routing: { gatewayApi: { parentRefs: [{ name: 'gw' }], protocol: 'tcp' as never } } },
      'apps.0.routing.gatewayApi.protocol: is "tcp": must be one of http, grpc'],
  ])('%s', (_case, app, expected) => {
    expect(problems(app)).toEqual([expected]);
  });
});
