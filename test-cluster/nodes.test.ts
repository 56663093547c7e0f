/**
 * The fake nodes offer what real charts request: a pod that requests ephemeral-storage (as many
 * charts' defaults do) is scheduled and becomes ready. Negative control: one that requests more than
 * a node has stays Pending, unschedulable, so the first is scheduled for its request's sake.
 */
import { kubectl, until } from './kube';

const namespace = 'nodes-ephemeral-storage';

const pod = (name: string, storage: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace },
  spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0', resources: { requests: { cpu: '10m', memory: '16Mi', 'ephemeral-storage': storage } } }] },
});

beforeAll(async () => {
  await kubectl(['create', 'namespace', namespace]);
}, 60_000);
afterAll(async () => {
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
}, 60_000);

test('every node reports ephemeral-storage, and a pod that requests it is scheduled and ready', async () => {
  const storage = (await kubectl(['get', 'nodes', '-o', 'jsonpath={.items[*].status.allocatable.ephemeral-storage}'])).trim().split(' ');
  expect(storage.length).toBeGreaterThan(0);
  expect(storage.every((value) => value === '500Gi')).toBe(true);
  await kubectl(['apply', '-f', '-'], pod('fits', '2Gi'));
  await until('the pod requesting 2Gi of ephemeral-storage to be ready', async () =>
    (await kubectl(['get', 'pod', 'fits', '-n', namespace, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True');
}, 3 * 60_000);

test('a pod that requests more ephemeral-storage than a node has is unschedulable', async () => {
  await kubectl(['apply', '-f', '-'], pod('too-big', '600Gi'));
  await until('the scheduler to find no node for the 600Gi pod', async () =>
    (await kubectl(['get', 'pod', 'too-big', '-n', namespace, '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}'])) === 'Unschedulable');
}, 3 * 60_000);
