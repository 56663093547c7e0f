import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { formatStep, stageSteps, type KubectlStep } from '../src/engine/kubectl-steps';
import { loadSpec } from '../src/engine/load';
import { laneServices, routeChecks } from '../src/model/traffic-checks';
import type { AppSpec } from '../src/spec/types';
import { cli } from './helpers';
import { withBaselineTrack } from './plan-moves';
import { resolveOne } from './stage-files';

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
      'apply app.kubernetes.io/component notin (router,verify),track!=canary',
      'wait nginx-deployment-v1',
      'endpoints canary-demo app=nginx,track=stable >= 3',
      'endpoints canary-demo-stable app=nginx,track=stable >= 3',
      'apply app.kubernetes.io/component=router',
      'route httproute/canary-demo Accepted',
      'apply app.kubernetes.io/component!=verify',
    ]);
  });

  test('a baseline track: its pod in the shared Service and its own, before the route gives it weight', () => {
    expect(stepsOf(baselined, 'canary').slice(0, 8)).toEqual([
      'apply app.kubernetes.io/component notin (router,verify),track!=stable',
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
      'apply all',
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
    "  *'get pods'*) printf 'web-canary-1\\nweb-canary-2\\n';;",
    "  *endpointslices*) printf 'web-canary-1\\nweb-stable-1\\nweb-canary-1\\n';;",
    'esac',
  ].join('\n');
  const check = (count: number) => {
    const step = formatStep({ verb: 'endpoints', service: 'web', pods: 'app=web,track=canary', count, lane: 'canary' }, 'shop').replace('seq 60', 'seq 1');
    return spawnSync('sh', ['-c', `kubectl() { ${fake}\n}; ${step} && echo passed`], { encoding: 'utf8' });
  };
  expect(check(1).stdout).toBe('passed\n');
  // web-canary-2 is not listed, web-stable-1 is not the lane's, web-canary-1 counts once.
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
