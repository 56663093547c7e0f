import { spawnSync } from 'node:child_process';
import { App, Chart } from 'cdk8s';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CanaryApp } from '../src/constructs/canary-app';
import { formatStep, stageSteps, type KubectlStep } from '../src/engine/kubectl-steps';
import { loadSpec } from '../src/engine/load';
import { SYNC_WAVE } from '../src/model/moves';
import { endpointChecks, laneServices, routeChecks, TRAFFIC_CHECK_SECONDS } from '../src/model/traffic-checks';
import type { AppSpec } from '../src/spec/types';
import { cli } from './helpers';
import { withBaselineTrack } from './plan-moves';
import { podSecurityViolations, validateAgainstSchema, type Manifest } from './cluster-rules';
import { resolveOne, stageManifests } from './stage-files';

const root = join(__dirname, '..');
const [gateway, istio, sticky, greeter] = loadSpec(join(root, 'examples', 'routing.yaml')).spec.apps;
const baselined = withBaselineTrack(gateway, 'baselined');

/** A step as `verb what`, for tables. */
function brief(step: KubectlStep): string {
  switch (step.verb) {
    case 'apply': return `apply ${step.selector ?? 'all'}`;
    case 'wait': return `wait ${step.deployment}`;
    case 'delete': return `delete ${step.name}`;
    case 'gate': return `gate ${step.job}`;
    case 'endpoints': return `endpoints ${step.service} ${step.pods} >= ${step.count}`;
    case 'route': return `route ${step.check.resource} ${step.check.condition}`;
    case 'drain': return `drain ${step.seconds}`;
    case 'rollout': return `rollout ${step.statefulSet}`;
    case 'revert': return `revert ${step.statefulSet}`;
  }
}

function stepsOf(spec: AppSpec, stage: string): string[] {
  const { spec: app, plan } = resolveOne(spec);
  return stageSteps(app, plan, plan.stages.find((each) => each.name === stage)!, 'dist').map(brief);
}

describe('the Services that carry a lane\'s traffic', () => {
  test.each([
    // app, lane, Services, pods
    ['Gateway API', gateway, 'canary', ['canary-demo', 'canary-demo-canary'], { app: 'nginx', track: 'canary' }],
    ['Gateway API, the baseline track', baselined, 'baseline', ['canary-demo', 'canary-demo-baseline'], { app: 'nginx', track: 'baseline' }],
    ['Istio (subsets of the shared Service)', istio, 'stable', ['canary-demo'], { app: 'nginx', track: 'stable' }],
    ['no router', sticky, 'canary', ['canary-demo'], { app: 'nginx', track: 'canary' }],
  ] as const)('%s', (_label, spec, lane, services, pods) => {
    expect(laneServices(resolveOne(spec).spec, lane)).toEqual({ services, pods });
  });

  test('a worker has none: no Service, nothing to wait for', () => {
    const { spec, plan } = resolveOne(sticky);
    const worker = { ...spec, worker: true };
    expect(laneServices(worker, 'canary').services).toEqual([]);
    expect(stageSteps(worker, plan, plan.stages[1], 'dist').map(brief)).not.toContainEqual(expect.stringMatching(/^endpoints/));
  });
});

describe('the route checks', () => {
  test.each([
    ['Gateway API: its one parent', gateway, [{ condition: 'Accepted', resource: 'httproute/canary-demo', parents: 1 }]],
    ['Gateway API: two parents', { ...gateway, routing: { ...gateway.routing, gatewayApi: { ...gateway.routing!.gatewayApi!, parentRefs: [{ name: 'a' }, { name: 'b', sectionName: 'https' }] } } }, [{ condition: 'Accepted', resource: 'httproute/canary-demo', parents: 2 }]],
    ['GRPCRoute', greeter, [{ condition: 'Accepted', resource: 'grpcroute/greeter', parents: 1 }]],
    ['Gateway API, waitForAccepted: false', { ...gateway, routing: { ...gateway.routing, gatewayApi: { ...gateway.routing!.gatewayApi!, waitForAccepted: false } } }, []],
    // Istio reports status only with its status feature on: the wait is asked for.
    ['Istio', istio, []],
    ['Istio, waitForReconciled', { ...istio, routing: { ...istio.routing, istio: { ...istio.routing!.istio, waitForReconciled: true } } }, [{ condition: 'Reconciled', resource: 'virtualservice/canary-demo' }]],
  ] as const)('%s', (_label, spec, checks) => {
    expect(routeChecks(resolveOne(spec as AppSpec).spec)).toEqual(checks);
  });
});

describe('the steps of a move wait for endpoints after each rollout, and for the route, before anything shrinks', () => {
  test('Gateway API, rollback (after promote): stable\'s pods in both Services, then the route, accepted, then the canary shrinks', () => {
    expect(stepsOf(gateway, 'rollback')).toEqual([
      'apply app.kubernetes.io/component notin (router,verify,endpoint-check),track!=canary',
      'wait nginx-deployment-v1',
      'endpoints canary-demo app=nginx,track=stable >= 3',
      'endpoints canary-demo-stable app=nginx,track=stable >= 3',
      'apply app.kubernetes.io/component=router',
      'route httproute/canary-demo Accepted',
      'apply app.kubernetes.io/component notin (verify,endpoint-check)',
    ]);
  });

  test('a baseline track: its pod in the shared Service and its own, before the route gives it weight', () => {
    expect(stepsOf(baselined, 'canary').slice(0, 8)).toEqual([
      'apply app.kubernetes.io/component notin (router,verify,endpoint-check),track!=stable',
      'wait nginx-deployment-canary',
      'endpoints canary-demo app=nginx,track=canary >= 1',
      'endpoints canary-demo-canary app=nginx,track=canary >= 1',
      'wait baselined-baseline',
      'endpoints canary-demo app=nginx,track=baseline >= 1',
      'endpoints canary-demo-baseline app=nginx,track=baseline >= 1',
      'apply app.kubernetes.io/component=router',
    ]);
  });

  test('no router, finish: stable\'s pods listed before the canary is deleted', () => {
    expect(stepsOf(sticky, 'baseline')).toEqual([
      'apply app.kubernetes.io/component!=endpoint-check',
      'wait nginx-deployment-v1',
      'endpoints canary-demo app=nginx,track=stable >= 3',
      'delete nginx-deployment-canary',
    ]);
  });
});

test('an endpoint check as the shell runs it: it counts each pod once, only the lane\'s, and fails with what it waited for', () => {
  // kubectl as a script: two pods of the lane, one of another lane, all listed ready, one in two slices.
  const fake = [
    'case "$*" in',
    "  *'get pods'*) printf 'web-canary-1\\nweb-canary-2\\nweb-canary-3\\n';;",
    "  *endpointslices*) printf 'true/web-canary-1\\ntrue/web-stable-1\\ntrue/web-canary-1\\nfalse/web-canary-2\\n/web-canary-3\\n';;",
    'esac',
  ].join('\n');
  const check = (count: number) => {
    const [endpoints] = endpointChecks(resolveOne({ name: 'web', namespace: 'shop', stable: { image: 'web:1' }, canary: { image: 'web:2' } }).spec, [{ label: 'canary', replicas: count }]);
    const step = formatStep({ verb: 'endpoints', ...endpoints }, 'shop').replace('seq 60', 'seq 1');
    return spawnSync('sh', ['-c', `kubectl() { ${fake}\n}; ${step} && echo passed`], { encoding: 'utf8' });
  };
  expect(check(1).stdout).toBe('passed\n');
  // web-canary-2 is listed not ready, web-canary-3 of unknown readiness, web-stable-1 is not the lane's, web-canary-1 counts once.
  const failed = check(2);
  expect(failed.status).toBe(1);
  expect(failed.stdout).toBe('');
  expect(failed.stderr).toBe('Service web: fewer than 2 canary pods are ready endpoints after 60 s; traffic stays where it is\n');
});

test('a route check as the shell runs it: parents that accepted an older generation do not count', () => {
  const check = (lines: string) => {
    const step = formatStep({ verb: 'route', check: { condition: 'Accepted', resource: 'httproute/web', parents: 2 } }, 'shop').replace('seq 60', 'seq 1');
    return spawnSync('sh', ['-c', `kubectl() { printf '${lines}'; }; ${step} && echo passed`], { encoding: 'utf8' }).stdout;
  };
  expect(check('4\\nTrue/4\\nTrue/4\\n')).toBe('passed\n');
  expect(check('4\\nTrue/4\\nTrue/3\\n')).toBe('');
  expect(check('4\\nTrue/4\\nFalse/4\\n')).toBe('');
  // No Gateway controller: the route has no status at all.
  expect(check('4\\n')).toBe('');
});

test('each stage\'s printed command, a step a line, is one valid shell command', async () => {
  const result = await cli('plan', '-c', join(root, 'examples', 'routing.yaml'), '-o', 'examples/dist');
  expect(result.code).toBe(0);
  const blocks = result.out.split('\n').reduce<string[][]>((all, line) => {
    const command = /^ {2}(\S+) +(kubectl .*)$/.exec(line);
    if (command) all.push([command[2]]);
    else if (/^ {12}&& /.test(line)) all[all.length - 1].push(line);
    return all;
  }, []);
  expect(blocks.length).toBeGreaterThan(20);
  for (const block of blocks) {
    const syntax = spawnSync('sh', ['-n', '-c', block.join('\n')], { encoding: 'utf8' });
    expect({ block, stderr: syntax.stderr, status: syntax.status }).toEqual({ block, stderr: '', status: 0 });
  }
});

describe('the endpoint check Argo CD runs: a Sync hook Job between the growing tracks and the route', () => {
  const walkthrough = loadSpec(join(root, 'canary.yaml')).spec.apps[0];
  const component = (doc: Manifest) => doc.metadata.labels?.['app.kubernetes.io/component'];
  const checkObjects = (docs: Manifest[]) => docs.filter((doc) => component(doc) === 'endpoint-check');
  const jobOf = (docs: Manifest[]) => checkObjects(docs).find((doc) => doc.kind === 'Job');
  const checksOf = (job: Manifest) => JSON.parse(job.spec.template.spec.containers[0].args[0]);
  const wave = (doc: Manifest) => Number(doc.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);

  test.each([
    // app, stage: each Service and the count of the growing lane's pods it must list (none: no Job)
    ['walkthrough', walkthrough, 'baseline', ['canary-demo app=nginx,track=stable 3']],
    ['walkthrough', walkthrough, 'canary', ['canary-demo app=nginx,track=canary 1']],
    ['walkthrough', walkthrough, 'expand', ['canary-demo app=nginx,track=canary 3']],
    // Nothing grows into promote: the canary kept its 3, stable shrinks.
    ['walkthrough', walkthrough, 'promote', []],
    ['walkthrough', walkthrough, 'rollback', ['canary-demo app=nginx,track=stable 3']],
    ['Gateway API', gateway, 'canary', ['canary-demo app=nginx,track=canary 1', 'canary-demo-canary app=nginx,track=canary 1']],
    ['Istio', istio, 'rollback', ['canary-demo app=nginx,track=stable 3']],
    ['a baseline track', baselined, 'canary', [
      'canary-demo app=nginx,track=canary 1', 'canary-demo-canary app=nginx,track=canary 1',
      'canary-demo app=nginx,track=baseline 1', 'canary-demo-baseline app=nginx,track=baseline 1',
    ]],
  ] as const)('%s, %s', (_label, spec, stage, expected) => {
    const docs = stageManifests(spec).get(stage)!;
    const job = jobOf(docs);
    const checks = job ? checksOf(job).checks.map((check: { service: string; pods: string; count: number }) => `${check.service} ${check.pods} ${check.count}`) : [];
    expect(checks).toEqual(expected);
    // The access and code stand in every stage (never pruned while the release runs); the Job only where a track grows.
    expect(checkObjects(docs).map((doc) => doc.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', ...expected.length ? ['Job'] : []]);
  });

  test('its wave is after every track that grows and before the smoke check, the routes and every track that shrinks', () => {
    for (const spec of [walkthrough, gateway, istio, baselined]) {
      for (const [stage, docs] of stageManifests(spec)) {
        const job = jobOf(docs);
        if (!job) continue;
        expect([stage, wave(job)]).toEqual([stage, SYNC_WAVE.endpoints]);
        const others = docs.filter((doc) => doc !== job && wave(doc) !== 0);
        const growing = others.filter((doc) => doc.kind === 'Deployment' && wave(doc) === SYNC_WAVE.grow);
        expect(growing.length).toBeGreaterThan(0);
        for (const doc of others) expect([doc.kind, doc.metadata.name, wave(doc) === SYNC_WAVE.grow || wave(doc) > wave(job)]).toEqual([doc.kind, doc.metadata.name, true]);
        // Its access and code are there before it: wave 0.
        for (const doc of checkObjects(docs).filter((each) => each !== job)) expect(wave(doc)).toBe(0);
      }
    }
  });

  test('the Job: a Sync hook made anew each sync, bounded, no retries, restricted, under its own account, running this package\'s code', () => {
    const docs = stageManifests(gateway).get('canary')!;
    const job = jobOf(docs);
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', 'argocd.argoproj.io/sync-wave': String(SYNC_WAVE.endpoints),
    });
    expect(job.spec).toMatchObject({ activeDeadlineSeconds: TRAFFIC_CHECK_SECONDS + 60, backoffLimit: 0 });
    const pod = job.spec.template.spec;
    expect(podSecurityViolations(pod, 'restricted')).toEqual([]);
    expect(pod).toMatchObject({ serviceAccountName: 'nginx-gateway-endpoints', automountServiceAccountToken: true, restartPolicy: 'Never' });
    const [container] = pod.containers;
    expect(container.image).toBe('node:24.11.1-alpine');
    expect(container.command).toEqual(['node', '/check/check-endpoints.js']);
    expect(container.args[1]).toBe('/var/run/secrets/kubernetes.io/serviceaccount');
    expect(checksOf(job)).toEqual({
      namespace: 'dev-gateway', seconds: TRAFFIC_CHECK_SECONDS,
      checks: ['canary-demo', 'canary-demo-canary'].map((service) => ({
        service, pods: 'app=nginx,track=canary', count: 1,
        message: `Service ${service}: fewer than 1 canary pods are ready endpoints after 60 s; traffic stays where it is`,
      })),
    });
    const code = docs.find((doc) => doc.kind === 'ConfigMap' && doc.metadata.name === pod.volumes[0].configMap.name);
    expect(code).toMatchObject({ immutable: true, data: { 'check-endpoints.js': readFileSync(join(root, 'verify', 'check-endpoints.js'), 'utf8') } });
    expect(code.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'PruneLast=true' });
    // No Service of the app selects its pod.
    expect(job.spec.template.metadata.labels).not.toHaveProperty('app');
    for (const doc of checkObjects(docs)) expect(() => validateAgainstSchema(doc)).not.toThrow();
  });

  test('its Role may list EndpointSlices and pods in the app\'s namespace, and nothing else; the binding grants it to the Job\'s account alone', () => {
    const docs = stageManifests(gateway).get('canary')!;
    const role = checkObjects(docs).find((doc) => doc.kind === 'Role');
    expect(role.rules).toEqual([
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    ]);
    expect(checkObjects(docs).find((doc) => doc.kind === 'RoleBinding')).toMatchObject({
      metadata: { name: 'nginx-gateway-endpoints', namespace: 'dev-gateway' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'nginx-gateway-endpoints' },
      subjects: [{ kind: 'ServiceAccount', name: 'nginx-gateway-endpoints', namespace: 'dev-gateway' }],
    });
  });

  test('the image: endpointCheck.image, else the gate\'s, else the default; enabled: false leaves it out on both roads', () => {
    const image = (spec: AppSpec) => jobOf(stageManifests(spec).get('canary')!)?.spec.template.spec.containers[0].image;
    expect(image({ ...gateway, verify: { ...gateway.verify, image: 'registry.example/node:24' } })).toBe('registry.example/node:24');
    expect(image({ ...gateway, endpointCheck: { image: 'mirror.example/node:24.11.1-alpine' } })).toBe('mirror.example/node:24.11.1-alpine');
    const off = { ...gateway, endpointCheck: { enabled: false } };
    expect([...stageManifests(off).values()].flatMap(checkObjects)).toEqual([]);
    expect(stepsOf(off, 'canary')[0]).toBe('apply app.kubernetes.io/component notin (router,verify),track!=stable');
    // The kubectl steps still check from the shell.
    expect(stepsOf(off, 'canary')).toContain('endpoints canary-demo-canary app=nginx,track=canary >= 1');
  });

  test('bad settings are refused with the field, the value and the rule', () => {
    expect(() => resolveOne({ ...gateway, endpointCheck: { image: 'node:latest!' } } as AppSpec)).toThrow(/"apps\[0\]\.endpointCheck\.image" is "node:latest!": must be an image reference/);
    expect(() => resolveOne({ ...gateway, endpointCheck: { enabled: 'yes' } } as unknown as AppSpec)).toThrow(/"apps\[0\]\.endpointCheck\.enabled" is "yes": must be of type boolean/);
    // The construct road (cdk8s synth, a user's chart) says the same, naming the construct.
    const { namespace, stable, canary } = gateway;
    expect(() => new CanaryApp(new Chart(new App(), 'c'), 'web', { namespace, stable, canary, endpointCheck: { image: 'node:latest!' } }))
      .toThrow(/^CanaryApp "web": "endpointCheck\.image" is "node:latest!": must be an image reference/);
  });
});

describe('the endpoint check\'s code, where it cannot measure', () => {
  const script = join(root, 'verify', 'check-endpoints.js');
  const input = JSON.stringify({ namespace: 'shop', seconds: 60, checks: [{ service: 'web', pods: 'app=web,track=canary', count: 1, message: 'Service web: fewer than 1 canary pods are ready endpoints after 60 s; traffic stays where it is' }] });
  const env = { PATH: process.env.PATH, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '1' };

  test('no service account token where the pod reads it: fails at once, never passes', () => {
    const started = Date.now();
    const ran = spawnSync(process.execPath, [script, input, join(root, 'no-such-dir')], { env, encoding: 'utf8' });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toMatch(/^Service web: fewer than 1 canary pods are ready endpoints after 60 s; traffic stays where it is: ENOENT: no such file or directory, open '.*no-such-dir\/token'\n$/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  test('without its input or the API server\'s address: a usage error', () => {
    expect(spawnSync(process.execPath, [script, input], { env, encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync(process.execPath, [script, input, '/tmp'], { env: { PATH: process.env.PATH }, encoding: 'utf8' }).status).toBe(2);
  });
});
