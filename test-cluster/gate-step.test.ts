/**
 * The plan's gate step on the real control plane: a verification Job that fails (here at its
 * deadline, as a gate that runs out of time does) must start the rollback at once, not when the
 * wait's timeout runs out. The control: `kubectl wait --for=condition=complete`, which the step used,
 * never returns for a failed Job before its timeout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatStep } from '../src/engine/kubectl-steps';
import { kubectl, shell, until } from './kube';

const NAMESPACE = 'gate-step';

/** A Job that fails at its 2 s deadline: kwok's pods run, and never finish. */
const failingJob = (name: string) => `apiVersion: batch/v1
kind: Job
metadata: { name: ${name}, namespace: ${NAMESPACE} }
spec:
  activeDeadlineSeconds: 2
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: check, image: node:24.11.1-alpine }]
`;

/** Whether the Job has failed, as the Job controller says. */
async function failed(name: string): Promise<boolean> {
  const job = JSON.parse(await kubectl(['get', 'job', name, '-n', NAMESPACE, '-o', 'json']));
  return (job.status.conditions ?? []).some((each: { type: string; status: string }) => each.type === 'Failed' && each.status === 'True');
}

beforeAll(async () => {
  await kubectl(['create', 'namespace', NAMESPACE]);
});
afterAll(async () => {
  await kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']);
});

test('a failed gate Job starts the rollback at once: its logs, the rollback\'s steps, and the step fails', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-gate-'));
  try {
    writeFileSync(join(dir, 'job.yaml'), failingJob('web-verify'));
    writeFileSync(join(dir, 'rollback.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: rolled-back, namespace: ${NAMESPACE} }\n`);
    await kubectl(['apply', '-f', join(dir, 'job.yaml')]);
    await until('the Job failed', () => failed('web-verify'), 60_000);
    // The step as plan prints it, with the gate's default time: 330 s of waiting at most.
    const command = formatStep({ verb: 'gate', job: 'web-verify', timeoutSeconds: 300, rollback: [{ verb: 'apply', purpose: 'all', file: 'rollback.yaml' }] }, NAMESPACE);
    const started = Date.now();
    const outcome = await shell(command, dir).then(() => 'passed', () => 'failed');
    const seconds = (Date.now() - started) / 1000;
    expect(outcome).toBe('failed');
    // At once: one read of the Job's conditions, not the wait's 330 s.
    expect(seconds).toBeLessThan(30);
    expect(await kubectl(['get', 'configmap', 'rolled-back', '-n', NAMESPACE, '-o', 'name'])).toBe('configmap/rolled-back\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('control: kubectl wait --for=condition=complete, as the step used, waits out its timeout on a failed Job', async () => {
  await kubectl(['apply', '-f', '-'], failingJob('old-verify'));
  await until('the Job failed', () => failed('old-verify'), 60_000);
  const started = Date.now();
  const outcome = await kubectl(['wait', '-n', NAMESPACE, '--for=condition=complete', '--timeout=8s', 'job/old-verify']).then(() => 'returned', () => 'timed out');
  expect(outcome).toBe('timed out');
  expect((Date.now() - started) / 1000).toBeGreaterThanOrEqual(8);
});
