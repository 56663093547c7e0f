/**
 * The baseline judge: the Mann-Whitney U test against reference values, and the judge over a stand-in
 * Prometheus' range queries. The same against a real Prometheus is in verify.test.ts.
 */
import type { Server } from 'node:http';
import * as gate from '../verify/run-checks';
import { close, fakePrometheus, series, type Raw } from './gate-servers';

type Checks = Parameters<typeof gate.runChecks>[0];
type Query = NonNullable<Checks['prometheus']>['queries'][number];

describe('the Mann-Whitney U test, as SciPy\'s mannwhitneyu(x, y, method=\'asymptotic\') gives it', () => {
  test('SciPy\'s own example: males [19, 22, 16, 29, 24] against females [20, 11, 17, 12]: U1 = 17, p = 0.1113', () => {
    // By hand: pooled and ranked, 11 12 16 17 19 20 22 24 29 get 1..9; the males' ranks 3 5 7 8 9 sum to 32,
    // so U1 = 32 - 5*6/2 = 17 and U2 = 5*4 - 17 = 3. No ties: mean 10, sd = sqrt(5*4*10/12) = 4.082483;
    // z = (max(U1, U2) - 10 - 0.5) / 4.082483 = 1.592168; p = 2 * (1 - Phi(1.592168)) = 2 * 0.0556734 = 0.1113469.
    // SciPy 1.10.1 gives 0.11134688653314041 (its documentation's exact method gives 0.1111 for the same data).
    const { u, p } = gate.mannWhitney([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(u).toBe(17);
    expect(p).toBeCloseTo(0.11134688653314041, 12);
  });

  test('with ties: [1, 2, 2, 3, 3, 3, 5] against [2, 3, 4, 4, 5, 6]: U = 10, p = 0.1250', () => {
    // By hand: 1 gets rank 1; the three 2s ranks 2-4, so 3 each; the four 3s ranks 5-8, 6.5 each; the two 4s
    // 9.5 each; the two 5s 11.5 each; 6 gets 13. x's ranks: 1 + 3 + 3 + 6.5 * 3 + 11.5 = 38, so U = 38 - 7*8/2 = 10,
    // and the other U = 42 - 10 = 32. Ties of 3, 4, 2, 2 values: sum(t^3 - t) = 24 + 60 + 6 + 6 = 96, so
    // sd = sqrt(7*6/12 * (14 - 96/(13*12))) = sqrt(46.846154) = 6.844425; z = (32 - 21 - 0.5) / 6.844425 = 1.534096;
    // p = 2 * 0.0625031 = 0.1250062. SciPy 1.10.1 gives 0.12500621852933796.
    const { u, p } = gate.mannWhitney([1, 2, 2, 3, 3, 3, 5], [2, 3, 4, 4, 5, 6]);
    expect(u).toBe(10);
    expect(p).toBeCloseTo(0.12500621852933796, 12);
  });

  test('by hand: [1, 2, 3, 4] wholly below [5, 6, 7, 8]: U = 0, p = 0.0304', () => {
    // U = 0; mean 8, sd = sqrt(4*4*9/12) = sqrt(12) = 3.464102; z = (16 - 8 - 0.5) / 3.464102 = 2.165064;
    // p = 2 * 0.0151914 = 0.0303828 (SciPy 1.10.1: 0.03038282197657749).
    const { u, p } = gate.mannWhitney([1, 2, 3, 4], [5, 6, 7, 8]);
    expect(u).toBe(0);
    expect(p).toBeCloseTo(0.03038282197657749, 12);
  });

  test('the samples swapped: the other U, the same p; every value tied: p = 1', () => {
    const forward = gate.mannWhitney([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    const back = gate.mannWhitney([20, 11, 17, 12], [19, 22, 16, 29, 24]);
    expect(back.u).toBe(20 - forward.u);
    expect(back.p).toBeCloseTo(forward.p, 15);
    expect(gate.mannWhitney([0.1, 0.1, 0.1], [0.1, 0.1, 0.1])).toEqual({ u: 4.5, p: 1 });
  });

  test('far tails keep their precision: 30 values wholly below 30 others', () => {
    // SciPy 1.10.1: mannwhitneyu(range(30), range(30, 60), method='asymptotic').pvalue == 3.019859359162157e-11
    const { p } = gate.mannWhitney(Array.from({ length: 30 }, (_, i) => i), Array.from({ length: 30 }, (_, i) => 30 + i));
    expect(p / 3.019859359162157e-11).toBeCloseTo(1, 10);
  });
});

describe('the baseline judge, over a stand-in Prometheus\' range queries', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
  });

  const latency = 'latency{track="$track"}';
  const slow = [0.2, 0.21, 0.22, 0.23, 0.24, 0.25, 0.26, 0.27, 0.28, 0.29];
  const fast = [0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.19];

  /** Runs one baseline comparison, the canary's and the stable track's series as given. */
  async function judge(canary: Raw, stable: Raw, query: Partial<Query> = {}) {
    const fake = await fakePrometheus({ 'latency{track="canary"}': [canary], [`latency{track="${query.baselineTrack ?? 'stable'}"}`]: [stable] });
    servers.push(fake.server);
    const checks: Checks = { namespace: 'shop', app: 'shop', prometheus: { url: fake.url, window: '5m', queries: [{ name: 'latency', query: latency, compare: 'baseline', ...query }] } };
    const [result] = await gate.runChecks(checks, {});
    return { result, asked: fake.asked };
  }

  test('a slower canary fails: the line names the test and gives U, p and both medians', async () => {
    const { result, asked } = await judge(series(slow), series(fast));
    expect(result.verdict).toBe('fail');
    expect(gate.formatResult(result)).toBe('FAIL  prometheus latency: Mann-Whitney U = 100, p = 0.000183; median canary 0.245, stable 0.145 (canary 10, stable 10 samples),'
      + ' needs canary not higher than stable (Mann-Whitney U, two-sided p < 0.05 fails)');
    // Range queries over the window that ends now, at the default step.
    expect(asked.map((each) => [each.path, each.query])).toEqual([['/api/v1/query_range', 'latency{track="canary"}'], ['/api/v1/query_range', 'latency{track="stable"}']]);
    const { start, end, step } = asked[0].params;
    expect(Number(end) - Number(start)).toBeCloseTo(300, 6);
    expect(Math.abs(Number(end) * 1000 - asked[0].at)).toBeLessThan(1000);
    expect(step).toBe('15');
  });

  test('a canary like the baseline passes', async () => {
    const { result } = await judge(series([...fast].reverse()), series(fast));
    expect(result).toMatchObject({ verdict: 'pass', measured: 'Mann-Whitney U = 50, p = 1.00; median canary 0.145, stable 0.145 (canary 10, stable 10 samples)' });
  });

  test('a faster canary passes: only the worse side fails; with worse: lower, a canary that serves less fails', async () => {
    expect((await judge(series(fast), series(slow))).result.verdict).toBe('pass');
    const { result } = await judge(series(fast), series(slow), { worse: 'lower' });
    expect(result).toMatchObject({ verdict: 'fail', bound: 'canary not lower than stable (Mann-Whitney U, two-sided p < 0.05 fails)' });
  });

  test('alpha sets how sure the judge must be', async () => {
    const overlapping = [0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.24, 0.26, 0.28, 0.3];
    const { p } = gate.mannWhitney(overlapping, fast);
    expect(p).toBeGreaterThan(0.001);
    expect(p).toBeLessThan(0.05);
    expect((await judge(series(overlapping), series(fast))).result.verdict).toBe('fail');
    expect((await judge(series(overlapping), series(fast), { alpha: 0.001 })).result.verdict).toBe('pass');
  });

  test('too few samples to reach alpha is no verdict: 3 a side cannot, 4 can', async () => {
    // Wholly apart, 3 against 3 gives p = 0.081 at best; 4 against 4, p = 0.030.
    const three = await judge(series(slow.slice(0, 3)), series(fast.slice(0, 3)));
    expect(three.result).toMatchObject({ verdict: 'inconclusive', measured: 'too few samples to judge (canary 3, stable 3 samples)' });
    expect((await judge(series(slow.slice(0, 4)), series(fast.slice(0, 4)))).result.verdict).toBe('fail');
  });

  test('NaN points are left out of the sample; a point that is no number fails the measurement', async () => {
    const withGaps = await judge(series(['NaN', ...slow.slice(0, 3), '+Inf']), series(fast));
    expect(withGaps.result).toMatchObject({ verdict: 'fail', measured: 'Mann-Whitney U = 30, p = 0.0142; median canary 0.21, stable 0.145 (canary 3, stable 10 samples)' });
    const broken = await judge(series([...slow, '0x1']), series(fast));
    expect(broken.result).toMatchObject({ verdict: 'fail', measured: 'canary: not a number: "0x1"' });
  });

  test('points that are not [time, value] never count as values: the measurement fails', async () => {
    // A bare value where a point belongs (a proxy or a fake that flattens the matrix) used to pass as one.
    const flat = { body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: fast.map(String) }] } }) };
    const { result } = await judge(flat, series(fast));
    expect(result).toMatchObject({ verdict: 'fail', measured: 'canary: a point that is not [time, value]: "0.1"' });
  });

  test('the baseline track is named by baselineTrack; the step by step', async () => {
    const { result, asked } = await judge(series(slow), series(fast), { baselineTrack: 'baseline', step: 5 });
    expect(result.measured).toContain('median canary 0.245, baseline 0.145');
    expect(asked[1].query).toBe('latency{track="baseline"}');
    expect(asked[1].params.step).toBe('5');
  });
});
