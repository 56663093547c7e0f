#!/usr/bin/env node
// @ts-check
/*
 * The revert of a cdk8s-canary StatefulSet app at rollback, as Argo CD runs it: a Sync hook Job in
 * the StatefulSet's wave. Node.js built-ins only; the Job runs it from a ConfigMap, with kube-api.js
 * beside it:
 *
 *   node revert-pods.js INPUT_JSON SERVICE_ACCOUNT_DIR
 *
 * INPUT_JSON: { "namespace", "statefulSet", "seconds" }.
 * Rollback puts stable's template back at partition 0, and the StatefulSet controller then replaces
 * the canary's pods, highest first, each once the one before is Ready. A canary pod that never became
 * Ready holds that forever (kubernetes/kubernetes#67250): the controller waits for it. So, once the
 * controller has seen the rollback's generation, every pod of this StatefulSet (by its owner) that
 * runs another revision than the update revision and is not Ready is deleted, and the controller
 * makes it anew on stable's template. Nothing else is deleted: no Ready pod (the controller replaces
 * those in order), no pod of the update revision, no pod of another owner. It asks every second
 * until every pod runs the update revision, or `seconds` have passed (then it fails, and the sync).
 * An error that waiting will not mend (no Role, no StatefulSet) fails at once.
 * Exit codes: 0 every pod on the update revision, 1 not, 2 usage.
 */
'use strict';

const { get, lasting, main, remove, safe } = require('./kube-api');

/**
 * @typedef {{ namespace: string, statefulSet: string, seconds: number }} Input
 * @typedef {import('./kube-api').Api} Api
 */

const INTERVAL_MS = 1000;
const REVISION_LABEL = 'controller-revision-hash';

/**
 * Whether a pod is Ready.
 * @param {any} pod
 */
function ready(pod) {
  return (pod.status?.conditions ?? []).some((/** @type {any} */ condition) => condition.type === 'Ready' && condition.status === 'True');
}

/**
 * The pods to delete now: this StatefulSet's, on another revision than `revision`, not Ready, not going.
 * @param {any[]} pods
 * @param {string} uid the StatefulSet's
 * @param {string} revision its update revision
 */
function stuckPods(pods, uid, revision) {
  return pods.filter((pod) => (pod.metadata.ownerReferences ?? []).some((/** @type {any} */ owner) => owner.uid === uid && owner.kind === 'StatefulSet')
    && pod.metadata.labels?.[REVISION_LABEL] !== revision && !pod.metadata.deletionTimestamp && !ready(pod));
}

/**
 * One look: deletes what is stuck; says whether every pod runs the update revision.
 * @param {Input} input
 * @param {Api} api
 */
async function step(input, api) {
  const ns = encodeURIComponent(input.namespace);
  const set = await get(api, `/apis/apps/v1/namespaces/${ns}/statefulsets/${encodeURIComponent(input.statefulSet)}`);
  // Until the controller has seen the rollback, its update revision is the canary's.
  if ((set.status?.observedGeneration ?? 0) < set.metadata.generation) return false;
  const revision = set.status.updateRevision;
  const selector = Object.entries(set.spec.selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`).join(',');
  const pods = (await get(api, `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
  for (const pod of stuckPods(pods, set.metadata.uid, revision)) {
    try {
      await remove(api, `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(pod.metadata.name)}`);
      console.log(`deleted pod ${pod.metadata.name}: revision ${safe(pod.metadata.labels?.[REVISION_LABEL])}, not Ready; the controller makes it anew on ${safe(revision)}`);
    } catch (error) {
      // Gone already: what was wanted.
      if (/** @type {{ status?: number }} */ (error).status !== 404) throw error;
    }
  }
  return set.status.updatedReplicas === set.spec.replicas && set.status.currentRevision === revision;
}

/**
 * Runs until every pod runs the update revision, or the time is up.
 * @param {Input} input
 * @param {Api} api
 * @returns {Promise<boolean>}
 */
async function revert(input, api) {
  const started = Date.now();
  const deadline = started + input.seconds * 1000;
  let last = '';
  for (;;) {
    try {
      if (await step(input, api)) {
        console.log(`StatefulSet ${input.statefulSet}: every pod on the update revision after ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return true;
      }
      last = '';
    } catch (error) {
      last = safe(/** @type {Error} */ (error).message);
      if (lasting(error)) break;
    }
    if (Date.now() + INTERVAL_MS > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  console.error(`StatefulSet ${input.statefulSet} did not turn back to its update revision in ${input.seconds} s${last ? `; last error: ${last}` : ''}`);
  return false;
}

module.exports = { revert, stuckPods };

if (require.main === module) main('node revert-pods.js INPUT_JSON SERVICE_ACCOUNT_DIR', revert);
