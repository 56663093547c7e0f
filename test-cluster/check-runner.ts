/**
 * What a kubelet does for the pods of the endpoint check and the wave guards, where kwok runs no
 * code: for each pod of such a Job that is running (kwok has scheduled it and leaves it running,
 * scripts/cluster.sh), it runs the pod's command with Node, as the container would: the code from the ConfigMap the pod mounts, the
 * service account's token (a TokenRequest, as the kubelet projects one) and the cluster's CA where
 * the pod reads them, and KUBERNETES_SERVICE_HOST/PORT naming this API server. It then writes the
 * outcome as the kubelet would, the pod Succeeded or Failed with the container's exit code, so the Job
 * controller completes or fails the Job and Argo CD's sync goes on or stops. The check itself, its
 * requests and the API server's authorization of them are all real.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServer, kubectl, watch, type KubeObject } from './kube';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** One run of a check pod: its name, its exit code and what it printed. */
export interface CheckRun {
  readonly pod: string;
  readonly exitCode: number;
  readonly output: string;
}

/** kubectl's arguments for the cluster of `kubeconfig`, the test cluster where none is given. */
const on = (kubeconfig: string | undefined, args: readonly string[]) => (kubeconfig ? ['--kubeconfig', kubeconfig, ...args] : [...args]);

/**
 * Runs a pod's command here: node, with the container's mounts mapped to folders of `dir`, against
 * the API server of the pod's cluster (`kubeconfig`'s, or the test cluster's).
 */
export async function runCheckPod(pod: KubeObject, dir: string, token: string, kubeconfig?: string): Promise<CheckRun> {
  const [container] = pod.spec.containers;
  const mounts = new Map<string, string>([[SERVICE_ACCOUNT_DIR, join(dir, 'serviceaccount')]]);
  mkdirSync(join(dir, 'serviceaccount'));
  const server = apiServer(kubeconfig);
  writeFileSync(join(dir, 'serviceaccount', 'token'), token);
  writeFileSync(join(dir, 'serviceaccount', 'ca.crt'), server.ca);
  writeFileSync(join(dir, 'serviceaccount', 'namespace'), pod.metadata.namespace!);
  // The service account's mount (the API server adds it) is the folder above; the others are the pod's ConfigMaps.
  for (const mount of container.volumeMounts.filter((each: { mountPath: string }) => each.mountPath !== SERVICE_ACCOUNT_DIR)) {
    const volume = pod.spec.volumes.find((each: { name: string }) => each.name === mount.name);
    const local = join(dir, `volume-${mount.name}`);
    mkdirSync(local);
    const map = JSON.parse(await kubectl(on(kubeconfig, ['get', 'configmap', volume.configMap.name, '-n', pod.metadata.namespace!, '-o', 'json'])));
    for (const [key, text] of Object.entries(map.data as Record<string, string>)) writeFileSync(join(local, key), text);
    mounts.set(mount.mountPath, local);
  }
  const local = (word: string) => [...mounts].reduce((each, [path, to]) => (each.startsWith(path) ? to + each.slice(path.length) : each), word);
  const [command, ...args] = [...container.command, ...(container.args ?? [])].map(local);
  if (command !== 'node') throw new Error(`the check pod runs ${command}, not node`);
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { PATH: process.env.PATH, KUBERNETES_SERVICE_HOST: server.host, KUBERNETES_SERVICE_PORT: String(server.port) }, timeout: 5 * 60_000 },
      (error, stdout, stderr) => resolve({ pod: pod.metadata.name, exitCode: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }));
  });
}

/** Runs a pod's command here once, now, with a token of its ServiceAccount: what a test does to run a check's pod of its own making. */
export async function runCheckPodOnce(pod: KubeObject): Promise<CheckRun> {
  const token = (await kubectl(['create', 'token', pod.spec.serviceAccountName, '-n', pod.metadata.namespace!, '--duration=10m'])).trim();
  const dir = mkdtempSync(join(tmpdir(), 'check-pod-'));
  try {
    return await runCheckPod(pod, dir, token);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The runs in words, a line each, for a failure's message. */
export const describeRuns = (runs: readonly CheckRun[]): string => runs.map((run) => `${run.pod} exited ${run.exitCode}: ${run.output}`).join('\n');

export class CheckRunner {
  private watcher?: { stop(): void };
  private readonly started = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  /** Each pod run, in the order they ended. */
  readonly runs: CheckRun[] = [];

  /**
   * Runs the pods of `component` (by default an app's: the endpoint check's and a StatefulSet's
   * revert; or the wave guards') in `namespace` of the test cluster, or of the cluster of `kubeconfig`.
   */
  constructor(
    private readonly namespace: string,
    private readonly component: 'endpoint-check' | 'wave-guard' = 'endpoint-check',
    private readonly kubeconfig?: string,
  ) {}

  async start(): Promise<void> {
    const components = this.component === 'endpoint-check' ? 'endpoint-check,revert' : this.component;
    this.watcher = await watch(`/api/v1/namespaces/${this.namespace}/pods?labelSelector=${encodeURIComponent(`app.kubernetes.io/component in (${components})`)}`, (type, pod) => {
      const uid = pod.metadata.uid!;
      if (type === 'DELETED' || pod.status?.phase !== 'Running' || this.started.has(uid)) return;
      this.started.add(uid);
      const run = this.run(pod).finally(() => this.pending.delete(run));
      this.pending.add(run);
    }, this.kubeconfig);
  }

  /** Stops watching, once the runs under way have ended. */
  async stop(): Promise<void> {
    this.watcher?.stop();
    await Promise.all([...this.pending]);
  }

  private async run(pod: KubeObject): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'check-pod-'));
    try {
      const run = await this.runPod(pod, dir);
      this.runs.push(run);
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const terminated = { exitCode: run.exitCode, reason: run.exitCode === 0 ? 'Completed' : 'Error', startedAt: now, finishedAt: now };
      const [container] = pod.spec.containers;
      const status = {
        phase: run.exitCode === 0 ? 'Succeeded' : 'Failed',
        containerStatuses: [{ name: container.name, image: container.image, imageID: '', ready: false, restartCount: 0, started: false, state: { terminated } }],
      };
      await kubectl(on(this.kubeconfig, ['patch', 'pod', pod.metadata.name, '-n', this.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The pod's run; one that could not start (no token, no ConfigMap) fails, as the kubelet would fail to start it. */
  private async runPod(pod: KubeObject, dir: string): Promise<CheckRun> {
    try {
      const token = (await kubectl(on(this.kubeconfig, ['create', 'token', pod.spec.serviceAccountName, '-n', this.namespace, '--duration=10m']))).trim();
      return await runCheckPod(pod, dir, token, this.kubeconfig);
    } catch (error) {
      return { pod: pod.metadata.name, exitCode: 128, output: `could not start: ${(error as Error).message}` };
    }
  }
}
