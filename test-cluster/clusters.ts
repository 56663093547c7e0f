/**
 * More clusters for releases across clusters: member clusters started beside the test cluster
 * (scripts/cluster.sh member: each its own etcd, control plane and fake node), and each cluster
 * registered with Argo CD as an operator does, by a cluster Secret in its namespace whose labels the
 * ApplicationSet's cluster generators select. The test cluster itself is Argo CD's in-cluster
 * destination; a Secret of its own gives it labels.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { kubeconfigPath, kubectl } from './kube';

const run = promisify(execFile);
const script = join(__dirname, '..', 'scripts', 'cluster.sh');

/** A cluster Argo CD deploys to: its name in Argo CD, its API server, its kubeconfig, and kubectl for it. */
export interface Cluster {
  readonly name: string;
  readonly server: string;
  readonly kubeconfig: string;
  kubectl(args: readonly string[], input?: string): Promise<string>;
}

/** Argo CD's address of the cluster it runs in. */
const IN_CLUSTER = 'https://kubernetes.default.svc';

/** A Secret that registers a cluster with Argo CD (its `config` as Argo CD's cluster Secrets hold it). */
async function register(name: string, server: string, config: object, labels: Record<string, string>): Promise<void> {
  await kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `cluster-${name}`, namespace: 'argocd', labels: { ...labels, 'argocd.argoproj.io/secret-type': 'cluster' } },
    stringData: { name, server, config: JSON.stringify(config) },
  }));
}

/** The test cluster as Argo CD's in-cluster destination, with `labels`. */
export async function inCluster(labels: Record<string, string>): Promise<Cluster> {
  await register('in-cluster', IN_CLUSTER, { tlsClientConfig: { insecure: false } }, labels);
  return { name: 'in-cluster', server: IN_CLUSTER, kubeconfig: kubeconfigPath(), kubectl };
}

/** A file of the kubeconfig, as base64 data: given inline, or by a path relative to the kubeconfig. */
function fileData(config: string, data: string | undefined, path: string | undefined): string {
  if (data) return data;
  return readFileSync(isAbsolute(path!) ? path! : join(dirname(config), path!)).toString('base64');
}

/** The member cluster `name` (started if it is not running), registered with Argo CD with `labels`. */
export async function memberCluster(name: string, labels: Record<string, string>): Promise<Cluster> {
  const { stdout } = await run('bash', [script, 'member', name], { maxBuffer: 16 << 20 });
  const config = stdout.trim().split('\n').pop()!;
  const kubeconfig = parse(readFileSync(config, 'utf8'));
  const context = kubeconfig.contexts.find((each: { name: string }) => each.name === kubeconfig['current-context']).context;
  const cluster = kubeconfig.clusters.find((each: { name: string }) => each.name === context.cluster).cluster;
  const user = kubeconfig.users.find((each: { name: string }) => each.name === context.user).user;
  await register(name, cluster.server, {
    tlsClientConfig: {
      caData: fileData(config, cluster['certificate-authority-data'], cluster['certificate-authority']),
      certData: fileData(config, user['client-certificate-data'], user['client-certificate']),
      keyData: fileData(config, user['client-key-data'], user['client-key']),
    },
  }, labels);
  return { name, server: cluster.server, kubeconfig: config, kubectl: (args, input) => kubectl(['--kubeconfig', config, ...args], input) };
}
