#!/usr/bin/env node
// @ts-check
/*
 * The wave guard of a cdk8s-canary release across clusters, as Argo CD runs it: a Job in Argo CD's
 * own cluster, the only object of the guard Application that RollingSync syncs before a wave (after
 * the waves before it). It holds when every Application of those waves runs this stage, settled:
 *
 *   node check-waves.js GUARD_JSON SERVICE_ACCOUNT_DIR
 *
 * GUARD_JSON: { "namespace", "seconds", "app", "application", "stage", "waves": [names],
 * "gate"?: { "namespace", "name" } }. `application` is the guard's own Application, which Argo CD
 * syncs from a commit that holds this stage. The Applications judged are those of the app's
 * ApplicationSet (`app.kubernetes.io/instance`) labelled with one of the waves, the guards left out.
 * Each must be Synced, compared with the guard's own commit (a status compared with an earlier commit
 * is an earlier stage's, however Healthy: argo-cd#29410), Healthy in that same comparison, and its
 * last sync Succeeded (a hook that failed fails the sync, not the health). Where the stage has a gate,
 * its Job (named after the stage) must be among the Application's resources, so Healthy includes the
 * gate's success. A wave without Applications is not judged to hold: there is nothing to measure.
 *
 * It asks the API server as kube-api.js does, every 2 s until all hold or `seconds` have passed; an
 * error that waiting will not mend (no Role, no such namespace) fails at once. Exit codes: 0 all
 * hold, 1 not, 2 usage.
 */
'use strict';

const { get, lasting, main, safe } = require('./kube-api');

/**
 * @typedef {{ namespace: string, seconds: number, app: string, application: string, stage: string, waves: string[], gate?: { namespace: string, name: string } }} Guard
 * @typedef {import('./kube-api').Api} Api
 */

const INTERVAL_MS = 2000;
const WAVE_LABEL = 'cdk8s-canary/wave';
const GUARD_LABEL = 'cdk8s-canary/guard';

/** @param {string | undefined} revision */
const short = (revision) => (revision ? safe(revision.slice(0, 12)) : 'no commit');

/**
 * Why an Application does not (yet) run the stage of the guard's commit, settled; '' when it does.
 * @param {any} application
 * @param {Guard} guard
 * @param {string} revision the guard's own commit
 */
function notSettled(application, guard, revision) {
  const status = application.status ?? {};
  const operation = status.operationState;
  if (status.sync?.status !== 'Synced') return `is ${safe(status.sync?.status ?? 'not compared yet')}, not Synced`;
  if (status.sync.revision !== revision) return `is compared with ${short(status.sync.revision)}, not with the guard's ${short(revision)}`;
  if (status.health?.status !== 'Healthy') return `is ${safe(status.health?.status ?? 'of unknown health')}${status.health?.message ? ` (${safe(status.health.message)})` : ''}, not Healthy`;
  if (!operation) return 'has not been synced';
  if (operation.phase !== 'Succeeded') return `has its last sync ${safe(operation.phase)}`;
  const gate = guard.gate;
  if (gate && !(status.resources ?? []).some((/** @type {any} */ each) => each.group === 'batch' && each.kind === 'Job' && each.namespace === gate.namespace && each.name === gate.name)) {
    return `does not hold the gate of stage ${guard.stage} (Job ${gate.namespace}/${gate.name})`;
  }
  return '';
}

/**
 * What stands between the waves and the stage: a line for each Application that does not run it,
 * settled, and for each wave without Applications. Empty when all hold.
 * @param {any[]} applications the app's Applications, the guards' among them
 * @param {Guard} guard
 */
function judge(applications, guard) {
  const own = applications.find((each) => each.metadata.name === guard.application);
  const revision = own?.status?.sync?.revision;
  if (!revision) return [`the guard's own Application ${guard.application} has no commit compared yet`];
  const lines = [];
  for (const wave of guard.waves) {
    const inWave = applications.filter((each) => each.metadata.labels?.[WAVE_LABEL] === wave && each.metadata.labels?.[GUARD_LABEL] !== 'true');
    if (!inWave.length) lines.push(`wave ${wave}: no Application of ${guard.app}`);
    for (const application of inWave) {
      const reason = notSettled(application, guard, revision);
      if (reason) lines.push(`wave ${wave}: Application ${safe(application.metadata.name)} ${reason}`);
    }
  }
  return lines;
}

/**
 * Runs the guard until its waves hold or the time is up; prints what held, or what did not.
 * @param {Guard} guard
 * @param {Api} api
 * @returns {Promise<boolean>}
 */
async function runGuard(guard, api) {
  const started = Date.now();
  const deadline = started + guard.seconds * 1000;
  const selector = `app.kubernetes.io/instance=${guard.app}`;
  const url = `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(guard.namespace)}/applications?labelSelector=${encodeURIComponent(selector)}`;
  let lines = ['not read yet'];
  for (;;) {
    try {
      lines = judge((await get(api, url)).items, guard);
    } catch (error) {
      lines = [safe(/** @type {Error} */ (error).message)];
      if (lasting(error)) break;
    }
    if (!lines.length) {
      console.log(`waves ${guard.waves.join(', ')} run stage ${guard.stage}, settled, after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return true;
    }
    if (Date.now() + INTERVAL_MS > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  console.error(`the waves before this one do not run stage ${guard.stage}:`);
  for (const line of lines) console.error(`  ${line}`);
  return false;
}

module.exports = { judge, runGuard };

if (require.main === module) main('node check-waves.js GUARD_JSON SERVICE_ACCOUNT_DIR', runGuard);
