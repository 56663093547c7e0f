#!/usr/bin/env node
// @ts-check
/*
 * The checks of a cdk8s-canary verification gate. One file, Node.js built-ins only: the Job runs it in
 * the cluster from a ConfigMap (`node run-checks.js checks.json`, the canary at $CANARY_URL), and
 * `cdk8s-canary verify` runs the same code from a laptop or CI.
 *
 * The Prometheus checks are an analysis over time: after `initialDelay` seconds, every query is
 * measured `count` times, `interval` seconds apart. A measurement passes, fails, or has no data (an
 * empty result, NaN, ±Inf), which counts neither for nor against the canary. An answer that holds
 * no number (an HTTP error, a body that is not Prometheus' JSON, a value such as "" or "0x0") is an
 * error and fails the measurement: the gate fails closed. A query's analysis
 *   - fails when more than `failureLimit` measurements failed (it stops there: a failed gate says so at once);
 *   - passes when at least `count - failureLimit` measurements passed (and at least one did);
 *   - is inconclusive otherwise: too many measurements had no data to say either, so the gate cannot pass
 *     on evidence the spec did not get, nor fail a canary that nothing was measured against.
 * A query with `compare: 'baseline'` is judged against the baseline instead of a bound: its range over
 * the window, once with `$track` the canary and once the baseline track, by a Mann-Whitney U test.
 * A StatefulSet's pods carry no track label: its queries name each track's pods with `$pods`.
 *
 * The run has one deadline (`deadlineSeconds`); each request has its own timeout and reads at most a
 * bounded answer. Text from outside (Prometheus' errors, names, paths) is escaped before it is
 * printed, and a URL never prints its password. Exit codes: 0 pass, 1 fail, 3 inconclusive (2 is the
 * CLI's usage error).
 */
'use strict';

/**
 * @typedef {'pass' | 'fail' | 'inconclusive'} Verdict
 * @typedef {{ path: string, requests: number, expectStatus: number, minSuccessRatio: number, requestTimeoutSeconds: number }} Smoke
 * @typedef {{ name: string, query: string, max?: number, min?: number,
 *   compare?: 'baseline', alpha?: number, worse?: 'higher' | 'lower', step?: number, baselineTrack?: string }} Query
 * @typedef {{ url: string, window: string, queries: Query[], interval?: number, count?: number, failureLimit?: number, initialDelay?: number }} Prometheus
 * @typedef {{ namespace: string, app: string, smoke?: Smoke, prometheus?: Prometheus, deadlineSeconds?: number, notify?: { webhook?: string } }} Checks
 * @typedef {{ time: string, check: string, round: number, count: number, value: number | null, measured: string, bound: string, verdict: Verdict }} Measurement
 * @typedef {{ check: string, pass: boolean, verdict: Verdict, measured: string, bound: string, measurements?: Measurement[] }} Result
 * @typedef {Omit<Result, 'verdict'> & { verdict?: Verdict }} Reported a result, also from callers that know no verdict
 * @typedef {{ canaryUrl?: string, prometheusUrl?: string, onMeasurement?: (measurement: Measurement) => void, deadline?: number, pods?: Record<string, string> }} Where
 *   pods: a StatefulSet app's pods of each track in the stage (canary, baseline, stable), as a regular expression of their names, for `$pods`
 * @typedef {{ deadline: number, signal: AbortSignal }} Run
 * @typedef {{ value: number } | { none: string } | { error: string }} Outcome
 */

const EXIT_CODES = { pass: 0, fail: 1, inconclusive: 3 };
// The Job's default active deadline; the spec gives the run a shorter one, to print and notify in time.
const DEFAULT_DEADLINE_SECONDS = 300;
const PROMETHEUS_TIMEOUT_MS = 30_000;
const PROMETHEUS_LIMIT = 1024 * 1024;
const SMOKE_LIMIT = 64 * 1024;
const NOTIFY_TIMEOUT_MS = 10_000;
const NOTIFY_LIMIT = 16 * 1024;
const DEFAULT_ALPHA = 0.05;
// A typical scrape interval. Points closer than the query's own rate window overlap and are not
// independent, which makes the test too ready to fail: a step of at least that window keeps them apart.
const DEFAULT_STEP_SECONDS = 15;
// A Mann-Whitney test on fewer is no test; the judge also asks that the samples could reach alpha at all.
const MIN_SAMPLES = 3;

/** @param {number} ratio */
const percent = (ratio) => `${Number((ratio * 100).toFixed(1))}%`;

/** @param {number} value */
const shortNumber = (value) => String(Number(value.toPrecision(6)));

// Control characters, and the invisible ones that reorder or break a terminal's line.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * Text from outside made safe to print: control characters and escape sequences as JSON writes them (\u001b).
 * @param {unknown} text
 */
function safe(text) {
  return String(text).replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A URL as it may be printed: never its password.
 * @param {string} url
 */
function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return '(not a URL)';
  }
}

/** Text cut to `length` characters, so no answer fills the log. @param {string} text @param {number} length */
const clip = (text, length) => (text.length > length ? `${text.slice(0, length - 3)}...` : text);

/**
 * A value from an answer, shown briefly: `""`, `null`, `"0x0"`.
 * @param {unknown} value
 */
function shown(value) {
  return clip(value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value), 80);
}

/** Why a request came to nothing, in a few words. @param {unknown} error @param {number} timeoutMs */
function why(error, timeoutMs) {
  const err = /** @type {Error & { cause?: { code?: string, message?: string } }} */ (error);
  if (err?.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  if (err?.name === 'DeadlineError') return 'the run\'s deadline passed';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
}

class DeadlineError extends Error {
  constructor() {
    super('the run\'s deadline passed');
    this.name = 'DeadlineError';
  }
}

/** @param {unknown} value @returns {value is Record<string, any>} */
const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One request, bounded: a timeout that also covers reading the answer, the run's deadline, and at
 * most `limit` bytes of the answer (past it, `overflow: 'stop'` keeps what came, 'error' throws). A URL's
 * `user:pass@` goes in an Authorization header, as fetch takes no credentials in the URL.
 * @param {string | URL} url
 * @param {{ limit: number, timeoutMs: number, overflow: 'stop' | 'error', run?: Run, method?: string, body?: string, headers?: Record<string, string> }} options
 * @returns {Promise<{ status: number, text: string }>}
 */
async function request(url, options) {
  const target = new URL(url);
  const headers = { ...options.headers };
  if (target.username || target.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.run ? AbortSignal.any([timeout, options.run.signal]) : timeout;
  const response = await fetch(target, { method: options.method ?? 'GET', body: options.body, headers, redirect: 'manual', signal });
  const chunks = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.length > options.limit) {
        await reader.cancel().catch(() => undefined);
        if (options.overflow === 'error') throw new Error(`an answer of more than ${options.limit} bytes`);
        chunks.push(value.subarray(0, options.limit - size));
        break;
      }
      size += value.length;
      chunks.push(value);
    }
  }
  return { status: response.status, text: Buffer.concat(chunks).toString('utf8') };
}

/** @param {number} time @param {Run} run @returns {Promise<boolean>} false when the deadline comes first */
async function sleepUntil(time, run) {
  if (time >= run.deadline || run.signal.aborted) return false;
  const ms = time - Date.now();
  if (ms <= 0) return true;
  await new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      run.signal.removeEventListener('abort', done);
      resolve(undefined);
    }
    run.signal.addEventListener('abort', done);
  });
  return !run.signal.aborted;
}

/**
 * The path on the canary's own host, whatever the path holds: `//elsewhere/` is a path there too.
 * @param {string} canaryUrl @param {string} path
 */
function smokeUrl(canaryUrl, path) {
  const base = new URL(canaryUrl);
  const url = new URL(`${base.origin}${path.startsWith('/') ? '' : '/'}${path}`);
  if (url.origin !== base.origin) throw new Error(`smoke.path ${shown(path)} leads off the canary's host`);
  url.username = base.username;
  url.password = base.password;
  return url;
}

/**
 * Requests the canary `requests` times, one after another; a request that fails or times out counts
 * as a bad answer, and so does each one the run's deadline leaves unmade.
 * @param {Smoke} smoke @param {string} canaryUrl @param {Run} run @returns {Promise<Result>}
 */
async function smokeCheck(smoke, canaryUrl, run) {
  const url = smokeUrl(canaryUrl, smoke.path);
  const timeoutMs = smoke.requestTimeoutSeconds * 1000;
  let good = 0;
  let made = 0;
  for (; made < smoke.requests && !run.signal.aborted; made++) {
    try {
      // Only the status counts; the body is read to its end, or to the cap for a large one.
      const answer = await request(url, { limit: SMOKE_LIMIT, overflow: 'stop', timeoutMs, run });
      if (answer.status === smoke.expectStatus) good++;
    } catch {
      // A refused, reset or timed-out request is a bad answer.
    }
  }
  const ratio = good / smoke.requests;
  const pass = ratio >= smoke.minSuccessRatio;
  const cut = made < smoke.requests ? `; the run's deadline left ${smoke.requests - made} unmade` : '';
  return {
    check: `smoke GET ${smoke.path}`,
    pass,
    verdict: pass ? 'pass' : 'fail',
    measured: `${good}/${smoke.requests} answered ${smoke.expectStatus} (${percent(ratio)})${cut}`,
    bound: `>= ${percent(smoke.minSuccessRatio)}`,
  };
}

/**
 * The query with its placeholders filled in: `$pods` is the pods of `track` (the canary's where the
 * query names no track), for a StatefulSet app, whose pods carry no track label.
 * @param {string} query @param {Checks} checks @param {string} window @param {string} [track] @param {Record<string, string>} [pods]
 */
function expand(query, checks, window, track, pods) {
  const filled = query.split('$window').join(window).split('$namespace').join(checks.namespace).split('$app').join(checks.app);
  const podsFilled = pods ? filled.split('$pods').join(pods[track ?? 'canary']) : filled;
  return track === undefined ? podsFilled : podsFilled.split('$track').join(track);
}

// A number as Prometheus writes one: "12", "0.0012", "1e-05", "-3.5E+10".
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A sample's value: a number, no data (NaN and the infinities), or an error for anything else.
 * @param {unknown} raw @returns {Outcome}
 */
function sampleValue(raw) {
  if (raw === 'NaN') return { none: 'NaN (no requests in the window?)' };
  if (raw === '+Inf' || raw === '-Inf' || raw === 'Inf') return { none: `${raw} (a division by zero?)` };
  if (typeof raw !== 'string' || !DECIMAL.test(raw)) return { error: `not a number: ${shown(raw)}` };
  const value = Number(raw);
  return Number.isFinite(value) ? { value } : { error: `not a finite number: ${shown(raw)}` };
}

/**
 * The `data` of a Prometheus API answer, or why there is none.
 * @param {string} server @param {string} path @param {Record<string, string>} params @param {Run} run
 * @returns {Promise<{ data: Record<string, any> } | { error: string }>}
 */
async function prometheusData(server, path, params, run) {
  const url = new URL(path, server.endsWith('/') ? server : `${server}/`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  let answer;
  try {
    answer = await request(url, { limit: PROMETHEUS_LIMIT, overflow: 'error', timeoutMs: PROMETHEUS_TIMEOUT_MS, run });
  } catch (error) {
    return { error: `no answer from ${redact(server)} (${why(error, PROMETHEUS_TIMEOUT_MS)})` };
  }
  const http = answer.status === 200 ? '' : `HTTP ${answer.status}: `;
  /** @type {unknown} */
  let body;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return { error: `${http}an answer that is not Prometheus' JSON` };
  }
  if (!isObject(body)) return { error: `${http}an answer without data: ${shown(body)}` };
  if (body.status !== 'success') return { error: `${http}query refused: ${clip(String(body.error ?? shown(body.status)), 300)}` };
  if (http) return { error: `${http}an unexpected status for a query that succeeded` };
  if (!isObject(body.data)) return { error: `an answer without data: ${shown(body.data)}` };
  return { data: body.data };
}

/**
 * One number from a Prometheus instant query: a scalar, or a vector of exactly one sample.
 * @param {string} server @param {string} query @param {Run} run @returns {Promise<Outcome>}
 */
async function queryValue(server, query, run) {
  const answer = await prometheusData(server, 'api/v1/query', { query }, run);
  if ('error' in answer) return answer;
  const { resultType, result } = answer.data;
  if (resultType === 'scalar') return Array.isArray(result) ? sampleValue(result[1]) : { error: `a scalar without a value: ${shown(result)}` };
  if (resultType !== 'vector') return { error: `a ${shown(resultType)} result: the query must give one number` };
  if (!Array.isArray(result)) return { error: `a vector that is not a list: ${shown(result)}` };
  if (result.length === 0) return { none: 'no data: the query matched no series' };
  if (result.length > 1) return { error: `${result.length} series: the query must give one number (aggregate it, for example with sum)` };
  const [sample] = result;
  if (!isObject(sample) || !Array.isArray(sample.value)) return { error: `a sample without a value: ${shown(sample)}` };
  return sampleValue(sample.value[1]);
}

/**
 * The finite values of a Prometheus range query of one series; NaN and the infinities are left out.
 * @param {string} server @param {string} query @param {{ start: number, end: number, step: number }} range @param {Run} run
 * @returns {Promise<{ values: number[] } | { none: string } | { error: string }>}
 */
async function rangeValues(server, query, range, run) {
  const params = { query, start: String(range.start), end: String(range.end), step: String(range.step) };
  const answer = await prometheusData(server, 'api/v1/query_range', params, run);
  if ('error' in answer) return answer;
  const { resultType, result } = answer.data;
  if (resultType !== 'matrix' || !Array.isArray(result)) return { error: `a ${shown(resultType)} result: a range query gives a matrix` };
  if (result.length === 0) return { none: 'no data: the query matched no series' };
  if (result.length > 1) return { error: `${result.length} series: the query must give one series (aggregate it, for example with sum)` };
  const [series] = result;
  if (!isObject(series) || !Array.isArray(series.values)) return { error: `a series without values: ${shown(series)}` };
  const values = [];
  for (const point of series.values) {
    // A point is [time, value]: anything else is an answer that cannot be read, never a value.
    if (!Array.isArray(point) || point.length !== 2) return { error: `a point that is not [time, value]: ${shown(point)}` };
    const outcome = sampleValue(point[1]);
    if ('error' in outcome) return outcome;
    if ('value' in outcome) values.push(outcome.value);
  }
  return { values };
}

/** A Prometheus duration (`30s`, `5m`, `1h30m`, `500ms`) in seconds. @param {string} duration */
function durationSeconds(duration) {
  const units = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const parts = [...String(duration).matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== duration) throw new Error(`window ${safe(shown(duration))} is not a Prometheus duration, such as 5m`);
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * units[/** @type {keyof typeof units} */ (unit)], 0);
}

/** @param {Query} query */
function boundText(query) {
  return [query.min === undefined ? '' : `>= ${query.min}`, query.max === undefined ? '' : `<= ${query.max}`].filter(Boolean).join(' and ');
}

/** @param {number} x @returns {number} */
function erfc(x) {
  if (x < 0) return 2 - erfc(-x);
  if (x < 1.5) {
    // erf's Taylor series, which converges fast and without cancellation this close to 0.
    let term = x;
    let sum = x;
    for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc's continued fraction, x + (1/2)/(x + 1/(x + (3/2)/(x + ...))), by Lentz's method.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 1000; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** The standard normal's upper tail, P(Z > z). @param {number} z */
const normalSf = (z) => erfc(z / Math.SQRT2) / 2;

/**
 * The Mann-Whitney U test of samples `x` and `y`: U of `x` (how often a value of `x` is above one of
 * `y`, ties counting half) and the two-sided p-value by the normal approximation with the tie and
 * continuity corrections, as SciPy's `mannwhitneyu(x, y, method='asymptotic', use_continuity=True)`.
 * @param {number[]} x @param {number[]} y @returns {{ u: number, p: number }}
 */
function mannWhitney(x, y) {
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;
  const pooled = [...x.map((value) => ({ value, ofX: true })), ...y.map((value) => ({ value, ofX: false }))].sort((a, b) => a.value - b.value);
  let rankSumX = 0;
  let ties = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && pooled[j + 1].value === pooled[i].value) j++;
    // Tied values share the mean of their ranks, i+1 .. j+1.
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    ties += t * t * t - t;
    for (let k = i; k <= j; k++) if (pooled[k].ofX) rankSumX += rank;
    i = j + 1;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
  // Every value tied: the samples cannot be told apart.
  if (!(sd > 0)) return { u, p: 1 };
  const z = (Math.max(u, n1 * n2 - u) - mean - 0.5) / sd;
  return { u, p: Math.min(1, 2 * normalSf(z)) };
}

/** The smallest p-value samples of these sizes allow: one wholly above the other. @param {number} n1 @param {number} n2 */
function leastP(n1, n2) {
  return mannWhitney(Array.from({ length: n1 }, (_, i) => i), Array.from({ length: n2 }, (_, i) => n1 + i)).p;
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The baseline judge: the canary fails when its sample differs from the baseline's (two-sided p below
 * alpha) and on the worse side; too few samples to reach alpha at all is no verdict.
 * @param {number[]} canary @param {number[]} baseline @param {{ alpha: number, worse: 'higher' | 'lower', baselineTrack: string }} judge
 * @returns {{ verdict: Verdict, value: number | null, measured: string }}
 */
function judgeSamples(canary, baseline, judge) {
  const sizes = `canary ${canary.length}, ${judge.baselineTrack} ${baseline.length} samples`;
  if (canary.length < MIN_SAMPLES || baseline.length < MIN_SAMPLES || leastP(canary.length, baseline.length) >= judge.alpha) {
    return { verdict: 'inconclusive', value: null, measured: `too few samples to judge (${sizes})` };
  }
  const { u, p } = mannWhitney(canary, baseline);
  const higher = u > (canary.length * baseline.length) / 2;
  const lower = u < (canary.length * baseline.length) / 2;
  const worse = judge.worse === 'lower' ? lower : higher;
  const measured = `Mann-Whitney U = ${shortNumber(u)}, p = ${p.toPrecision(3)}; median canary ${shortNumber(median(canary))}, `
    + `${judge.baselineTrack} ${shortNumber(median(baseline))} (${sizes})`;
  return { verdict: p < judge.alpha && worse ? 'fail' : 'pass', value: p, measured };
}

/**
 * @typedef {{ kind: 'bound' }
 *   | { kind: 'baseline', alpha: number, worse: 'higher' | 'lower', step: number, baselineTrack: string, seconds: number }} Judge
 */

/**
 * A query's judge with its defaults; an error for a query that would judge nothing, or that names
 * pods it is not given (`$pods` without `pods`), refused before anything is measured.
 * @param {Query} query @param {string} window @param {Record<string, string>} [pods] @returns {Judge}
 */
function judgeOf(query, window, pods) {
  const name = `query ${shown(query.name)}`;
  if (query.query.includes('$pods') && !pods) throw new Error(`${name} names $pods, a StatefulSet's pods of each track, and no pods are given`);
  if (query.compare === undefined) {
    if (query.max === undefined && query.min === undefined) throw new Error(`${name} has no bound: give max, min or both, or compare: baseline`);
    return { kind: 'bound' };
  }
  if (query.compare !== 'baseline') throw new Error(`${name} compares with ${shown(query.compare)}: the one comparison is baseline`);
  if (!query.query.includes('$track') && !query.query.includes('$pods')) throw new Error(`${name} compares tracks: its query must name them with $track (a StatefulSet's, its pods with $pods)`);
  /** @type {Judge} */
  const judge = {
    kind: 'baseline', alpha: query.alpha ?? DEFAULT_ALPHA, worse: query.worse ?? 'higher', step: query.step ?? DEFAULT_STEP_SECONDS,
    baselineTrack: query.baselineTrack ?? 'stable', seconds: durationSeconds(window),
  };
  if (!(judge.alpha > 0 && judge.alpha < 1)) throw new Error(`${name}: alpha is ${shown(judge.alpha)}: it must be above 0 and below 1`);
  if (judge.worse !== 'higher' && judge.worse !== 'lower') throw new Error(`${name}: worse is ${shown(judge.worse)}: it must be higher or lower`);
  if (!(judge.step > 0)) throw new Error(`${name}: step is ${shown(judge.step)}: it must be a number of seconds above 0`);
  return judge;
}

/**
 * One measurement of one query: a value against its bound, or the canary's sample against the baseline's.
 * @param {Query} query @param {Judge} judge @param {Prometheus} prometheus @param {Checks} checks @param {string} server @param {Run} run
 * @param {Record<string, string>} [pods]
 * @returns {Promise<{ verdict: Verdict, value: number | null, measured: string }>}
 */
async function measure(query, judge, prometheus, checks, server, run, pods) {
  if (judge.kind === 'baseline') {
    const end = Date.now() / 1000;
    const range = { start: end - judge.seconds, end, step: judge.step };
    const samples = [];
    for (const track of ['canary', judge.baselineTrack]) {
      const outcome = await rangeValues(server, expand(query.query, checks, prometheus.window, track, pods), range, run);
      if ('error' in outcome) return { verdict: 'fail', value: null, measured: `${track}: ${outcome.error}` };
      samples.push('none' in outcome ? [] : outcome.values);
    }
    return judgeSamples(samples[0], samples[1], judge);
  }
  const outcome = await queryValue(server, expand(query.query, checks, prometheus.window, undefined, pods), run);
  if ('error' in outcome) return { verdict: 'fail', value: null, measured: outcome.error };
  if ('none' in outcome) return { verdict: 'inconclusive', value: null, measured: outcome.none };
  const { value } = outcome;
  const pass = (query.max === undefined || value <= query.max) && (query.min === undefined || value >= query.min);
  return { verdict: pass ? 'pass' : 'fail', value, measured: shortNumber(value) };
}

/** @param {Query} query @param {Judge} judge */
function queryBound(query, judge) {
  if (judge.kind === 'bound') return boundText(query);
  return `canary not ${judge.worse} than ${judge.baselineTrack} (Mann-Whitney U, two-sided p < ${judge.alpha} fails)`;
}

/**
 * The analysis' verdict from its measurements so far (see the header).
 * @param {{ passed: number, failed: number }} tally @param {number} count @param {number} failureLimit @returns {Verdict}
 */
function analysisVerdict(tally, count, failureLimit) {
  if (tally.failed > failureLimit) return 'fail';
  if (tally.passed >= Math.max(1, count - failureLimit)) return 'pass';
  return 'inconclusive';
}

/** @param {Prometheus} prometheus */
function analysisPlan(prometheus) {
  const plan = { interval: prometheus.interval ?? 0, count: prometheus.count ?? 1, failureLimit: prometheus.failureLimit ?? 0, initialDelay: prometheus.initialDelay ?? 0 };
  const wrong = Object.entries(plan).find(([key, value]) => typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)
    || ((key === 'count' || key === 'failureLimit') && !Number.isInteger(value)) || (key === 'count' && value < 1));
  if (wrong) throw new Error(`prometheus.${wrong[0]} is ${safe(shown(wrong[1]))}: it must be a number of ${wrong[0] === 'count' ? 'measurements, at least 1' : wrong[0] === 'failureLimit' ? 'measurements, 0 or more' : 'seconds, 0 or more'}`);
  return plan;
}

/**
 * The Prometheus checks as an analysis: every query measured each round, until the rounds end, a
 * query fails, or the run's deadline comes.
 * @param {Prometheus} prometheus @param {Checks} checks @param {string} server @param {Run} run @param {Where} where
 * @returns {Promise<Result[]>}
 */
async function prometheusChecks(prometheus, checks, server, run, where) {
  const plan = analysisPlan(prometheus);
  const queries = prometheus.queries.map((query) => {
    const judge = judgeOf(query, prometheus.window, where.pods);
    return { query, judge, bound: queryBound(query, judge), tally: { passed: 0, failed: 0, none: 0 }, measurements: /** @type {Measurement[]} */ ([]) };
  });
  const start = Date.now() + plan.initialDelay * 1000;
  let stopped = '';
  for (let round = 0; round < plan.count && !stopped; round++) {
    if (!await sleepUntil(start + round * plan.interval * 1000, run)) {
      stopped = 'the run\'s deadline came';
      break;
    }
    for (const each of queries) {
      // A query the deadline reaches before it is asked is not measured: only one asked and cut short fails.
      if (run.signal.aborted) break;
      const { verdict, value, measured } = await measure(each.query, each.judge, prometheus, checks, server, run, where.pods);
      each.tally[verdict === 'pass' ? 'passed' : verdict === 'fail' ? 'failed' : 'none']++;
      const measurement = { time: new Date().toISOString(), check: `prometheus ${each.query.name}`, round: round + 1, count: plan.count, value, measured, bound: each.bound, verdict };
      each.measurements.push(measurement);
      where.onMeasurement?.(measurement);
      if (analysisVerdict(each.tally, plan.count, plan.failureLimit) === 'fail') stopped = `prometheus ${each.query.name} failed`;
    }
    if (run.signal.aborted && !stopped) stopped = 'the run\'s deadline came';
  }
  return queries.map((each) => analysisResult(each, plan, stopped));
}

/**
 * @param {{ query: Query, bound: string, tally: { passed: number, failed: number, none: number }, measurements: Measurement[] }} each
 * @param {{ count: number, failureLimit: number }} plan @param {string} stopped @returns {Result}
 */
function analysisResult(each, plan, stopped) {
  const verdict = analysisVerdict(each.tally, plan.count, plan.failureLimit);
  const check = `prometheus ${each.query.name}`;
  const last = each.measurements[each.measurements.length - 1];
  const result = { check, pass: verdict === 'pass', verdict, measurements: each.measurements };
  // One measurement, as the gate always had: its value against its bound.
  if (plan.count === 1) return { ...result, measured: last?.measured ?? `not measured: ${stopped}`, bound: each.bound };
  const { passed, failed, none } = each.tally;
  const taken = each.measurements.length;
  const cut = taken < plan.count ? ` (stopped after ${taken} of ${plan.count}: ${stopped})` : '';
  const latest = last ? `; last ${last.measured}` : '';
  return {
    ...result,
    measured: `${passed} passed, ${failed} failed, ${none} without data of ${plan.count} measurements${cut}${latest}`,
    bound: `${each.bound} in at least ${Math.max(1, plan.count - plan.failureLimit)} of ${plan.count}, at most ${plan.failureLimit} failing`,
  };
}

/**
 * Runs every check; `canaryUrl` is the canary's address, `prometheusUrl` overrides the spec's server,
 * `onMeasurement` hears each measurement as it is taken, and `deadline` (a time, as Date.now() gives)
 * overrides the checks' `deadlineSeconds` from now.
 * @param {Checks} checks @param {Where} where @returns {Promise<Result[]>}
 */
async function runChecks(checks, where) {
  const deadline = where.deadline ?? Date.now() + (checks.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS) * 1000;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineError()), Math.max(0, deadline - Date.now()));
  const run = { deadline, signal: controller.signal };
  try {
    const results = [];
    if (checks.smoke) {
      if (!where.canaryUrl) throw new Error('the smoke check needs the canary\'s address');
      results.push(await smokeCheck(checks.smoke, where.canaryUrl, run));
    }
    if (checks.prometheus) results.push(...await prometheusChecks(checks.prometheus, checks, where.prometheusUrl ?? checks.prometheus.url, run, where));
    return results;
  } finally {
    clearTimeout(timer);
  }
}

/** The gate's verdict: it fails when a check fails, and passes only when every check passes. @param {Reported[]} results @returns {Verdict} */
function gateVerdict(results) {
  const verdicts = results.map((result) => result.verdict ?? (result.pass ? 'pass' : 'fail'));
  return verdicts.includes('fail') ? 'fail' : verdicts.every((verdict) => verdict === 'pass') ? 'pass' : 'inconclusive';
}

const WORDS = { pass: 'pass', fail: 'FAIL', inconclusive: 'INCONCLUSIVE' };

/** @param {Reported} result */
function formatResult(result) {
  const verdict = result.verdict ?? (result.pass ? 'pass' : 'fail');
  return safe(`${WORDS[verdict]}  ${result.check}: ${result.measured}, needs ${result.bound}`);
}

/** One measurement as it comes: when, which, what, against what, and its verdict. @param {Measurement} measurement */
function formatMeasurement(measurement) {
  const { time, check, round, count, measured, bound, verdict } = measurement;
  return safe(`${time}  ${check} ${round}/${count}: ${measured}, needs ${bound}: ${verdict === 'inconclusive' ? 'no data' : WORDS[verdict]}`);
}

/** The gate's closing line. @param {Reported[]} results */
function formatVerdict(results) {
  const verdict = gateVerdict(results);
  const of = (/** @type {Verdict} */ which) => `${results.filter((result) => (result.verdict ?? (result.pass ? 'pass' : 'fail')) === which).length} of ${results.length}`;
  if (verdict === 'pass') return `verdict: pass: all ${results.length} checks passed`;
  if (verdict === 'fail') return `verdict: FAIL: ${of('fail')} checks failed`;
  return `verdict: INCONCLUSIVE: none failed, but ${of('inconclusive')} checks had too little data to pass`;
}

/**
 * When the gate does not pass, POSTs a short summary to the webhook (`where.webhook`, such as
 * $NOTIFY_WEBHOOK from a Secret, else the checks' `notify.webhook`). Returns a line to print, or
 * undefined when nothing was sent. A failure to notify is told, and changes no verdict.
 * @param {Checks} checks @param {Reported[]} results @param {{ webhook?: string, stage?: string }} where
 * @returns {Promise<string | undefined>}
 */
async function notify(checks, results, where) {
  const webhook = where.webhook || checks.notify?.webhook;
  const verdict = gateVerdict(results);
  if (!webhook || verdict === 'pass') return undefined;
  const summary = {
    app: checks.app, namespace: checks.namespace, stage: where.stage ?? null, verdict,
    failed: results.filter((result) => (result.verdict ?? (result.pass ? 'pass' : 'fail')) !== 'pass').slice(0, 20)
      .map((result) => ({ check: clip(result.check, 300), verdict: result.verdict ?? 'fail', measured: clip(result.measured, 300), bound: clip(result.bound, 300) })),
  };
  // A webhook's path is often its secret: only its origin is printed.
  let origin;
  try {
    origin = new URL(webhook).origin;
  } catch {
    return 'notify: the webhook is not a URL; the verdict stands';
  }
  try {
    const answer = await request(webhook, {
      method: 'POST', body: JSON.stringify(summary), headers: { 'content-type': 'application/json' }, limit: NOTIFY_LIMIT, overflow: 'stop', timeoutMs: NOTIFY_TIMEOUT_MS,
    });
    if (answer.status >= 200 && answer.status < 300) return `notify: sent the ${verdict} verdict to ${origin}`;
    return `notify: ${origin} answered HTTP ${answer.status}; the verdict stands`;
  } catch (error) {
    return `notify: could not reach ${origin} (${why(error, NOTIFY_TIMEOUT_MS)}); the verdict stands`;
  }
}

/** In the Job: `node run-checks.js checks.json`, the canary at $CANARY_URL, the stage in $STAGE, a StatefulSet's pods of each track in $TRACK_PODS (JSON). */
async function main() {
  const checks = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
  const pods = process.env.TRACK_PODS ? JSON.parse(process.env.TRACK_PODS) : undefined;
  const results = await runChecks(checks, { canaryUrl: process.env.CANARY_URL, pods, onMeasurement: (measurement) => console.log(formatMeasurement(measurement)) });
  for (const result of results) console.log(formatResult(result));
  console.log(formatVerdict(results));
  const notice = await notify(checks, results, { webhook: process.env.NOTIFY_WEBHOOK, stage: process.env.STAGE });
  if (notice) console.log(safe(notice));
  process.exitCode = EXIT_CODES[gateVerdict(results)];
}

module.exports = { runChecks, formatResult, formatMeasurement, formatVerdict, gateVerdict, notify, mannWhitney, safe, redact, EXIT_CODES };

if (require.main === module) {
  main().catch((error) => {
    console.error(`verify: ${safe(error.message)}`);
    process.exitCode = 1;
  });
}
