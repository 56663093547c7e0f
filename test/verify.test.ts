/**
 * The verification gate against real servers: the smoke check against a local HTTP server whose
 * failure rate the test sets, the Prometheus checks against a real Prometheus server (Debian's
 * `prometheus`) scraping a local exporter of request counters by track, and `cdk8s-canary verify`
 * as a process. Then the objects the gate adds to the stage files.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AppSpec } from '../src/spec/types';
import * as gate from '../verify/run-checks';
import { checkRunner } from '../src/constructs/check-code';
import { verifyChecks, type VerifyChecks } from '../src/model/gate';
import { podSecurityViolations, validateAgainstSchema, type Manifest } from './cluster-rules';
import { onFakeClock, serve, useFakeClock } from './gate-servers';
import { bin, cli, PROCESS_KILL_AFTER, PROCESS_TEST_TIMEOUT, start, tempDir } from './helpers';
import { problemsOf, resolveOne, selects, stageManifests } from './stage-files';

type GateChecks = Parameters<typeof gate.runChecks>[0];
type GatePrometheus = NonNullable<GateChecks['prometheus']>;
type GateMeasurement = Parameters<typeof gate.formatMeasurement>[0];

const runner = checkRunner();

/** A canary that fails every `failEvery`-th request of /healthz with 500 (0: never). */
function canary(failEvery: number) {
  let n = 0;
  return serve((request, response) => {
    n++;
    response.statusCode = request.url === '/healthz' && !(failEvery && n % failEvery === 0) ? 200 : 500;
    response.end('ok');
  });
}

const smokeOnly = (minSuccessRatio: number): VerifyChecks => ({
  namespace: 'shop', app: 'shop', deadlineSeconds: 60,
  smoke: { path: '/healthz', requests: 20, expectStatus: 200, minSuccessRatio, requestTimeoutSeconds: 5 },
});

describe('the smoke check, against a local server', () => {
  test.each([
    // fail every Nth, least share, pass, what it measured
    [0, 1, true, '20/20 answered 200 (100%)'],
    [10, 0.9, true, '18/20 answered 200 (90%)'],
    [10, 0.95, false, '18/20 answered 200 (90%)'],
    [2, 0.9, false, '10/20 answered 200 (50%)'],
  ])('failing every %i-th request, with a least share of %f: pass %s', async (failEvery, least, pass, measured) => {
    const { server, url } = await canary(failEvery);
    try {
      const [result] = await runner.runChecks(smokeOnly(least), { canaryUrl: url });
      expect(result).toEqual({ check: 'smoke GET /healthz', pass, verdict: pass ? 'pass' : 'fail', measured, bound: `>= ${least * 100}%` });
      expect(runner.formatResult(result)).toBe(`${pass ? 'pass' : 'FAIL'}  smoke GET /healthz: ${measured}, needs >= ${least * 100}%`);
    } finally {
      server.close();
    }
  });

  test('a canary that does not answer fails, request by request', async () => {
    const { server, url } = await canary(0);
    server.close();
    const [result] = await runner.runChecks({ ...smokeOnly(0.5), smoke: { ...smokeOnly(0.5).smoke!, requests: 3 } }, { canaryUrl: url });
    expect(result).toMatchObject({ pass: false, measured: '0/3 answered 200 (0%)' });
  });
});

/** Runs node with `args` without blocking this process, whose servers the run talks to. */
async function runProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  const { status, stdout } = await start([process.execPath, ...args], { env }).ended;
  return { code: status, out: stdout };
}

/** How long Prometheus may take to start and collect what a test needs: as long as any process may run. */
const PROMETHEUS_WAIT_MS = PROCESS_KILL_AFTER;

/** Asks Prometheus, every 200 ms, for a count over 10 s until it reaches `least`. */
async function untilCollected(prometheusUrl: string, query: string, least: number): Promise<void> {
  const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(`count_over_time(${query}[10s])`)}`;
  for (const end = performance.now() + PROMETHEUS_WAIT_MS; ;) {
    try {
      const body = await (await fetch(url)).json() as { data?: { result: { value: [number, string] }[] } };
      if (Number(body.data?.result[0]?.value[1] ?? 0) >= least) return;
    } catch {
      // Not up yet.
    }
    if (performance.now() > end) throw new Error(`Prometheus did not collect ${least} samples of ${query} within ${PROMETHEUS_WAIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const hasPrometheus = spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;
// CI installs Prometheus and sets this, so the check cannot go unrun there.
if (!hasPrometheus && process.env.CDK8S_CANARY_REQUIRE_PROMETHEUS) throw new Error('prometheus is not installed: apt-get install prometheus (.ci/run installs it)');
const withPrometheus = hasPrometheus ? describe : describe.skip;
const notRun = hasPrometheus ? '' : ' (NOT RUN: prometheus is not installed; apt-get install prometheus, as .ci/run does)';

withPrometheus(`the Prometheus checks, against a real Prometheus server${notRun}`, () => {
  let dir: string;
  let exporter: Server;
  let prometheus: ChildProcess;
  let prometheusUrl: string;
  // Requests per second the exporter counts for each namespace's canary, and the share that fail.
  const traffic = { good: { rate: 50, errors: 0.002 }, bad: { rate: 50, errors: 0.2 }, slight: { rate: 50, errors: 0.001 } };
  // Each track's latency, a gauge that runs through five values, one a second: the canary's the same five
  // (in the other order) for `same`, all higher for `slow`.
  const latency: Record<string, Record<string, (k: number) => number>> = {
    same: { stable: (k) => 0.1 + 0.01 * k, canary: (k) => 0.14 - 0.01 * k },
    slow: { stable: (k) => 0.1 + 0.01 * k, canary: (k) => 0.2 + 0.01 * k },
  };
  // The exporter's clock, which the gate's fake clock (in the analysis over time) leaves alone.
  const started = performance.now();

  beforeAll(async () => {
    dir = tempDir('prometheus');
    ({ server: exporter } = await serve((_request, response) => {
      const seconds = (performance.now() - started) / 1000;
      const lines = ['# TYPE http_requests_total counter'];
      for (const [namespace, { rate, errors }] of Object.entries(traffic)) {
        const total = rate * seconds;
        for (const track of ['stable', 'canary']) {
          const failed = track === 'canary' ? total * errors : 0;
          lines.push(`http_requests_total{namespace="${namespace}",app="shop",track="${track}",code="200"} ${(total - failed).toFixed(3)}`);
          lines.push(`http_requests_total{namespace="${namespace}",app="shop",track="${track}",code="500"} ${failed.toFixed(3)}`);
        }
      }
      lines.push('# TYPE request_latency_seconds gauge');
      for (const [namespace, tracks] of Object.entries(latency)) {
        for (const [track, value] of Object.entries(tracks)) {
          lines.push(`request_latency_seconds{namespace="${namespace}",app="shop",track="${track}"} ${value(Math.floor(seconds) % 5).toFixed(3)}`);
        }
      }
      response.setHeader('Content-Type', 'text/plain; version=0.0.4');
      response.end(`${lines.join('\n')}\n`);
    }));
    const target = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
    writeFileSync(join(dir, 'prometheus.yml'), stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      // honor_labels: the exporter's namespace and app labels are the series' own.
      scrape_configs: [{ job_name: 'shop', honor_labels: true, static_configs: [{ targets: [target] }] }],
    }));
    // On a port the system picks, which Prometheus logs: no other process can have taken it meanwhile.
    const launched = start(['prometheus', `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--web.listen-address=127.0.0.1:0'], { killAfter: 0 });
    prometheus = launched.child;
    let log = '';
    const port = await new Promise<string>((resolve, reject) => {
      prometheus.stderr!.on('data', (chunk) => {
        log += chunk;
        const listening = /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(log);
        if (listening) resolve(listening[1]);
      });
      launched.ended.then(() => reject(new Error(`prometheus stopped before it listened:\n${log}`)), reject);
    });
    prometheusUrl = `http://127.0.0.1:${port}`;
    // Ready, then enough samples for a rate over 10 s.
    await untilCollected(prometheusUrl, 'http_requests_total{namespace="good",track="canary",code="200"}', 5);
  }, PROCESS_TEST_TIMEOUT);

  afterAll(() => {
    prometheus?.kill();
    exporter?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const errorRatio = 'sum(rate(http_requests_total{namespace="$namespace",app="$app",track="canary",code=~"5.."}[$window]))'
    + ' / sum(rate(http_requests_total{namespace="$namespace",app="$app",track="canary"}[$window]))';
  const checks = (namespace: string, queries: VerifyChecks['prometheus'] extends infer P ? P extends { queries: infer Q } ? Q : never : never): VerifyChecks => ({
    namespace, app: 'shop', deadlineSeconds: 60,
    prometheus: { url: 'http://unused.invalid', window: '10s', queries, interval: 1, count: 1, failureLimit: 0, initialDelay: 0 },
  });

  test('a healthy canary passes: its error ratio is under the bound', async () => {
    const [result] = await runner.runChecks(checks('good', [{ name: 'canary-errors', query: errorRatio, max: 0.01 }]), { prometheusUrl });
    expect(result.pass).toBe(true);
    expect(Number(result.measured)).toBeCloseTo(0.002, 3);
    expect(result.bound).toBe('<= 0.01');
  });

  test('a failing canary fails: its error ratio is over the bound', async () => {
    const [result] = await runner.runChecks(checks('bad', [{ name: 'canary-errors', query: errorRatio, max: 0.01 }]), { prometheusUrl });
    expect(result.pass).toBe(false);
    expect(Number(result.measured)).toBeCloseTo(0.2, 2);
  });

  test('canary against stable, a lower bound, and queries that give no number', async () => {
    const rate = (track: string) => `sum(rate(http_requests_total{namespace="$namespace",track="${track}",code="200"}[$window]))`;
    const results = await runner.runChecks(checks('bad', [
      { name: 'canary-vs-stable', query: `${rate('canary')} / ${rate('stable')}`, min: 0.95 },
      { name: 'traffic', query: rate('canary'), min: 10 },
      { name: 'no-series', query: 'http_requests_total{namespace="nowhere"}', max: 1 },
      { name: 'many-series', query: 'http_requests_total{namespace="$namespace"}', max: 1 },
    ]), { prometheusUrl });
    expect(results.map((result) => [result.check, result.pass])).toEqual([
      ['prometheus canary-vs-stable', false], ['prometheus traffic', true], ['prometheus no-series', false], ['prometheus many-series', false],
    ]);
    expect(Number(results[0].measured)).toBeCloseTo(0.8, 2);
    // No data is neither a pass nor a failure; an answer that is not one number fails.
    expect(results[2]).toMatchObject({ verdict: 'inconclusive', measured: 'no data: the query matched no series' });
    expect(results[3]).toMatchObject({ verdict: 'fail', measured: '4 series: the query must give one number (aggregate it, for example with sum)' });
  });

  /** Checks of the gate's own types, for what the spec's types do not give yet. */
  const gateChecks = (namespace: string, prometheus: Partial<GatePrometheus>): GateChecks => ({
    namespace, app: 'shop', prometheus: { url: 'http://unused.invalid', window: '10s', queries: [], ...prometheus },
  });

  test('the analysis over time: a canary at 0.1% errors passes after four measurements about a second apart (interval 1 s, count 4, failureLimit 1)', async () => {
    const heard: GateMeasurement[] = [];
    // The rounds a second apart on the gate's fake clock, which moves on to each round once the last
    // is measured; Prometheus answers as it is, in real time.
    useFakeClock();
    const [result] = await onFakeClock(gate.runChecks(
      gateChecks('slight', { queries: [{ name: 'canary-errors', query: errorRatio, max: 0.01 }], interval: 1, count: 4, failureLimit: 1 }),
      { prometheusUrl, onMeasurement: (measurement) => heard.push(measurement) },
    )).finally(() => jest.useRealTimers());
    expect(result).toMatchObject({ pass: true, verdict: 'pass', bound: '<= 0.01 in at least 3 of 4, at most 1 failing' });
    expect(heard.map((each) => each.verdict)).toEqual(['pass', 'pass', 'pass', 'pass']);
    for (const each of heard) expect(each.value).toBeCloseTo(0.001, 3);
    const times = heard.map((each) => Date.parse(each.time));
    for (let i = 1; i < times.length; i++) expect((times[i] - times[i - 1]) / 1000).toBeGreaterThan(0.8);
    expect((times[3] - times[0]) / 1000).toBeLessThan(4.5);
  });

  test('the baseline judge by the Mann-Whitney U test: a slower canary fails, one with the same latency passes', async () => {
    // A handful of range points a side: 8 scrapes in the window.
    await untilCollected(prometheusUrl, 'request_latency_seconds{namespace="slow",track="canary"}', 8);
    const judged = (namespace: string) => gate.runChecks(gateChecks(namespace, {
      queries: [{ name: 'latency', query: 'request_latency_seconds{namespace="$namespace",app="$app",track="$track"}', compare: 'baseline', step: 1 }],
    }), { prometheusUrl });
    const [slow] = await judged('slow');
    expect(slow.verdict).toBe('fail');
    expect(gate.formatResult(slow)).toMatch(/^FAIL {2}prometheus latency: Mann-Whitney U = \d+, p = [\d.e-]+; median canary 0\.2\d*, stable 0\.1\d* \(canary \d+, stable \d+ samples\), needs canary not higher than stable/);
    const [, u, canaryCount, stableCount] = /U = (\d+),.*\(canary (\d+), stable (\d+) samples/.exec(slow.measured)!.map(Number);
    // Every canary value above every stable one, over a handful of range points a side.
    expect(canaryCount).toBeGreaterThanOrEqual(8);
    expect(u).toBe(canaryCount * stableCount);
    const [same] = await judged('same');
    expect(same.verdict).toBe('pass');
    expect(same.measured).toMatch(/^Mann-Whitney U = [\d.]+, p = [\d.]+; median canary 0\.1\d*, stable 0\.1\d* \(canary \d+, stable \d+ samples\)$/);
  }, PROCESS_TEST_TIMEOUT);

  test('the Job\'s own command, with the code and checks of the stage file\'s ConfigMap: exit 0 for a healthy canary, 1 for a failing one', async () => {
    const { server, url } = await canary(0);
    try {
      const runJob = (namespace: string) => {
        // The app as the spec gives it; its Prometheus is the test's server, as the Job would reach its own.
        const docs = stageManifests({
          name: 'shop', namespace, stable: { image: 'shop:1' }, canary: { image: 'shop:2' },
          verify: { smoke: { path: '/healthz' }, prometheus: { url: prometheusUrl, window: '10s', queries: [{ name: 'canary-errors', query: errorRatio, max: 0.01 }] } },
        }).get('canary')!;
        const job = docs.find((doc) => doc.kind === 'Job' && doc.metadata.name === 'shop-verify');
        const [container] = job.spec.template.spec.containers;
        const configMap = docs.find((doc) => doc.kind === 'ConfigMap' && doc.metadata.name === job.spec.template.spec.volumes[0].configMap.name);
        const mount = join(dir, `job-${namespace}`);
        mkdirSync(mount);
        for (const [file, content] of Object.entries(configMap.data as Record<string, string>)) writeFileSync(join(mount, file), content);
        // The container's command, with the ConfigMap's mount here and the canary's Service at the test's server.
        const [command, ...args] = container.command.map((arg: string) => arg.replace(container.volumeMounts[0].mountPath, mount));
        expect(command).toBe('node');
        // Not spawnSync: the canary and the exporter answer from this process.
        return runProcess(args, { CANARY_URL: url });
      };
      const good = await runJob('good');
      // Each measurement as it is taken, then each check, then the verdict.
      expect(good.out).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}prometheus canary-errors 1\/1: 0\.00\d+, needs <= 0\.01: pass\n/);
      expect(good.out).toMatch(/\npass {2}smoke GET \/healthz: 20\/20 answered 200 \(100%\), needs >= 100%\npass {2}prometheus canary-errors: .*\nverdict: pass: all 2 checks passed\n$/);
      expect(good.code).toBe(0);
      const bad = await runJob('bad');
      expect(bad.out).toMatch(/\nFAIL {2}prometheus canary-errors: 0\.\d+, needs <= 0\.01\nverdict: FAIL: 1 of 2 checks failed\n$/);
      expect(bad.code).toBe(1);
    } finally {
      server.close();
    }
  }, PROCESS_TEST_TIMEOUT);

  test('cdk8s-canary verify: exit 0 when every check passes, 1 when one fails, each check on its line', async () => {
    const { server, url } = await canary(0);
    try {
      const spec = (namespace: string): AppSpec => ({
        name: 'shop', namespace, port: 8080, stable: { image: 'shop:1' }, canary: { image: 'shop:2' }, stage: 'canary',
        verify: { smoke: { path: '/healthz' }, prometheus: { url: 'http://prometheus.monitoring.svc:9090', window: '10s', queries: [{ name: 'canary-errors', query: errorRatio, max: 0.01 }] } },
      });
      const run = (namespace: string) => {
        writeFileSync(join(dir, `${namespace}.yaml`), stringify({ apps: [spec(namespace)] }));
        return runProcess([bin, 'verify', 'shop', '-c', join(dir, `${namespace}.yaml`), '--canary-url', url, '--prometheus', prometheusUrl]);
      };
      const good = await run('good');
      expect(good.code).toBe(0);
      // Each measurement as it comes, then each check, then the verdict.
      expect(good.out).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}prometheus canary-errors 1\/1: 0\.00\d+, needs <= 0\.01: pass\npass {2}smoke GET \/healthz: 20\/20 answered 200 \(100%\), needs >= 100%\npass {2}prometheus canary-errors: 0\.00\d+, needs <= 0\.01\nverify: shop at canary: all 2 checks passed\n$/);
      const bad = await run('bad');
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/\nFAIL {2}prometheus canary-errors: 0\.\d+, needs <= 0\.01\nverify: shop at canary: 1 check of 2 failed\n$/);
    } finally {
      server.close();
    }
  }, PROCESS_TEST_TIMEOUT);
});

describe('cdk8s-canary verify refuses what it cannot check', () => {
  const dir = tempDir('verify');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const app: AppSpec = { name: 'shop', namespace: 'shop', stable: { image: 'shop:1' }, canary: { image: 'shop:2' }, verify: { smoke: {} } };
  // In this process: `verify` with a refusal, exit 2, as the bin runs it (which the process tests above cover).
  const run = async (spec: AppSpec, ...args: string[]) => {
    writeFileSync(join(dir, 'canary.yaml'), stringify({ apps: [spec] }));
    const { code, err } = await cli('verify', ...args, '-c', join(dir, 'canary.yaml'));
    return { status: code, stderr: err };
  };

  test.each<[string, AppSpec, string[], string]>([
    ['the current stage without canary traffic', app, ['shop'],
      'shop is at baseline, which sends the canary no traffic: nothing to judge there. Stages that do: canary, expand, promote (--stage NAME), or move the release on: cdk8s-canary next shop'],
    ['a stage without canary traffic', app, ['shop', '--stage', 'rollback'],
      'stage rollback of shop sends the canary no traffic: nothing to judge there. Stages that do: canary, expand, promote (--stage NAME)'],
    ['a smoke check without the canary\'s address', app, ['shop', '--stage', 'canary'],
      'the smoke check needs the canary\'s address: kubectl port-forward -n shop svc/shop-canary 8080:80, then --canary-url http://127.0.0.1:8080'],
    ['an app without checks', { ...app, verify: undefined }, ['shop'], 'shop has no verify block in'],
    ['an unknown stage', app, ['shop', '--stage', 'canery'], 'unknown stage canery: did you mean canary?'],
    ['a URL that is not one', app, ['shop', '--stage', 'canary', '--canary-url', 'localhost:8080'], '--canary-url must be an http:// or https:// URL'],
  ])('%s: exit 2 with the reason', async (_case, spec, args, message) => {
    const result = await run(spec, ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('the gate in the stage files', () => {
  const app: AppSpec = {
    name: 'shop', namespace: 'shop', createNamespace: true, port: 8080,
    stable: { image: 'registry.example/shop:1.0' }, canary: { image: 'registry.example/shop:1.1' },
    verify: {
      smoke: { path: '/healthz', requests: 10 },
      prometheus: { url: 'http://prometheus.monitoring.svc:9090', queries: [{ name: 'canary-errors', query: 'vector(0)', max: 0.01 }] },
    },
  };
  const stages = stageManifests(app);
  const jobOf = (docs: Manifest[]) => docs.find((doc) => doc.kind === 'Job' && doc.metadata.labels['app.kubernetes.io/component'] === 'verify');

  test('a Job in each stage where the canary gets traffic, none elsewhere', () => {
    expect([...stages].filter(([, docs]) => jobOf(docs)).map(([stage]) => stage)).toEqual(['canary', 'expand', 'promote']);
  });

  test('the Job is an Argo CD PostSync hook, replaced on each sync, with a deadline and no retries', () => {
    const job = jobOf(stages.get('canary')!);
    expect(job.metadata.name).toBe('shop-verify');
    expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    expect(job.spec).toMatchObject({ activeDeadlineSeconds: 300, backoffLimit: 0 });
    const [container] = job.spec.template.spec.containers;
    expect(container).toMatchObject({ image: 'node:24.11.1-alpine', command: ['node', '/verify/run-checks.js', '/verify/checks.json'] });
    expect(container.env).toEqual([{ name: 'CANARY_URL', value: 'http://shop-canary.shop.svc.cluster.local:8080' }, { name: 'STAGE', value: 'canary' }]);
    expect(container.resources).toEqual({ limits: { memory: '128Mi' }, requests: { cpu: '50m', memory: '64Mi' } });
  });

  test('its ConfigMap carries this package\'s check code and the app\'s checks; its pods meet restricted; all validate', () => {
    const docs = stages.get('canary')!;
    const job = jobOf(docs);
    const configMap = docs.find((doc) => doc.kind === 'ConfigMap' && doc.metadata.name === job.spec.template.spec.volumes[0].configMap.name);
    expect(configMap.immutable).toBe(true);
    expect(configMap.data['run-checks.js']).toBe(readFileSync(join(__dirname, '..', 'verify', 'run-checks.js'), 'utf8'));
    expect(JSON.parse(configMap.data['checks.json'])).toEqual(verifyChecks(resolveOne(app).spec, resolveOne(app).spec.verify!));
    expect(podSecurityViolations(job.spec.template.spec, 'restricted')).toEqual([]);
    for (const doc of docs) expect(() => validateAgainstSchema(doc)).not.toThrow();
  });

  test('the canary has a Service of its own, which selects only canary pods; no Service selects the Job\'s pods', () => {
    const docs = stages.get('canary')!;
    const services = docs.filter((doc) => doc.kind === 'Service');
    expect(services.map((doc) => doc.metadata.name)).toEqual(['shop', 'shop-stable', 'shop-canary']);
    expect(services[2].spec).toMatchObject({ type: 'ClusterIP', selector: { app: 'shop', track: 'canary' } });
    for (const service of services) expect(selects(service.spec.selector, jobOf(docs).spec.template.metadata.labels)).toBe(false);
  });

  test('bad gates are refused: nothing to check, a query without a bound, min above max', () => {
    const problems = (verify: AppSpec['verify']) => problemsOf({ ...app, verify });
    expect(problems({})).toEqual(['apps.0.verify: checks nothing: give smoke, prometheus or both']);
    expect(problems({ prometheus: { url: 'http://p:9090', queries: [{ name: 'q', query: 'up' }] } })).toEqual(['apps.0.verify.prometheus.queries.0: has no bound: give max, min or both, or compare']);
    expect(problems({ prometheus: { url: 'http://p:9090', queries: [{ name: 'q', query: 'up', min: 2, max: 1 }] } })).toEqual(['apps.0.verify.prometheus.queries.0.min: is 2: must not be above max (1)']);
    expect(problems({ prometheus: { url: 'p:9090', queries: [{ name: 'q', query: 'up', max: 1 }] } })).toEqual(['apps.0.verify.prometheus.url: is "p:9090": must be an http:// or https:// URL of printable characters without a user or password, such as http://prometheus.monitoring.svc:9090']);
    expect(problems({ smoke: { minSuccessRatio: 2 } })).toEqual(['apps.0.verify.smoke.minSuccessRatio: is 2: must be a number from 0 to 1']);
  });
});
