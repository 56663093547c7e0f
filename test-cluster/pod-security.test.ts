/**
 * The real Pod Security admission admits every pod the stage files' ReplicaSets and Jobs create, in
 * the namespaces the files create with their Pod Security level (moved to a namespace of this
 * test's own, `<namespace>-psa`, so the move tests can run beside it). The control: a privileged
 * pod in such a namespace is refused, so the admission is on.
 */
import { committedFiles, inNamespace, namespacesOf, read } from './files';
import { kubectl, until } from './kube';

const files = committedFiles().filter((file) => file.includes('/stages/'));
const apps = [...new Set(files.map((file) => file.replace(/\/stages\/.*$/, '')))];

/** Pod Security refusals in a namespace, from the controllers' FailedCreate events. */
async function refusals(namespace: string): Promise<string[]> {
  const events = JSON.parse(await kubectl(['get', 'events', '-n', namespace, '-o', 'json'])).items;
  return events.filter((event: any) => event.reason === 'FailedCreate' && /PodSecurity/.test(event.message))
    .map((event: any) => `${event.involvedObject.kind}/${event.involvedObject.name}: ${event.message}`);
}

/** Waits until every ReplicaSet and Job in the namespace has created the pods it wants. */
async function podsCreated(namespace: string): Promise<void> {
  await until(`the pods in ${namespace}`, async () => {
    const sets = JSON.parse(await kubectl(['get', 'replicasets,jobs', '-n', namespace, '-o', 'json'])).items;
    const pods = JSON.parse(await kubectl(['get', 'pods', '-n', namespace, '-o', 'json'])).items;
    return sets.every((set: any) => {
      const owned = pods.filter((pod: any) => pod.metadata.ownerReferences?.some((ref: any) => ref.uid === set.metadata.uid));
      const want = set.kind === 'Job' ? 1 : set.spec.replicas ?? 1;
      return owned.length >= Math.min(want, 1) && (set.kind === 'Job' || (set.status.replicas ?? 0) === set.spec.replicas);
    });
  }, 60_000);
}

describe.each(apps)('%s', (app) => {
  const stages = files.filter((file) => file.startsWith(`${app}/stages/`));
  const namespace = namespacesOf(read(stages[0])).created[0]?.metadata.name;

  test('its files create the namespace with a Pod Security level to enforce', () => {
    const created = namespacesOf(read(stages[0])).created;
    expect(created).toHaveLength(1);
    expect(created[0].metadata.labels['pod-security.kubernetes.io/enforce']).toMatch(/^(baseline|restricted)$/);
  });

  test('every pod of every stage is admitted', async () => {
    const ns = `${namespace}-psa`;
    for (const file of stages) {
      // A Job's pod template cannot change: the plan's commands delete the verification Job first too.
      await kubectl(['delete', 'jobs', '--all', '-n', ns, '--ignore-not-found']).catch(() => undefined);
      await kubectl(['apply', '-f', '-'], inNamespace(read(file), namespace, ns));
      await podsCreated(ns);
    }
    const level = JSON.parse(await kubectl(['get', 'namespace', ns, '-o', 'json'])).metadata.labels['pod-security.kubernetes.io/enforce'];
    expect(level).toMatch(/^(baseline|restricted)$/);
    const pods = JSON.parse(await kubectl(['get', 'pods', '-n', ns, '-o', 'json'])).items;
    expect(pods.length).toBeGreaterThan(0);
    expect(await refusals(ns)).toEqual([]);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });
});

test('control: a privileged pod is refused in a baseline namespace', async () => {
  const ns = 'psa-control';
  await kubectl(['apply', '-f', '-'], `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
  labels: { pod-security.kubernetes.io/enforce: baseline }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: privileged, namespace: ${ns} }
spec:
  replicas: 1
  selector: { matchLabels: { app: privileged } }
  template:
    metadata: { labels: { app: privileged } }
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext: { privileged: true }
`);
  await until('the refusal', async () => (await refusals(ns)).length > 0, 60_000);
  expect((await refusals(ns))[0]).toMatch(/violates PodSecurity "baseline:latest": privileged/);
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
});
