#!/usr/bin/env node
// @ts-check
/*
 * The endpoint check of a cdk8s-canary stage, as Argo CD runs it: a Sync hook Job in the wave after
 * the tracks that grow, before the routes move and anything shrinks. One file, Node.js built-ins
 * only; the Job runs it from a ConfigMap:
 *
 *   node check-endpoints.js CHECKS_JSON SERVICE_ACCOUNT_DIR
 *
 * CHECKS_JSON: { "namespace", "seconds", "checks": [{ "service", "pods", "count", "message" }] }.
 * Each check holds when the Service's EndpointSlices list at least `count` of the pods that the
 * label selector `pods` selects as ready endpoints, each pod once however many slices list it (a
 * dual-stack Service lists a pod in two). The plan's kubectl steps count the same way.
 *
 * It asks the API server at https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (set in every
 * pod) with the service account's token and CA from SERVICE_ACCOUNT_DIR, the token read anew for
 * each request (the kubelet rotates it). Every second until all checks hold or `seconds` have
 * passed. A check that cannot be measured never holds: an answer the API server refuses for good
 * (401, 403, 404: no Role, or no such namespace), a token or CA that is not there, or a server
 * certificate the CA does not vouch for fails at once; any other error is tried again until the
 * time is up, and then printed with the check's message. Exit codes: 0 all hold, 1 not,
 * 2 usage.
 */
'use strict';

const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');

/**
 * @typedef {{ service: string, pods: string, count: number, message: string }} Check
 * @typedef {{ namespace: string, seconds: number, checks: Check[] }} Checks
 * @typedef {{ host: string, port: string, dir: string }} Api
 */

const REQUEST_TIMEOUT_MS = 5000;
// An EndpointSlice list of a large Service, or a pod list of a large track, is well under this.
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const INTERVAL_MS = 1000;

/**
 * Text from outside (an error's message), printable on one line.
 * @param {unknown} text
 */
function safe(text) {
  return String(text).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).slice(0, 500);
}

/** An error that waiting will not mend. */
class Refused extends Error {}

/**
 * Whether a request's error is one that waiting will not mend: no token or CA where the pod should
 * have them, or a server certificate the CA does not vouch for.
 * @param {NodeJS.ErrnoException} error
 */
function lasting(error) {
  return error.code === 'ENOENT' || /CERT|SIGNATURE|^ERR_TLS_/.test(error.code ?? '');
}

/**
 * GET a path of the API server as JSON.
 * @param {Api} api
 * @param {string} urlPath
 * @returns {Promise<any>}
 */
function get(api, urlPath) {
  return new Promise((resolve, reject) => {
    const token = fs.readFileSync(path.join(api.dir, 'token'), 'utf8').trim();
    const request = https.get({
      host: api.host, port: api.port, path: urlPath, ca: fs.readFileSync(path.join(api.dir, 'ca.crt')),
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, timeout: REQUEST_TIMEOUT_MS,
    }, (response) => {
      /** @type {Buffer[]} */
      const chunks = [];
      let size = 0;
      response.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) request.destroy(new Error(`the answer to ${urlPath} passed ${MAX_BODY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        if (status === 200) {
          try { resolve(JSON.parse(body)); } catch { reject(new Error(`the answer to ${urlPath} is not JSON`)); }
          return;
        }
        let message = body;
        try { message = JSON.parse(body).message ?? body; } catch { /* the body as it came */ }
        const error = `GET ${urlPath}: ${status} ${message}`;
        reject([401, 403, 404].includes(status) ? new Refused(error) : new Error(error));
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${urlPath}: no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
  });
}

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
        if (error instanceof Refused || lasting(/** @type {NodeJS.ErrnoException} */ (error))) {
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

if (require.main === module) {
  const [json, dir] = process.argv.slice(2);
  const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } = process.env;
  if (!json || !dir || !host || !port) {
    console.error('usage: KUBERNETES_SERVICE_HOST=... KUBERNETES_SERVICE_PORT=... node check-endpoints.js CHECKS_JSON SERVICE_ACCOUNT_DIR');
    process.exit(2);
  }
  runChecks(JSON.parse(json), { host, port, dir }).then((ok) => process.exit(ok ? 0 : 1), (error) => {
    console.error(safe(error.message));
    process.exit(1);
  });
}
