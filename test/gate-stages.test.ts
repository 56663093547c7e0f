import { SYNC_WAVE } from '../src/model/moves';
/**
 * The gate in the stage files and the plan: the smoke check before a route gives the canary more
 * traffic, the analysis after the stage, and the settings of both as the check code reads them.
 */
import { join } from 'node:path';
import type { AppSpec } from '../src/spec/types';
import { verifyChecks } from '../src/model/gate';
import { formatStep, stageSteps } from '../src/engine/kubectl-steps';
import { checkGatewayApiSchemas, validateAgainstSchema, type Manifest } from './cluster-rules';
import { PROCESS_TEST_TIMEOUT, root, run } from './helpers';
import { problemsOf, resolveOne, stageManifests } from './stage-files';

const WAVE = 'argocd.argoproj.io/sync-wave';

const routed: AppSpec = {
  name: 'shop', namespace: 'shop', port: 8080,
  stable: { image: 'shop:1.0', replicas: 3 }, canary: { image: 'shop:1.1', replicas: 3 },
  routing: { gatewayApi: { parentRefs: [{ name: 'gw' }] }, match: [{ header: 'x-canary', value: 'on' }] },
  stages: [
    { name: 'baseline', canaryPercent: 0 }, { name: 'dark', canaryPercent: 0, canaryReplicas: 1 }, { name: 'five', canaryPercent: 5 },
    { name: 'again', canaryPercent: 5, canaryReplicas: 2 }, { name: 'half', canaryPercent: 50, canaryReplicas: 3 }, { name: 'all', canaryPercent: 100 },
  ],
  verify: { smoke: { path: '/healthz' }, prometheus: { url: 'http://prometheus:9090', interval: '1m', count: 5, failureLimit: 1, initialDelay: '2m', queries: [{ name: 'errors', query: 'sum(x)', max: 0.01 }] } },
};

const wave = (doc: Manifest | undefined) => (doc ? Number(doc.metadata.annotations?.[WAVE] ?? 0) : undefined);
const smokeOf = (docs: Manifest[]) => docs.find((doc) => doc.kind === 'Job' && doc.metadata.name === 'shop-smoke');

describe('the smoke check before traffic moves', () => {
  const stages = stageManifests(routed);
  // The Gateway API schemas are checked in a process: one for all the stages.
  beforeAll(() => checkGatewayApiSchemas([...stages.values()].flat()), PROCESS_TEST_TIMEOUT);

  test.each([
    // stage, smoke Job, why
    ['baseline', false, 'no canary'],
    ['dark', true, 'match rules start to send users to the canary'],
    ['five', true, 'the weight grows from 0 to 5'],
    ['again', false, 'the same weight and rules as the stage before'],
    ['half', true, 'the weight grows'],
    ['all', true, 'the weight grows'],
    ['rollback', false, 'traffic only leaves the canary'],
  ])('%s: smoke Job %s (%s)', (stage, expected) => {
    const docs = stages.get(stage)!;
    const smoke = smokeOf(docs);
    expect(smoke !== undefined).toBe(expected);
    if (!smoke) return;
    const canary = docs.find((doc) => doc.kind === 'Deployment' && doc.metadata.name === 'shop-canary');
    const route = docs.find((doc) => doc.kind === 'HTTPRoute');
    // After the growing canary, before the route: a Sync hook, so a failure stops the sync before the route moves.
    expect(smoke.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    // After the canary's wave where it grows (when it keeps its size, it is ready already), before the route's.
    if (wave(canary)! < wave(route)!) expect(wave(smoke)).toBeGreaterThan(wave(canary)!);
    expect(wave(smoke)).toBe(SYNC_WAVE.smoke);
    expect(wave(route)).toBe(SYNC_WAVE.route);
    expect(smoke.spec.template.spec.containers[0].command).toEqual(['node', '/verify/run-checks.js', '/verify/smoke.json']);
    expect(() => validateAgainstSchema(smoke)).not.toThrow();
  });

  test('the smoke checks hold the smoke check alone; the analysis all of them', () => {
    const configMap = stages.get('five')!.find((doc) => doc.kind === 'ConfigMap' && doc.metadata.name.startsWith('shop-verify-'))!;
    expect(JSON.parse(configMap.data['smoke.json'])).not.toHaveProperty('prometheus');
    expect(JSON.parse(configMap.data['smoke.json']).smoke.path).toBe('/healthz');
    expect(JSON.parse(configMap.data['checks.json']).prometheus).toMatchObject({ interval: 60, count: 5, failureLimit: 1, initialDelay: 120 });
  });

  test('plan --json runs the smoke Job after the canary is ready and before the router step, and rolls back without the route when it fails', () => {
    const result = run(['plan', 'nginx-gateway', '--json', '-c', join(root, 'examples', 'routing.yaml'), '-o', 'out']);
    expect(result.status).toBe(0);
    const stage = JSON.parse(result.stdout).apps[0].stages.find((each: { name: string }) => each.name === 'quarter');
    const steps: string[] = stage.steps;
    const smoke = steps.findIndex((step) => step.includes('job/nginx-gateway-smoke') && step.startsWith('{ for i in'));
    const router = steps.findIndex((step) => step.endsWith('-l app.kubernetes.io/component=router'));
    expect(smoke).toBeGreaterThan(-1);
    expect(smoke).toBeLessThan(router);
    expect(steps[smoke - 1]).toBe("kubectl apply -f out/nginx-gateway/stages/03-quarter.k8s.yaml -l 'app.kubernetes.io/component=verify,cdk8s-canary/check!=analysis'");
    // On failure: its logs, then the rollback stage's steps, and the command fails; this stage's route is not among them.
    expect(steps[smoke]).toMatch(/\*\) kubectl logs -n dev-gateway job\/nginx-gateway-smoke; .*rollback\.k8s\.yaml.*; false;; esac; \}$/);
    expect(steps[smoke]).not.toContain('03-quarter.k8s.yaml');
  }, PROCESS_TEST_TIMEOUT);

  test('without a router, the canary takes traffic as soon as it is ready: no smoke Job, the gate after the stage stays', () => {
    const plain = stageManifests({ ...routed, routing: undefined, stages: undefined });
    for (const [, docs] of plain) expect(smokeOf(docs)).toBeUndefined();
    expect(plain.get('canary')!.some((doc) => doc.kind === 'Job' && doc.metadata.name === 'shop-verify')).toBe(true);
  });
});

describe('the analysis as the check code reads it', () => {
  test('durations in seconds, a deadline before the Job\'s, comparisons against stable, a notice', () => {
    const spec = resolveOne({
      ...routed,
      verify: {
        prometheus: {
          url: 'http://prometheus:9090', interval: '30s', count: 4,
          queries: [{ name: 'latency', query: 'q{track="$track"}', compare: 'stable' as never, alpha: 0.01, worse: 'higher' as never }],
        },
        notify: { webhook: 'https://hooks.example.com/x' },
      },
    }).spec;
    expect(spec.verify!.timeoutSeconds).toBe(300);
    expect(verifyChecks(spec, spec.verify!)).toEqual({
      namespace: 'shop', app: 'shop', deadlineSeconds: 280,
      prometheus: {
        url: 'http://prometheus:9090', window: '5m', interval: 30, count: 4, failureLimit: 0, initialDelay: 0,
        queries: [{ name: 'latency', query: 'q{track="$track"}', compare: 'baseline', baselineTrack: 'stable', alpha: 0.01, worse: 'higher', step: 30 }],
      },
      notify: { webhook: 'https://hooks.example.com/x' },
    });
  });

  test('a long analysis gets a deadline that fits it', () => {
    const spec = resolveOne({ ...routed, verify: { prometheus: { url: 'http://p:9090', interval: '1m', count: 10, initialDelay: '5m', queries: [{ name: 'e', query: 'x', max: 1 }] } } }).spec;
    // 5 min, then 9 intervals of a minute: 840 s, and a minute more.
    expect(spec.verify!.timeoutSeconds).toBe(900);
  });

  test('the webhook from a Secret reaches the Jobs as NOTIFY_WEBHOOK', () => {
    const docs = stageManifests({ ...routed, verify: { ...routed.verify, notify: { webhookSecret: { name: 'hooks', key: 'url' } } } }).get('five')!;
    for (const job of docs.filter((doc) => doc.kind === 'Job')) {
      expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'NOTIFY_WEBHOOK', valueFrom: { secretKeyRef: { name: 'hooks', key: 'url' } } });
    }
  });

  test.each<[string, Partial<NonNullable<AppSpec['verify']>>, string]>([
    ['a failure limit that can never be passed', { prometheus: { url: 'http://p:9090', count: 3, failureLimit: 3, queries: [{ name: 'e', query: 'x', max: 1 }] } },
      'verify.prometheus.failureLimit: is 3: must be below count (3), or no analysis can fail'],
    ['a deadline shorter than the analysis', { timeoutSeconds: 60, prometheus: { url: 'http://p:9090', interval: '30s', count: 3, queries: [{ name: 'e', query: 'x', max: 1 }] } },
      'verify.timeoutSeconds: is 60: the analysis takes 60 s (initialDelay, then count measurements interval apart); give at least 90'],
    ['a comparison without $track', { prometheus: { url: 'http://p:9090', queries: [{ name: 'e', query: 'x', compare: 'stable' as never }] } },
      'verify.prometheus.queries.0.query: is "x": a comparison runs it for each track, so it must hold $track (track="$track")'],
    ['a comparison with a bound', { prometheus: { url: 'http://p:9090', queries: [{ name: 'e', query: 'x{track="$track"}', compare: 'stable' as never, max: 1 }] } },
      'verify.prometheus.queries.0.max: is 1: a comparison judges the canary against stable, not a bound; give one or the other'],
    ['alpha without a comparison', { prometheus: { url: 'http://p:9090', queries: [{ name: 'e', query: 'x', max: 1, alpha: 0.1 }] } },
      'verify.prometheus.queries.0.alpha: is 0.1: only goes with compare'],
    ['a notice with two URLs', { smoke: {}, notify: { webhook: 'https://a.example', webhookSecret: { name: 'h', key: 'u' } } },
      'verify.notify: must give either webhook or webhookSecret'],
  ])('refused: %s', (_case, verify, problem) => {
    expect(problemsOf({ ...routed, verify: verify as AppSpec['verify'] })).toContain(`apps.0.${problem}`);
  });
});

describe('a baseline track', () => {
  const baselined: AppSpec = {
    ...routed, name: 'shop', stable: { image: 'shop:1.0', replicas: 4 }, canary: { image: 'shop:1.1', replicas: 4 },
    routing: { gatewayApi: { parentRefs: [{ name: 'gw' }] } },
    stages: [{ name: 'base', canaryPercent: 0 }, { name: 'five', canaryPercent: 5 }, { name: 'half', canaryPercent: 50 }, { name: 'all', canaryPercent: 100 }],
    verify: { baseline: true, prometheus: { url: 'http://prometheus:9090', queries: [{ name: 'latency', query: 'q{track="$track"}', compare: 'baseline' as never }] } },
  };
  const stages = stageManifests(baselined);
  beforeAll(() => checkGatewayApiSchemas([...stages.values()].flat()), PROCESS_TEST_TIMEOUT);
  const deployment = (stage: string, name: string) => stages.get(stage)!.find((doc) => doc.kind === 'Deployment' && doc.metadata.name === name);
  const weights = (stage: string) => Object.fromEntries(stages.get(stage)!.find((doc) => doc.kind === 'HTTPRoute')!.spec.rules.at(-1).backendRefs
    .map((ref: Manifest) => [ref.name, ref.weight]));

  test.each([
    // stage, baseline pods, weights of stable, canary, baseline
    ['five', 1, [90, 5, 5]],
    ['half', 2, [0, 50, 50]],
    ['all', 0, [0, 100, 0]],
    ['rollback', 0, [100, 0, 0]],
  ])('%s: %i baseline pods at stable\'s image and config, weights %j', (stage, pods, [stable, canary, baseline]) => {
    const track = deployment(stage as string, 'shop-baseline')!;
    expect(track.spec.replicas).toBe(pods);
    expect(track.spec.selector.matchLabels).toEqual({ app: 'shop', track: 'baseline' });
    expect(track.spec.template.spec.containers[0].image).toBe('shop:1.0');
    // The same pod template as stable's, but for the track label and the spread it selects by.
    const { labels: _l, ...rest } = track.spec.template.metadata;
    const stablePod = deployment(stage as string, 'shop-stable')!.spec.template;
    expect(JSON.stringify(track.spec.template.spec).replace(/baseline/g, 'stable')).toBe(JSON.stringify(stablePod.spec));
    expect(rest).toEqual({});
    expect(weights(stage as string)).toEqual({ 'shop-stable': stable, 'shop-canary': canary, 'shop-baseline': baseline });
    for (const doc of stages.get(stage as string)!) expect(() => validateAgainstSchema(doc)).not.toThrow();
  });

  test('no baseline before the canary starts; its own Service in every stage; the comparison reads the baseline track', () => {
    expect(deployment('base', 'shop-baseline')).toBeUndefined();
    for (const [, docs] of stages) expect(docs.some((doc) => doc.kind === 'Service' && doc.metadata.name === 'shop-baseline')).toBe(true);
    const spec = resolveOne(baselined).spec;
    expect(verifyChecks(spec, spec.verify!).prometheus!.queries[0]).toMatchObject({ compare: 'baseline', baselineTrack: 'baseline' });
  });

  test('the baseline track has its own disruption budget while it runs, and the plan deletes it with the track', () => {
    const budget = (stage: string) => stages.get(stage)!.find((doc) => doc.kind === 'PodDisruptionBudget' && doc.metadata.name === 'shop-baseline');
    expect(budget('base')).toBeUndefined();
    for (const stage of ['five', 'half', 'all']) expect(budget(stage)!.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: 'shop', track: 'baseline' } } });
    // Without budgets, none.
    expect(stageManifests({ ...baselined, disruptionBudget: { enabled: false } }).get('five')!.some((doc) => doc.kind === 'PodDisruptionBudget')).toBe(false);
    const { plan } = resolveOne(baselined);
    // Back to a stage without the canary (where a finished release ends): the baseline track goes, its budget with it.
    const base = stageSteps(resolveOne(baselined).spec, plan, plan.stages.find((each) => each.name === 'base')!, 'out').map((step) => formatStep(step, 'shop'));
    expect(base).toContain('kubectl delete deployment/shop-baseline poddisruptionbudget/shop-baseline -n shop --ignore-not-found');
  });

  test('refused: a baseline without a router, and a comparison with a baseline that does not run', () => {
    expect(problemsOf({ ...baselined, routing: undefined, stages: undefined })).toContain(
      'apps.0.verify.baseline: is true: a baseline track needs routing (gatewayApi or istio): without a router its pods would take a share of the traffic by count, and change every stage\'s shares');
    expect(problemsOf({ ...baselined, verify: { ...baselined.verify, baseline: false } })).toContain(
      'apps.0.verify.prometheus.queries.0.compare: is "baseline": there is no baseline track; set verify.baseline: true, or compare: stable');
  });
});
