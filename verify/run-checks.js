#!/usr/bin/env node
// @ts-check
/*
 * The checks of a cdk8s-canary verification gate. One file, Node.js built-ins only: the Job runs it in
 * the cluster from a ConfigMap (`node run-checks.js checks.json`, the canary at $CANARY_URL), and
 * `cdk8s-canary verify` runs the same code from a laptop or CI. Each check prints one line with what
 * it measured and the bound; the exit code is 0 when every check passes, 1 otherwise.
 */
'use strict';

/**
 * @typedef {{ path: string, requests: number, expectStatus: number, minSuccessRatio: number, requestTimeoutSeconds: number }} Smoke
 * @typedef {{ name: string, query: string, max?: number, min?: number }} Query
 * @typedef {{ url: string, window: string, queries: Query[] }} Prometheus
 * @typedef {{ namespace: string, app: string, smoke?: Smoke, prometheus?: Prometheus }} Checks
 * @typedef {{ check: string, pass: boolean, measured: string, bound: string }} Result
 */

/** @param {number} ratio */
const percent = (ratio) => `${Number((ratio * 100).toFixed(1))}%`;

/**
 * Requests the canary `requests` times, one after another; a request that fails or times out counts
 * as a bad answer.
 * @param {Smoke} smoke @param {string} canaryUrl @returns {Promise<Result>}
 */
async function smokeCheck(smoke, canaryUrl) {
  const url = new URL(smoke.path, canaryUrl).href;
  let good = 0;
  for (let i = 0; i < smoke.requests; i++) {
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(smoke.requestTimeoutSeconds * 1000) });
      await response.arrayBuffer();
      if (response.status === smoke.expectStatus) good++;
    } catch {
      // A refused, reset or timed-out request is a bad answer.
    }
  }
  const ratio = good / smoke.requests;
  return {
    check: `smoke GET ${smoke.path}`,
    pass: ratio >= smoke.minSuccessRatio,
    measured: `${good}/${smoke.requests} answered ${smoke.expectStatus} (${percent(ratio)})`,
    bound: `>= ${percent(smoke.minSuccessRatio)}`,
  };
}

/**
 * The query with its placeholders filled in.
 * @param {string} query @param {Checks} checks @param {string} window
 */
function expand(query, checks, window) {
  return query.split('$window').join(window).split('$namespace').join(checks.namespace).split('$app').join(checks.app);
}

/**
 * One number from a Prometheus instant query: a scalar, or a vector of exactly one sample.
 * @param {string} server @param {string} query @returns {Promise<number | string>} the value, or why there is none
 */
async function queryValue(server, query) {
  const url = new URL('api/v1/query', server.endsWith('/') ? server : `${server}/`);
  url.searchParams.set('query', query);
  /** @type {{ status: string, error?: string, data: { resultType: string, result: any } }} */
  let body;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    body = /** @type {typeof body} */ (await response.json());
  } catch (error) {
    return `no answer from ${server} (${/** @type {Error} */ (error).message})`;
  }
  if (body.status !== 'success') return `query refused: ${body.error ?? body.status}`;
  const { resultType, result } = body.data;
  if (resultType === 'scalar') return Number(result[1]);
  if (resultType !== 'vector') return `a ${resultType} result: the query must give one number`;
  if (result.length === 0) return 'no data: the query matched no series';
  if (result.length > 1) return `${result.length} series: the query must give one number (aggregate it, for example with sum)`;
  return Number(result[0].value[1]);
}

/** @param {Query} query */
function boundText(query) {
  return [query.min === undefined ? '' : `>= ${query.min}`, query.max === undefined ? '' : `<= ${query.max}`].filter(Boolean).join(' and ');
}

/** @param {Prometheus} prometheus @param {Checks} checks @param {string} server @returns {Promise<Result[]>} */
async function prometheusChecks(prometheus, checks, server) {
  const results = [];
  for (const query of prometheus.queries) {
    const value = await queryValue(server, expand(query.query, checks, prometheus.window));
    const known = typeof value === 'number' && !Number.isNaN(value);
    results.push({
      check: `prometheus ${query.name}`,
      pass: known && (query.max === undefined || value <= query.max) && (query.min === undefined || value >= query.min),
      measured: typeof value === 'number' ? (Number.isNaN(value) ? 'NaN (no requests in the window?)' : String(Number(value.toPrecision(6)))) : value,
      bound: boundText(query),
    });
  }
  return results;
}

/**
 * Runs every check; `canaryUrl` is the canary's address, `prometheusUrl` overrides the spec's server.
 * @param {Checks} checks @param {{ canaryUrl?: string, prometheusUrl?: string }} where @returns {Promise<Result[]>}
 */
async function runChecks(checks, where) {
  const results = [];
  if (checks.smoke) {
    if (!where.canaryUrl) throw new Error('the smoke check needs the canary\'s address');
    results.push(await smokeCheck(checks.smoke, where.canaryUrl));
  }
  if (checks.prometheus) results.push(...await prometheusChecks(checks.prometheus, checks, where.prometheusUrl ?? checks.prometheus.url));
  return results;
}

/** @param {Result} result */
function formatResult(result) {
  return `${result.pass ? 'pass' : 'FAIL'}  ${result.check}: ${result.measured}, needs ${result.bound}`;
}

/** In the Job: `node run-checks.js checks.json`, the canary at $CANARY_URL. */
async function main() {
  const checks = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
  const results = await runChecks(checks, { canaryUrl: process.env.CANARY_URL });
  for (const result of results) console.log(formatResult(result));
  process.exitCode = results.every((result) => result.pass) ? 0 : 1;
}

module.exports = { runChecks, formatResult };

if (require.main === module) {
  main().catch((error) => {
    console.error(`verify: ${error.message}`);
    process.exitCode = 1;
  });
}
