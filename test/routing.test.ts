import { App, Chart, Testing } from 'cdk8s';
import { CanaryApp } from '../src/constructs/canary-app';
import { checkOutput } from '../src/io/check';
import { OUTPUT_LAYOUT } from '../src/render/paths';
import { cookieRegex, headerMatch } from '../src/model/routing';
import { SessionAffinity } from '../src/spec/types';
import { loadSpec } from '../src/engine/load';
import { synthesize } from '../src/render/synth';
import { checkGatewayApiSchemas, parseManifests, podSecurityViolations, validateAgainstSchema, type Manifest } from './cluster-rules';
import { PROCESS_TEST_TIMEOUT } from './helpers';
import { find, renderOne, selects, stageInvariant, stageManifests } from './stage-files';

const apps = loadSpec(`${__dirname}/../examples/routing.yaml`).spec.apps;
const [gateway, istio, sticky] = apps;

const stages = stageManifests;
const matches = selects;
const replicas = (docs: Manifest[], name: string) => find(docs, 'Deployment', name)?.spec.replicas ?? 0;

// stage -> [stable replicas, canary replicas, canary weight, match rules stand]
const expected: Record<string, [number, number, number, boolean]> = {
  baseline: [3, 0, 0, false],
  canary: [3, 1, 5, true],
  quarter: [3, 1, 25, true],
  expand: [3, 3, 50, true],
  promote: [0, 3, 100, true],
  rollback: [3, 0, 0, false],
};

describe.each([['Gateway API', gateway], ['Istio', istio]])('%s variant', (_name, app) => {
  const byStage = stages(app);
  // The Gateway API schemas are checked in a process: one for all the stages.
  beforeAll(() => checkGatewayApiSchemas([...byStage.values()].flat()), PROCESS_TEST_TIMEOUT);

  test('has the plan\'s stages', () => {
    expect([...byStage.keys()]).toEqual(Object.keys(expected));
  });

  describe.each(Object.entries(expected))('stage %s', (stage, [stable, canary, weight, matchRules]) => {
    const docs = byStage.get(stage)!;

    test('every object validates against its schema', () => {
      for (const doc of docs) expect(() => validateAgainstSchema(doc)).not.toThrow();
    });

    test(`runs ${stable} stable and ${canary} canary pods`, () => {
      expect(replicas(docs, 'nginx-deployment-v1')).toBe(stable);
      expect(replicas(docs, 'nginx-deployment-canary')).toBe(canary);
    });

    test(`weights ${100 - weight}/${weight}, summing to 100, each to a track that has pods`, () => {
      const weights = weightsOf(docs);
      expect(weights).toEqual({ stable: 100 - weight, canary: weight });
      if (weights.canary > 0) expect(canary).toBeGreaterThan(0);
      if (weights.stable > 0) expect(stable).toBeGreaterThan(0);
    });

    test(`match rules ${matchRules ? 'stand' : 'are absent'}`, () => {
      expect(matchRulesOf(docs)).toEqual(matchRules ? ['x-canary', 'x-user-region', 'cookie'] : []);
    });

    test('pods still meet the Namespace\'s Pod Security level', () => {
      for (const deployment of docs.filter((d) => d.kind === 'Deployment')) {
        expect(podSecurityViolations(deployment.spec.template.spec, 'baseline')).toEqual([]);
      }
    });
  });

  test('only replicas, weights and match rules change between stages', () => {
    const fixed = [...byStage.values()].map((docs) => docs
      // The gate's Job stands in the stages that send the canary traffic, and names its stage; the
      // endpoint check and its access in the stages a track grows into (traffic-checks.test.ts).
      .filter((doc) => !['HTTPRoute', 'VirtualService', 'Job'].includes(doc.kind))
      .filter((doc) => doc.metadata.labels['app.kubernetes.io/component'] !== 'endpoint-check')
      .filter((doc) => doc.metadata.name !== 'nginx-deployment-canary')
      .map(stageInvariant));
    for (const docs of fixed) expect(docs).toEqual(fixed[0]);
  });

  test.each(Object.keys(expected))('stage %s equals CanaryApp rendering it alone', (stage) => {
    const chart = new Chart(new App(), 'test');
    new CanaryApp(chart, app.name, { ...app, stage });
    expect(byStage.get(stage)).toEqual(Testing.synth(chart));
  });
});

/** Canary and stable weights of the weighted rule, from whichever router the file holds. */
function weightsOf(docs: Manifest[]): { stable: number; canary: number } {
  const route = find(docs, 'HTTPRoute');
  if (route) {
    const refs = route.spec.rules[route.spec.rules.length - 1].backendRefs;
    return { stable: refs.find((r: Manifest) => r.name.endsWith('-stable')).weight, canary: refs.find((r: Manifest) => r.name.endsWith('-canary')).weight };
  }
  const weighted = find(docs, 'VirtualService').spec.http.find((h: Manifest) => h.name === 'weighted').route;
  return { stable: weighted.find((r: Manifest) => r.destination.subset === 'stable').weight, canary: weighted.find((r: Manifest) => r.destination.subset === 'canary').weight };
}

/** Header names of the rule that sends matching requests to the canary ('cookie' for the Cookie header). */
function matchRulesOf(docs: Manifest[]): string[] {
  const route = find(docs, 'HTTPRoute');
  if (route) {
    const rule = route.spec.rules.find((r: Manifest) => r.matches);
    if (!rule) return [];
    expect(rule.backendRefs).toEqual([{ name: 'canary-demo-canary', port: 80 }]);
    return rule.matches.map((m: Manifest) => m.headers[0].name.toLowerCase());
  }
  const rule = find(docs, 'VirtualService').spec.http.find((h: Manifest) => h.name === 'match-canary');
  if (!rule) return [];
  expect(rule.route).toEqual([{ destination: { host: 'canary-demo.dev-istio.svc.cluster.local', port: { number: 80 }, subset: 'canary' } }]);
  return rule.match.flatMap((m: Manifest) => Object.keys(m.headers));
}

describe('Gateway API objects', () => {
  const docs = stages(gateway).get('canary')!;

  test('the HTTPRoute attaches to the named Gateway and host, and its backends are Services in the same file', () => {
    const route = find(docs, 'HTTPRoute');
    expect(route.spec.parentRefs).toEqual([{ name: 'shared-gateway', namespace: 'infra' }]);
    expect(route.spec.hostnames).toEqual(['canary-demo.example.com']);
    for (const rule of route.spec.rules) {
      for (const ref of rule.backendRefs) {
        const service = find(docs, 'Service', ref.name);
        expect(service).toBeDefined();
        expect(service.spec.ports.map((p: Manifest) => p.port)).toContain(ref.port);
      }
    }
  });

  test('a Service per track selects that track only; the shared one selects both', () => {
    const stable = find(docs, 'Deployment', 'nginx-deployment-v1').spec.template.metadata.labels;
    const canary = find(docs, 'Deployment', 'nginx-deployment-canary').spec.template.metadata.labels;
    const selector = (name: string) => find(docs, 'Service', name).spec.selector;
    expect(selector('canary-demo-stable')).toEqual({ app: 'nginx', track: 'stable' });
    expect(selector('canary-demo-canary')).toEqual({ app: 'nginx', track: 'canary' });
    expect([matches(selector('canary-demo-stable'), stable), matches(selector('canary-demo-stable'), canary)]).toEqual([true, false]);
    expect([matches(selector('canary-demo-canary'), stable), matches(selector('canary-demo-canary'), canary)]).toEqual([false, true]);
    expect([matches(selector('canary-demo'), stable), matches(selector('canary-demo'), canary)]).toEqual([true, true]);
    expect(find(docs, 'Service', 'canary-demo-canary').spec.type).toBe('ClusterIP');
  });

  test('at 0% the canary Service still exists, so the route stays valid', () => {
    const baseline = stages(gateway).get('baseline')!;
    expect(find(baseline, 'Deployment', 'nginx-deployment-canary')).toBeUndefined();
    expect(find(baseline, 'Service', 'canary-demo-canary')).toBeDefined();
  });

  test('match rules become header conditions, a cookie as a Cookie header expression', () => {
    const rule = find(docs, 'HTTPRoute').spec.rules[0];
    expect(rule.matches).toEqual([
      { headers: [{ name: 'x-canary', type: 'Exact', value: 'always' }] },
      { headers: [{ name: 'x-user-region', type: 'RegularExpression', value: 'cn-north-.*' }] },
      { headers: [{ name: 'Cookie', type: 'RegularExpression', value: '^(.*;\\s*)?canary=true(;.*)?$' }] },
    ]);
  });
});

describe('Istio objects', () => {
  const docs = stages(istio).get('canary')!;

  test('the DestinationRule\'s subsets select exactly the Deployments\' pods', () => {
    const rule = find(docs, 'DestinationRule');
    expect(rule.spec.host).toBe('canary-demo.dev-istio.svc.cluster.local');
    for (const [subset, deployment] of [['stable', 'nginx-deployment-v1'], ['canary', 'nginx-deployment-canary']]) {
      const labels = rule.spec.subsets.find((s: Manifest) => s.name === subset).labels;
      expect(labels).toEqual(find(docs, 'Deployment', deployment).spec.selector.matchLabels);
    }
  });

  test('the VirtualService binds the given hosts and gateways, header names in lower case', () => {
    const service = find(docs, 'VirtualService');
    expect(service.spec.hosts).toEqual(['canary-demo.dev-istio.svc.cluster.local', 'canary-demo.example.com']);
    expect(service.spec.gateways).toEqual(['istio-system/public-gateway', 'mesh']);
    expect(service.spec.http[0].match).toEqual([
      { headers: { 'x-canary': { exact: 'always' } } },
      { headers: { 'x-user-region': { regex: 'cn-north-.*' } } },
      { headers: { cookie: { regex: '^(.*;\\s*)?canary=true(;.*)?$' } } },
    ]);
  });

  test('no per-track Services for the routes: subsets do that job; the gate adds them, to reach the canary alone', () => {
    const ungated = stages({ ...istio, verify: undefined }).get('canary')!;
    expect(ungated.filter((d) => d.kind === 'Service').map((d) => d.metadata.name)).toEqual(['canary-demo']);
    expect(docs.filter((d) => d.kind === 'Service').map((d) => d.metadata.name)).toEqual(['canary-demo', 'canary-demo-stable', 'canary-demo-canary']);
  });
});

describe('session affinity without a router', () => {
  const byStage = stages(sticky);

  test('the shared Service pins client IPs for the given time, in every stage', () => {
    for (const docs of byStage.values()) {
      const service = find(docs, 'Service');
      expect(service.spec.sessionAffinity).toBe('ClientIP');
      expect(service.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 3600 } });
      for (const doc of docs) expect(() => validateAgainstSchema(doc)).not.toThrow();
    }
  });

  test('the split is still the replica ratio, with no route objects', () => {
    const beside = ['Namespace', 'Service', 'PodDisruptionBudget', 'Deployment', 'ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'Job'];
    expect([...byStage.values()].map((docs) => docs.map((d) => d.kind).filter((k) => !beside.includes(k)))).toEqual([[], [], [], [], []]);
    expect([...byStage.values()].every((docs) => docs.every((d) => d.kind !== 'Job' || d.metadata.name === 'nginx-sticky-endpoints'))).toBe(true);
    expect(replicas(byStage.get('canary')!, 'nginx-deployment-canary')).toBe(1);
  });

  test('defaults to Kubernetes\' 10800 seconds', () => {
    const docs = stages({ ...sticky, service: { sessionAffinity: SessionAffinity.CLIENT_IP } }).get('canary')!;
    expect(find(docs, 'Service').spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });
});

test('without routing the walkthrough renders no route objects and no per-track Services', () => {
  const walkthrough = loadSpec(`${__dirname}/../canary.yaml`).spec.apps[0];
  const kinds = renderOne(walkthrough).flatMap((file) => parseManifests(file.content).map((d) => `${d.kind}/${d.metadata.name}`));
  expect(new Set(kinds)).toEqual(new Set([
    'Namespace/dev', 'Service/canary-demo', 'PodDisruptionBudget/nginx-deployment-v1', 'PodDisruptionBudget/nginx-deployment-canary',
    'Deployment/nginx-deployment-v1', 'Deployment/nginx-deployment-canary',
    // The endpoint check, which Argo CD runs (see traffic-checks.test.ts).
    'ServiceAccount/nginx-endpoints', 'Role/nginx-endpoints', 'RoleBinding/nginx-endpoints', expect.stringMatching(/^ConfigMap\/nginx-endpoints-/), 'Job/nginx-endpoints',
  ]));
});

describe('match rule helpers', () => {
  const regex = new RegExp(cookieRegex('canary', 'true'));

  test.each([
    ['canary=true', true],
    ['a=1; canary=true', true],
    ['canary=true; b=2', true],
    ['a=1;canary=true;b=2', true],
    ['notcanary=true', false],
    ['canary=truer', false],
    ['canary=false', false],
  ])('the cookie expression on %j -> %s', (header, matched) => {
    expect(regex.test(header)).toBe(matched);
  });

  test('escapes cookie names and values', () => {
    expect(cookieRegex('a.b', 'x+y')).toBe('^(.*;\\s*)?a\\.b=x\\+y(;.*)?$');
  });

  test.each([
    [{ header: 'x-canary', value: 'always' }, { name: 'x-canary', type: 'Exact', value: 'always' }],
    [{ header: 'x-user-region', regex: 'cn-.*' }, { name: 'x-user-region', type: 'RegularExpression', value: 'cn-.*' }],
    [{ cookie: 'beta', value: '1' }, { name: 'Cookie', type: 'RegularExpression', value: '^(.*;\\s*)?beta=1(;.*)?$' }],
  ])('headerMatch(%j)', (rule, match) => {
    expect(headerMatch(rule)).toEqual(match);
  });
});

test('the committed examples/dist is what examples/routing.yaml produces', () => {
  const files = synthesize({ apps }, '../routing.yaml');
  expect(checkOutput(`${__dirname}/../examples/dist`, files, { spec: '../routing.yaml', apps: apps.map((app) => app.name), layout: OUTPUT_LAYOUT })).toEqual([]);
});

describe('east-west routes on the mesh\'s own Service (GAMMA, examples/mesh.yaml)', () => {
  const [mesh] = loadSpec(`${__dirname}/../examples/mesh.yaml`).spec.apps;
  const byStage = stages(mesh);
  beforeAll(() => checkGatewayApiSchemas([...byStage.values()].flat()), PROCESS_TEST_TIMEOUT);

  test('the HTTPRoute attaches to the Service the clients call, in the core group, with no host names; its backends are the track Services', () => {
    const route = find(byStage.get('half')!, 'HTTPRoute');
    expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'inventory' }]);
    expect(route.spec.hostnames).toBeUndefined();
    expect(route.spec.rules.at(-1).backendRefs).toEqual([{ name: 'inventory-stable', port: 80, weight: 50 }, { name: 'inventory-canary', port: 80, weight: 50 }]);
    for (const doc of byStage.get('half')!) expect(() => validateAgainstSchema(doc)).not.toThrow();
  });

  test('a Service parent without its group gets the core group written out; a Gateway parent is written as given', () => {
    const spec = (parentRefs: object[]) => ({ ...mesh, routing: { gatewayApi: { parentRefs } } }) as typeof mesh;
    const routeOf = (parentRefs: object[]) => find(stages(spec(parentRefs)).get('canary')!, 'HTTPRoute').spec.parentRefs;
    expect(routeOf([{ kind: 'Service', name: 'inventory', sectionName: 'http' }])).toEqual([{ group: '', kind: 'Service', name: 'inventory', sectionName: 'http' }]);
    // Gateway API fills a Gateway's group and kind itself; a Service's group it would fill wrong.
    expect(routeOf([{ name: 'gw' }, { kind: 'Gateway', name: 'gw2' }])).toEqual([{ name: 'gw' }, { kind: 'Gateway', name: 'gw2' }]);
  });
});
