/**
 * The gate in the stage files and the plan: the smoke check before a route gives the canary more
 * traffic, the analysis after the stage, and the settings of both as the check code reads them.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { AppSpec } from '../src/spec/types';
import { verifyChecks } from '../src/model/gate';
import { validateAgainstSchema, type Manifest } from './cluster-rules';
import { problemsOf, resolveOne, stageManifests } from './stage-files';

const root = join(__dirname, '..');
const bin = join(root, 'bin', 'cdk8s-canary.js');
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
    expect(wave(smoke)).toBe(2);
    expect(wave(route)).toBe(3);
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
    const result = spawnSync(process.execPath, [bin, 'plan', 'nginx-gateway', '--json', '-c', join(root, 'examples', 'routing.yaml'), '-o', 'out'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    const stage = JSON.parse(result.stdout).apps[0].stages.find((each: { name: string }) => each.name === 'quarter');
    const steps: string[] = stage.steps;
    const smoke = steps.findIndex((step) => step.includes('job/nginx-gateway-smoke') && step.startsWith('{ kubectl wait'));
    const router = steps.findIndex((step) => step.endsWith('-l app.kubernetes.io/component=router'));
    expect(smoke).toBeGreaterThan(-1);
    expect(smoke).toBeLessThan(router);
    expect(steps[smoke - 1]).toBe("kubectl apply -f out/nginx-gateway/stages/03-quarter.k8s.yaml -l 'app.kubernetes.io/component=verify,cdk8s-canary/check!=analysis'");
    // On failure: its logs, then the rollback stage's steps, and the command fails; this stage's route is not among them.
    expect(steps[smoke]).toMatch(/\|\| \{ kubectl logs -n dev-gateway job\/nginx-gateway-smoke; .*rollback\.k8s\.yaml.*; false; \}; \}$/);
    expect(steps[smoke]).not.toContain('03-quarter.k8s.yaml');
  });

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
