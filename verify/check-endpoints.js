#!/usr/bin/env node
// @ts-check
/*
 * The endpoint check of a cdk8s-canary stage, as Argo CD runs it: a Sync hook Job in the wave after
 * the tracks that grow, before the routes move and anything shrinks. Node.js built-ins only; the Job
 * runs it from a ConfigMap, with kube-api.js beside it:
 *
 *   node check-endpoints.js CHECKS_JSON SERVICE_ACCOUNT_DIR
 *
 * CHECKS_JSON: { "namespace", "seconds", "checks": [{ "service", "pods", "count", "message" }] }.
 * Each check holds when the Service's EndpointSlices list at least `count` of the pods that the
 * label selector `pods` selects as ready endpoints, each pod once however many slices list it (a
 * dual-stack Service lists a pod in two). The plan's kubectl steps count the same way.
 *
 * It asks the API server as kube-api.js does, every second until all checks hold or `seconds` have
 * passed. A check that cannot be measured never holds: an error that waiting will not mend (an
 * answer refused for good: no Role, no such namespace; no token; a certificate not vouched for) fails
 * at once; any other is tried again until the time is up, and then printed with the check's message.
 * Exit codes: 0 all hold, 1 not, 2 usage.
 */
'use strict';

const { get, lasting, main, safe } = require('./kube-api');

/**
 * @typedef {{ service: string, pods: string, count: number, message: string }} Check
 * @typedef {{ namespace: string, seconds: number, checks: Check[] }} Checks
 * @typedef {import('./kube-api').Api} Api
 */

const INTERVAL_MS = 1000;

/**
 * How many of the selected pods the Service lists as ready endpoints.
 * @param {Api} api
 * @param {string} namespace
 * @param {Check} check
 */
async function readyEndpoints(api, namespace, check) {
  const ns = encodeURIComponent(namespace);
  const pods = await get(api, `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(check.pods)}`);
  const slices = await get(api, `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${check.service}`)}`);
  const selected = new Set(pods.items.map((/** @type {any} */ pod) => pod.metadata.name));
  const ready = new Set();
  for (const slice of slices.items) {
    for (const endpoint of slice.endpoints ?? []) {
      const target = endpoint.targetRef;
      if (endpoint.conditions?.ready === true && target?.kind === 'Pod' && selected.has(target.name)) ready.add(target.name);
    }
  }
  return ready.size;
}

/**
 * Runs the checks until all hold or the time is up; prints one line a check.
 * @param {Checks} checks
 * @param {Api} api
 * @returns {Promise<boolean>}
 */
async function runChecks(checks, api) {
  const started = Date.now();
  const deadline = started + checks.seconds * 1000;
  const pending = new Map(checks.checks.map((check) => [check, { ready: 0, error: '' }]));
  for (;;) {
    for (const [check, seen] of pending) {
      try {
        seen.ready = await readyEndpoints(api, checks.namespace, check);
        seen.error = '';
      } catch (error) {
        seen.error = safe(/** @type {Error} */ (error).message);
        if (lasting(error)) {
          console.error(`${check.message}: ${seen.error}`);
          return false;
        }
      }
      if (seen.ready >= check.count) {
        console.log(`Service ${check.service}: ${seen.ready} ready endpoints of ${check.count} (${check.pods}) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
        pending.delete(check);
      }
    }
    if (pending.size === 0) return true;
    if (Date.now() + INTERVAL_MS > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  for (const [check, seen] of pending) console.error(`${check.message} (${seen.ready} listed${seen.error ? `; last error: ${seen.error}` : ''})`);
  return false;
}

module.exports = { runChecks, readyEndpoints };

if (require.main === module) main('node check-endpoints.js CHECKS_JSON SERVICE_ACCOUNT_DIR', runChecks);
