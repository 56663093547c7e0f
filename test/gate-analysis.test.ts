/**
 * The verification gate's check code against local stand-ins: answers that hold no number, the
 * analysis over time, the bounds on time and size, what it prints, and the webhook notice. The same
 * against a real Prometheus is in verify.test.ts.
 */
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import * as gate from '../verify/run-checks';
import { close, empty, fakePrometheus, onFakeClock, sample, serve, useFakeClock, type Raw } from './gate-servers';
import { PROCESS_TEST_TIMEOUT, root, start, tempDir } from './helpers';

type Checks = Parameters<typeof gate.runChecks>[0];
type Prometheus = NonNullable<Checks['prometheus']>;
type Measurement = Parameters<typeof gate.formatMeasurement>[0];

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

/** A stand-in Prometheus that answers the query `errors` with `answers`, one a measurement. */
async function prometheusAnswering(answers: Raw[]) {
  const fake = await fakePrometheus({ errors: answers });
  servers.push(fake.server);
  return fake;
}

const checksOf = (url: string, analysis: Partial<Prometheus> = {}): Checks => ({
  namespace: 'shop', app: 'shop', prometheus: { url, window: '1m', queries: [{ name: 'errors', query: 'errors', max: 0.01 }], ...analysis },
});

/** Runs the checks, keeping each measurement as it is heard. */
async function analyse(checks: Checks, where: Partial<Parameters<typeof gate.runChecks>[1]> = {}) {
  const heard: Measurement[] = [];
  const started = Date.now();
  const results = await gate.runChecks(checks, { onMeasurement: (measurement) => heard.push(measurement), ...where });
  return { results, heard, seconds: (Date.now() - started) / 1000 };
}

describe('an answer that holds no number fails closed', () => {
  test.each<[string, Raw, string]>([
    ['an empty string', sample(''), 'not a number: ""'],
    ['null', sample(null), 'not a number: null'],
    ['a list', sample([]), 'not a number: []'],
    ['hex', sample('0x0'), 'not a number: "0x0"'],
    ['blanks around a number', sample(' 0 '), 'not a number: " 0 "'],
    ['Infinity spelled out', sample('Infinity'), 'not a number: "Infinity"'],
    ['a number too large for a double', sample('1e999'), 'not a finite number: "1e999"'],
    ['a body of null', { body: 'null' }, 'an answer without data: null'],
    ['a body without data', { body: '{"status":"success"}' }, 'an answer without data: nothing'],
    ['a sample without a value', { body: '{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}' }, 'a sample without a value: {"metric":{}}'],
    ['a vector that is no list', { body: '{"status":"success","data":{"resultType":"vector","result":{}}}' }, 'a vector that is not a list: {}'],
    ['a scalar that is no number', { body: '{"status":"success","data":{"resultType":"scalar","result":[1,"0x10"]}}' }, 'not a number: "0x10"'],
    ['a body that is not JSON', { body: '<html>proxy error</html>' }, 'an answer that is not Prometheus\' JSON'],
    ['an HTTP error without JSON', { status: 502, body: 'bad gateway' }, 'HTTP 502: an answer that is not Prometheus\' JSON'],
    ['an HTTP error with Prometheus\' error', { status: 400, body: '{"status":"error","errorType":"bad_data","error":"parse error at char 3"}' }, 'HTTP 400: query refused: parse error at char 3'],
    ['two series', { body: '{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"0"]},{"value":[1,"0"]}]}}' },
      '2 series: the query must give one number (aggregate it, for example with sum)'],
  ])('%s: the measurement fails and says why', async (_case, answer, measured) => {
    const { url } = await prometheusAnswering([answer]);
    const { results: [result], heard } = await analyse(checksOf(url));
    expect(result).toMatchObject({ check: 'prometheus errors', pass: false, verdict: 'fail', measured, bound: '<= 0.01' });
    expect(heard.map((each) => each.verdict)).toEqual(['fail']);
  });

  test.each<[string, Raw, string, string]>([
    // what Prometheus wrote, verdict, measured
    ['a decimal', sample('0.0012'), 'pass', '0.0012'],
    ['an exponent', sample('1e-05'), 'pass', '0.00001'],
    ['a whole number over the bound', sample('12'), 'fail', '12'],
    ['NaN', sample('NaN'), 'inconclusive', 'NaN (no requests in the window?)'],
    ['+Inf', sample('+Inf'), 'inconclusive', '+Inf (a division by zero?)'],
    ['no series', empty, 'inconclusive', 'no data: the query matched no series'],
  ])('%s is a measurement, or no data', async (_case, answer, verdict, measured) => {
    const { url } = await prometheusAnswering([answer]);
    const { results: [result] } = await analyse(checksOf(url));
    expect(result).toMatchObject({ verdict, pass: verdict === 'pass', measured });
  });
});

describe('the analysis over time: interval 1 s, count 4, failureLimit 1', () => {
  const analysis = { interval: 1, count: 4, failureLimit: 1 };
  const [ok, bad] = [sample('0.001'), sample('0.05')];
  // The rounds a second apart on a clock of the test's, which moves on to each round once the last is measured.
  beforeEach(useFakeClock);
  afterEach(() => jest.useRealTimers());

  /** The analysis of a query answered with `answers`, on the fake clock. */
  async function analyseAnswering(answers: Raw[]) {
    const fake = await prometheusAnswering(answers);
    return { ...await onFakeClock(analyse(checksOf(fake.url, analysis))), asked: fake.asked };
  }

  test('a canary at 0.1% errors passes after four measurements about a second apart', async () => {
    const { results: [result], heard, seconds, asked } = await analyseAnswering([ok]);
    expect(result).toMatchObject({
      verdict: 'pass', pass: true,
      measured: '4 passed, 0 failed, 0 without data of 4 measurements; last 0.001',
      bound: '<= 0.01 in at least 3 of 4, at most 1 failing',
    });
    expect(heard.map((each) => [each.round, each.value, each.verdict])).toEqual([[1, 0.001, 'pass'], [2, 0.001, 'pass'], [3, 0.001, 'pass'], [4, 0.001, 'pass']]);
    const gaps = asked.slice(1).map((each, i) => (each.at - asked[i].at) / 1000);
    for (const gap of gaps) expect(gap).toBeGreaterThan(0.9);
    for (const gap of gaps) expect(gap).toBeLessThan(1.5);
    expect(seconds).toBeLessThan(4);
  });

  test('one failing 3 of 4 fails, and stops at the measurement that passes the limit', async () => {
    const { results: [result], heard } = await analyseAnswering([bad, ok, bad, bad]);
    expect(heard.map((each) => each.verdict)).toEqual(['fail', 'pass', 'fail']);
    expect(result).toMatchObject({ verdict: 'fail', measured: '1 passed, 2 failed, 0 without data of 4 measurements (stopped after 3 of 4: prometheus errors failed); last 0.05' });
  });

  test('one failing 1 of 4 passes', async () => {
    const { results: [result], heard } = await analyseAnswering([ok, bad, ok, ok]);
    expect(heard.map((each) => each.verdict)).toEqual(['pass', 'fail', 'pass', 'pass']);
    expect(result).toMatchObject({ verdict: 'pass', measured: '3 passed, 1 failed, 0 without data of 4 measurements; last 0.001' });
  });

  test('one whose first answer is empty is not failed for it, and passes on the other three', async () => {
    const { results: [result], heard } = await analyseAnswering([empty, ok, ok, ok]);
    expect(heard.map((each) => each.verdict)).toEqual(['inconclusive', 'pass', 'pass', 'pass']);
    expect(result).toMatchObject({ verdict: 'pass', measured: '3 passed, 0 failed, 1 without data of 4 measurements; last 0.001' });
  });

  test('one whose first two answers are empty is not failed either, but too little passed to pass: inconclusive', async () => {
    const { results } = await analyseAnswering([empty, sample('NaN'), ok, ok]);
    expect(results[0]).toMatchObject({ verdict: 'inconclusive', pass: false, measured: '2 passed, 0 failed, 2 without data of 4 measurements; last 0.001' });
    expect(gate.gateVerdict(results)).toBe('inconclusive');
    expect(gate.formatResult(results[0])).toMatch(/^INCONCLUSIVE {2}prometheus errors: /);
    expect(gate.formatVerdict(results)).toBe('verdict: INCONCLUSIVE: none failed, but 1 of 1 checks had too little data to pass');
  });

  test('an answer without a number counts as failed, not as no data', async () => {
    const { results: [result] } = await analyseAnswering([sample(''), ok, sample('0x0'), ok]);
    expect(result).toMatchObject({ verdict: 'fail', measured: expect.stringContaining('1 passed, 2 failed, 0 without data') });
  });
});

describe('the analysis: its schedule', () => {
  test('every query is measured in each round, in order; the first round after the initial delay; each measurement is heard as it comes', async () => {
    const fake = await fakePrometheus({ a: [sample('1')], b: [sample('2')] });
    servers.push(fake.server);
    const checks: Checks = {
      namespace: 'shop', app: 'shop',
      prometheus: { url: fake.url, window: '1m', queries: [{ name: 'a', query: 'a', max: 5 }, { name: 'b', query: 'b', min: 1 }], interval: 0.3, count: 2, initialDelay: 0.5 },
    };
    useFakeClock();
    const started = Date.now();
    const { results, heard } = await onFakeClock(analyse(checks)).finally(() => jest.useRealTimers());
    expect((fake.asked[0].at - started) / 1000).toBeGreaterThanOrEqual(0.45);
    expect(heard.map((each) => `${each.check} ${each.round}/${each.count}`)).toEqual(['prometheus a 1/2', 'prometheus b 1/2', 'prometheus a 2/2', 'prometheus b 2/2']);
    expect(gate.formatMeasurement(heard[1])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}prometheus b 1\/2: 2, needs >= 1: pass$/);
    expect(results.map((result) => result.verdict)).toEqual(['pass', 'pass']);
  });

  test('one measurement, as by default, keeps the result as it was: the value and its bound', async () => {
    const { url } = await prometheusAnswering([sample('0.002')]);
    const { results: [result] } = await analyse(checksOf(url));
    expect(result).toMatchObject({ check: 'prometheus errors', pass: true, verdict: 'pass', measured: '0.002', bound: '<= 0.01' });
    expect(gate.formatResult(result)).toBe('pass  prometheus errors: 0.002, needs <= 0.01');
  });

  test.each<[string, Partial<Prometheus>, string]>([
    ['a count that is not a whole number', { count: 2.5 }, 'prometheus.count is 2.5: it must be a number of measurements, at least 1'],
    ['a negative interval', { interval: -1 }, 'prometheus.interval is -1: it must be a number of seconds, 0 or more'],
    ['a query without a bound', { queries: [{ name: 'errors', query: 'errors' }] }, 'query "errors" has no bound: give max, min or both, or compare: baseline'],
    ['a comparison the gate does not know', { queries: [{ name: 'errors', query: 'errors{track="$track"}', compare: 'stable' as 'baseline' }] },
      'query "errors" compares with "stable": the one comparison is baseline'],
    ['a comparison whose query names no track', { queries: [{ name: 'errors', query: 'errors', compare: 'baseline' }] }, 'query "errors" compares tracks: its query must name them with $track'],
    ['an alpha of 5 (%)', { queries: [{ name: 'errors', query: 'errors{track="$track"}', compare: 'baseline', alpha: 5 }] }, 'query "errors": alpha is 5: it must be above 0 and below 1'],
  ])('%s is refused before anything is measured', async (_case, analysis, message) => {
    const { url, asked } = await prometheusAnswering([sample('0')]);
    await expect(gate.runChecks(checksOf(url, analysis), {})).rejects.toThrow(message);
    expect(asked).toEqual([]);
  });
});

describe('bounds on time and size', () => {
  // On a clock of the test's: the gate's timers fire only when the test moves it on, so a check that
  // ends by itself took no time on it, and one the deadline ends took the deadline's time exactly.
  beforeEach(useFakeClock);
  afterEach(() => jest.useRealTimers());

  /**
   * A server that sends a 200 and then a body that never ends, as fast as the client reads it,
   * until the client goes (or the test closes the server).
   */
  async function endless() {
    const { server, url } = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const more = () => {
        while (!response.destroyed && response.write(chunk));
      };
      response.on('drain', more);
      more();
    });
    servers.push(server);
    return url;
  }

  /** A server that takes requests and never answers them. */
  async function silent() {
    const { server, url } = await serve(() => undefined);
    servers.push(server);
    return { server, url };
  }

  /** Once `server` has taken its next request, the clock moves on to the gate's next timer, its deadline. */
  async function deadlineAfterRequest(server: Server) {
    await once(server, 'request');
    jest.advanceTimersToNextTimer();
  }

  test('an endless Prometheus answer fails its measurement at 1 MiB, at once', async () => {
    // Neither the run's deadline nor the request's timeout ends it: the answer is cut at 1 MiB.
    const { results: [result], seconds } = await analyse(checksOf(await endless()));
    expect(result).toMatchObject({ verdict: 'fail', measured: expect.stringMatching(/^no answer from http:\/\/127\.0\.0\.1:\d+\/ \(an answer of more than 1048576 bytes\)$/) });
    expect(seconds).toBeLessThan(5);
  });

  test('an endless smoke answer is read to 64 KiB: its status still counts', async () => {
    const checks: Checks = { namespace: 'shop', app: 'shop', smoke: { path: '/', requests: 3, expectStatus: 200, minSuccessRatio: 1, requestTimeoutSeconds: 5 } };
    const { results: [result], seconds } = await analyse(checks, { canaryUrl: await endless() });
    expect(result).toMatchObject({ verdict: 'pass', measured: '3/3 answered 200 (100%)' });
    expect(seconds).toBeLessThan(5);
  });

  test('a Prometheus that never answers keeps the run no longer than its deadline, and fails it', async () => {
    const { server, url } = await silent();
    const deadline = deadlineAfterRequest(server);
    const analysed = analyse({ ...checksOf(url, { count: 3, interval: 1 }), deadlineSeconds: 2 });
    await deadline;
    const { results: [result], seconds } = await analysed;
    expect(seconds).toBeGreaterThanOrEqual(1.9);
    expect(seconds).toBeLessThan(3);
    expect(result.verdict).toBe('fail');
    expect(result.measured).toMatch(/^0 passed, 1 failed, 0 without data of 3 measurements \(stopped after 1 of 3: .*\); last no answer from http:\/\/127\.0\.0\.1:\d+\/ \(the run's deadline passed\)$/);
  });

  test('a canary that never answers keeps the smoke check no longer than the deadline; the requests not made count as bad', async () => {
    const checks: Checks = { namespace: 'shop', app: 'shop', smoke: { path: '/', requests: 5, expectStatus: 200, minSuccessRatio: 0.5, requestTimeoutSeconds: 60 }, deadlineSeconds: 1 };
    const { server, url } = await silent();
    const deadline = deadlineAfterRequest(server);
    const analysed = analyse(checks, { canaryUrl: url });
    await deadline;
    const { results: [result], seconds } = await analysed;
    expect(seconds).toBeLessThan(2);
    expect(result).toMatchObject({ verdict: 'fail', measured: '0/5 answered 200 (0%); the run\'s deadline left 4 unmade' });
  });

  test('a query the deadline reaches before it is asked is not failed for it: only the one cut short fails', async () => {
    const fake = await fakePrometheus({ late: [sample('0')] });
    servers.push(fake.server);
    const { server: hung, url: silentUrl } = await silent();
    // The first query's server never answers; the second's would.
    const checks: Checks = { namespace: 'shop', app: 'shop', deadlineSeconds: 1, prometheus: { url: silentUrl, window: '1m', queries: [{ name: 'hung', query: 'hung', max: 1 }] } };
    let deadline = deadlineAfterRequest(hung);
    const analysed = analyse(checks);
    await deadline;
    const { results: [result], seconds } = await analysed;
    expect(seconds).toBeLessThan(2);
    expect(result).toMatchObject({ verdict: 'fail', measured: expect.stringContaining('(the run\'s deadline passed)') });
    const two: Checks = { ...checks, prometheus: { ...checks.prometheus!, queries: [{ name: 'hung', query: 'hung', max: 1 }, { name: 'late', query: 'late', max: 1 }] } };
    deadline = deadlineAfterRequest(hung);
    const analysedTwo = analyse(two);
    await deadline;
    const { results, heard } = await analysedTwo;
    expect(heard.map((each) => each.check)).toEqual(['prometheus hung']);
    expect(results.map((each) => [each.verdict, each.measured])).toEqual([
      ['fail', expect.stringContaining('(the run\'s deadline passed)')], ['inconclusive', 'not measured: prometheus hung failed'],
    ]);
  });

  test('rounds the deadline cuts short leave a healthy canary inconclusive, not passed', async () => {
    const { url } = await prometheusAnswering([sample('0')]);
    const { results: [result], heard, seconds } = await onFakeClock(analyse(checksOf(url, { count: 10, interval: 0.5 }), { deadline: Date.now() + 1_200 }));
    expect(seconds).toBeLessThan(1.5);
    expect(heard).toHaveLength(3);
    expect(result).toMatchObject({ verdict: 'inconclusive', measured: '3 passed, 0 failed, 0 without data of 10 measurements (stopped after 3 of 10: the run\'s deadline came); last 0' });
  });
});

describe('what the gate prints is safe', () => {
  const ESC = '\u001b';

  test('control characters and escape sequences from Prometheus, names and paths are escaped', async () => {
    const fake = await fakePrometheus({ q: [{ status: 400, body: JSON.stringify({ status: 'error', error: `${ESC}[2J${ESC}]0;owned\u0007\nFAIL  forged line\u202e` }) }] });
    servers.push(fake.server);
    const { results: [result], heard } = await analyse({ namespace: 'shop', app: 'shop', prometheus: { url: fake.url, window: '1m', queries: [{ name: `q${ESC}[31m`, query: 'q', max: 1 }] } });
    const printed = [gate.formatResult(result), gate.formatMeasurement(heard[0])];
    for (const line of printed) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(printed[0]).toBe('FAIL  prometheus q\\u001b[31m: HTTP 400: query refused: \\u001b[2J\\u001b]0;owned\\u0007\\u000aFAIL  forged line\\u202e, needs <= 1');
    const smoke = { check: `smoke GET /${ESC}[2J`, pass: false, measured: '0/1', bound: '>= 100%' };
    expect(gate.formatResult(smoke)).toBe('FAIL  smoke GET /\\u001b[2J: 0/1, needs >= 100%');
  });

  test('a smoke path that looks like another host is still a path on the canary', async () => {
    const paths: string[] = [];
    const { server, url } = await serve((request, response) => {
      paths.push(request.url!);
      response.end('ok');
    });
    servers.push(server);
    const checks: Checks = { namespace: 'shop', app: 'shop', smoke: { path: '//elsewhere.example/x', requests: 1, expectStatus: 200, minSuccessRatio: 1, requestTimeoutSeconds: 5 } };
    const { results: [result] } = await analyse(checks, { canaryUrl: url });
    expect(result.verdict).toBe('pass');
    expect(paths).toEqual(['//elsewhere.example/x']);
  });

  test('a Prometheus URL with user:pass@ never prints the password, and its credentials are sent as Basic auth', async () => {
    const { server, url } = await serve((request, response) => {
      const good = request.headers.authorization === `Basic ${Buffer.from('gate:s3cret').toString('base64')}`;
      response.statusCode = good ? 200 : 401;
      response.end(good ? sample('0').body : 'unauthorized');
    });
    servers.push(server);
    const withCredentials = url.replace('http://', 'http://gate:s3cret@');
    const { results: [passed] } = await analyse(checksOf(withCredentials));
    expect(passed.verdict).toBe('pass');
    await close(server);
    const { results: [failed] } = await analyse(checksOf(withCredentials));
    expect(failed.measured).toMatch(/^no answer from http:\/\/gate:\*\*\*@127\.0\.0\.1:\d+\/ \(ECONNREFUSED\)$/);
    expect(gate.redact('https://user:pass@prometheus.example/x')).toBe('https://user:***@prometheus.example/x');
  });
});

describe('the webhook notice', () => {
  /** A webhook that records what it is sent and answers `status`. */
  async function webhook(status = 200) {
    const received: { path: string; type?: string; body: unknown }[] = [];
    const { server, url } = await serve((request, response) => {
      let body = '';
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => {
        received.push({ path: request.url!, type: request.headers['content-type'], body: JSON.parse(body) });
        response.statusCode = status;
        response.end();
      });
    });
    servers.push(server);
    return { url, received };
  }

  const failed = [
    { check: 'smoke GET /healthz', pass: true, verdict: 'pass' as const, measured: '20/20 answered 200 (100%)', bound: '>= 100%' },
    { check: 'prometheus errors', pass: false, verdict: 'fail' as const, measured: '0.2', bound: '<= 0.01' },
  ];
  const checks: Checks = { namespace: 'shop', app: 'web' };

  test('a failed gate posts a short summary: app, namespace, stage, verdict, and the checks that did not pass', async () => {
    const hook = await webhook();
    const notice = await gate.notify(checks, failed, { webhook: `${hook.url}/services/T0/B0/SECRET`, stage: 'canary' });
    expect(hook.received).toEqual([{
      path: '/services/T0/B0/SECRET', type: 'application/json',
      body: { app: 'web', namespace: 'shop', stage: 'canary', verdict: 'fail', failed: [{ check: 'prometheus errors', verdict: 'fail', measured: '0.2', bound: '<= 0.01' }] },
    }]);
    // The webhook's path is its secret: not printed.
    expect(notice).toBe(`notify: sent the fail verdict to ${hook.url}`);
  });

  test('an inconclusive gate is told too; a passed one is not', async () => {
    const hook = await webhook();
    const inconclusive = [{ ...failed[1], verdict: 'inconclusive' as const, measured: 'no data: the query matched no series' }];
    expect(await gate.notify({ ...checks, notify: { webhook: hook.url } }, inconclusive, {})).toBe(`notify: sent the inconclusive verdict to ${hook.url}`);
    expect(await gate.notify({ ...checks, notify: { webhook: hook.url } }, [failed[0]], {})).toBeUndefined();
    expect(hook.received.map((each) => (each.body as { verdict: string }).verdict)).toEqual(['inconclusive']);
  });

  test('a webhook that refuses or is not there is told, and the verdict stands', async () => {
    const hook = await webhook(500);
    expect(await gate.notify(checks, failed, { webhook: hook.url })).toBe(`notify: ${hook.url} answered HTTP 500; the verdict stands`);
    const { server, url } = await serve(() => undefined);
    await close(server);
    expect(await gate.notify(checks, failed, { webhook: url })).toBe(`notify: could not reach ${url} (ECONNREFUSED); the verdict stands`);
  });
});

describe('the Job\'s command: exit 0 pass, 1 fail, 3 inconclusive; $NOTIFY_WEBHOOK over the checks\' webhook', () => {
  let dir: string;
  beforeAll(() => { dir = tempDir('gate'); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `node run-checks.js checks.json` as the Job runs it; not run to its end here, since this process answers it. */
  async function job(checks: Checks, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
    const file = join(dir, `checks-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(checks));
    const { status, stdout } = await start([process.execPath, join(root, 'verify', 'run-checks.js'), file], { env: { STAGE: 'canary', ...env } }).ended;
    return { code: status, out: stdout };
  }

  test.each<[string, number, Raw, string]>([
    ['a healthy canary', 0, sample('0.001'), 'verdict: pass: all 1 checks passed'],
    ['a failing canary', 1, sample('0.5'), 'verdict: FAIL: 1 of 1 checks failed'],
    ['an answer without a number', 1, sample(''), 'verdict: FAIL: 1 of 1 checks failed'],
    ['no data', 3, empty, 'verdict: INCONCLUSIVE: none failed, but 1 of 1 checks had too little data to pass'],
  ])('%s: exit %i', async (_case, code, answer, verdict) => {
    const { url } = await prometheusAnswering([answer]);
    const run = await job(checksOf(url));
    expect(run.out.trimEnd().split('\n').slice(-1)).toEqual([verdict]);
    expect(run.code).toBe(code);
  }, PROCESS_TEST_TIMEOUT);

  test('the notice goes to $NOTIFY_WEBHOOK, with $STAGE; a webhook that is down changes no exit code', async () => {
    const { url } = await prometheusAnswering([sample('0.5')]);
    const received: unknown[] = [];
    const hook = await serve((request, response) => {
      let body = '';
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => { received.push(JSON.parse(body)); response.end(); });
    });
    servers.push(hook.server);
    const run = await job({ ...checksOf(url), notify: { webhook: 'http://127.0.0.1:9/unused' } }, { NOTIFY_WEBHOOK: `${hook.url}/hook` });
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/\nnotify: sent the fail verdict to http:\/\/127\.0\.0\.1:\d+\n$/);
    expect(received).toEqual([expect.objectContaining({ app: 'shop', namespace: 'shop', stage: 'canary', verdict: 'fail' })]);
    await close(hook.server);
    const down = await job(checksOf(url), { NOTIFY_WEBHOOK: hook.url });
    expect(down.out).toMatch(/\nnotify: could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); the verdict stands\n$/);
    expect(down.code).toBe(1);
  }, PROCESS_TEST_TIMEOUT);
});
