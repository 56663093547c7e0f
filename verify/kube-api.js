// @ts-check
/*
 * What the checks that the stage files' Jobs run (check-endpoints.js, check-waves.js, revert-pods.js) share: reading
 * the API server from inside a pod, Node.js built-ins only. Each Job's ConfigMap carries this file
 * beside its check.
 *
 * It asks https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (set in every pod) with the
 * service account's token and CA from the folder the kubelet mounts them in, the token read anew for
 * each request (the kubelet rotates it). An answer the API server refuses for good (401, 403, 404: no
 * Role, no such namespace) is `Refused`; so is a token or CA that is not there, or a server
 * certificate the CA does not vouch for (`lasting`). Any other error may mend by waiting.
 */
'use strict';

const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');

/** @typedef {{ host: string, port: string, dir: string }} Api */

const REQUEST_TIMEOUT_MS = 5000;
// An EndpointSlice list of a large Service, or an Application list with every resource, is well under this.
const MAX_BODY_BYTES = 16 * 1024 * 1024;

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
 * @param {unknown} error
 */
function lasting(error) {
  if (error instanceof Refused) return true;
  const code = /** @type {NodeJS.ErrnoException} */ (error).code ?? '';
  return code === 'ENOENT' || /CERT|SIGNATURE|^ERR_TLS_/.test(code);
}

/**
 * GET a path of the API server as JSON.
 * @param {Api} api
 * @param {string} urlPath
 * @returns {Promise<any>}
 */
function get(api, urlPath) {
  return call(api, 'GET', urlPath);
}

/**
 * DELETE an object of the API server: its answer as JSON.
 * @param {Api} api
 * @param {string} urlPath
 * @returns {Promise<any>}
 */
function remove(api, urlPath) {
  return call(api, 'DELETE', urlPath);
}

/**
 * A request without a body to the API server, its answer as JSON.
 * @param {Api} api
 * @param {'GET' | 'DELETE'} method
 * @param {string} urlPath
 * @returns {Promise<any>}
 */
function call(api, method, urlPath) {
  return new Promise((resolve, reject) => {
    const token = fs.readFileSync(path.join(api.dir, 'token'), 'utf8').trim();
    const request = https.request({
      method, host: api.host, port: api.port, path: urlPath, ca: fs.readFileSync(path.join(api.dir, 'ca.crt')),
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
        const error = `${method} ${urlPath}: ${status} ${message}`;
        reject(Object.assign([401, 403, 404].includes(status) ? new Refused(error) : new Error(error), { status }));
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`${method} ${urlPath}: no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
    request.end();
  });
}

/**
 * How a check is run from the command line: `node CHECK INPUT_JSON SERVICE_ACCOUNT_DIR`, the API
 * server from the pod's environment; exit 0 when `run` says it holds, 1 when not, 2 on a wrong call.
 * @param {string} usage
 * @param {(input: any, api: Api) => Promise<boolean>} run
 */
function main(usage, run) {
  const [json, dir] = process.argv.slice(2);
  const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } = process.env;
  if (!json || !dir || !host || !port) {
    console.error(`usage: KUBERNETES_SERVICE_HOST=... KUBERNETES_SERVICE_PORT=... ${usage}`);
    process.exit(2);
  }
  run(JSON.parse(json), { host, port, dir }).then((ok) => process.exit(ok ? 0 : 1), (error) => {
    console.error(safe(error.message));
    process.exit(1);
  });
}

module.exports = { get, lasting, main, Refused, remove, safe };
