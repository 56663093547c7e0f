/**
 * What the cluster tests need of the control plane: kubectl with the cluster's kubeconfig, and a
 * watch of one kind of object in a namespace over the API (no client library: the kubeconfig's
 * certificates and Node's https).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Agent, request, type RequestOptions } from 'node:https';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);

/** The kubeconfig the tests use: set by the global setup (scripts/cluster.sh start) or given. */
export function kubeconfigPath(): string {
  const path = process.env.CDK8S_CANARY_KUBECONFIG;
  if (!path) throw new Error('CDK8S_CANARY_KUBECONFIG is not set: run the cluster tests with npm run test:cluster');
  return path;
}

const env = () => ({ ...process.env, KUBECONFIG: kubeconfigPath() });

/** kubectl with the cluster's kubeconfig; rejects with kubectl's stderr when it fails. */
export async function kubectl(args: readonly string[], input?: string): Promise<string> {
  if (input === undefined) {
    const { stdout } = await run('kubectl', [...args], { env: env(), maxBuffer: 64 << 20 });
    return stdout;
  }
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', [...args], { env: env(), maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
    child.stdin!.end(input);
  });
}

/** A shell command (one of the plan's steps), run in `cwd` with the cluster's kubeconfig. */
export async function shell(command: string, cwd: string): Promise<string> {
  try {
    const { stdout } = await run('bash', ['-c', command], { cwd, env: env(), maxBuffer: 64 << 20, timeout: 5 * 60_000 });
    return stdout;
  } catch (error) {
    const failed = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${command}\n${failed.stdout ?? ''}${failed.stderr ?? failed.message}`);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true, or fails with `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

interface Endpoint { host: string; port: number; ca: Buffer; cert: Buffer; key: Buffer }

function readData(entry: Record<string, string>, key: string): Buffer {
  if (entry[`${key}-data`]) return Buffer.from(entry[`${key}-data`], 'base64');
  return readFileSync(entry[key]);
}

const known = new Map<string, Endpoint>();

/** The API server's address and the client's credentials, read once per kubeconfig: the test cluster's, or another's. */
function endpoint(path = kubeconfigPath()): Endpoint {
  if (!known.has(path)) known.set(path, readEndpoint(path));
  return known.get(path)!;
}

function readEndpoint(path: string): Endpoint {
  const config = parse(readFileSync(path, 'utf8'));
  const context = config.contexts.find((each: { name: string }) => each.name === config['current-context']).context;
  const cluster = config.clusters.find((each: { name: string }) => each.name === context.cluster).cluster;
  const user = config.users.find((each: { name: string }) => each.name === context.user).user;
  const url = new URL(cluster.server);
  return {
    host: url.hostname, port: Number(url.port || 443),
    ca: readData(cluster, 'certificate-authority'),
    cert: readData(user, 'client-certificate'),
    key: readData(user, 'client-key'),
  };
}

/** The API server's address and CA, as a pod in the cluster finds them; `kubeconfig` names another cluster than the test cluster. */
export function apiServer(kubeconfig?: string): { host: string; port: number; ca: Buffer } {
  const { host, port, ca } = endpoint(kubeconfig);
  return { host, port, ca };
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string; namespace?: string; uid?: string; resourceVersion?: string; generation?: number; deletionTimestamp?: string;
    labels?: Record<string, string>; annotations?: Record<string, string>;
  };
  [key: string]: any;
}

/** Connections kept open between polls (a watch holds one of its own while it runs). */
const agent = new Agent({ keepAlive: true });

function options(path: string, kubeconfig?: string): RequestOptions {
  const { host, port, ca, cert, key } = endpoint(kubeconfig);
  return { host, port, path, ca, cert, key, agent, headers: { Accept: 'application/json' } };
}

/**
 * GET a path of the API as JSON. A 429 or 503 is retried for up to 30 seconds, as client-go does:
 * right after a CRD is installed the API server answers 429 "storage is (re)initializing" for a
 * moment. `kubeconfig` names another cluster than the test cluster.
 */
export async function get(path: string, kubeconfig?: string): Promise<any> {
  const end = Date.now() + 30_000;
  for (;;) {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(options(path, kubeconfig), (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => { text += chunk; });
        res.on('end', () => resolve({ status: res.statusCode ?? 500, body: text }));
      });
      req.on('error', reject);
      req.end();
    });
    if (status < 300) return JSON.parse(body);
    if ((status !== 429 && status !== 503) || Date.now() > end) throw new Error(`GET ${path}: ${status} ${body}`);
    await sleep(1000);
  }
}

/** POST `body` to a path of the API; the answer's status and body, whatever it is (a refusal is an answer). */
export async function post(path: string, body: object): Promise<{ status: number; body: any }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const base = options(path);
    const req = request({ ...base, method: 'POST', headers: { ...base.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } }, (res) => {
      let answer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { answer += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 500, body: answer ? JSON.parse(answer) : {} }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

export type WatchEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * Lists the objects at `path` (a collection, such as /apis/discovery.k8s.io/v1/namespaces/dev/endpointslices)
 * and watches it from there, calling `onEvent` for each object listed and each change, in order.
 * Resolves once the list is in; `stop()` ends the watch. `kubeconfig` names another cluster than the test cluster.
 */
export async function watch(path: string, onEvent: (type: WatchEvent, object: KubeObject) => void, kubeconfig?: string): Promise<{ stop(): void }> {
  const list = await get(path, kubeconfig);
  // The items of a list carry no kind of their own: the list's kind names it (EndpointSliceList).
  const kind = String(list.kind).replace(/List$/, '');
  for (const item of list.items) onEvent('ADDED', { kind, ...item });
  let version: string = list.metadata.resourceVersion;
  let stopped = false;
  let current: ReturnType<typeof request> | undefined;
  const open = () => {
    if (stopped) return;
    const separator = path.includes('?') ? '&' : '?';
    // A request that errs may also end: it is opened again once, or two watches would send each event twice.
    let ended = false;
    const again = (delayMs: number) => {
      if (ended || stopped) return;
      ended = true;
      setTimeout(open, delayMs);
    };
    current = request(options(`${path}${separator}watch=1&allowWatchBookmarks=true&resourceVersion=${version}`, kubeconfig), (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (!line.trim()) continue;
          const event = JSON.parse(line);
          if (event.type === 'ERROR') { stopped = true; throw new Error(`watch ${path}: ${JSON.stringify(event.object)}`); }
          version = event.object.metadata.resourceVersion;
          if (event.type !== 'BOOKMARK') onEvent(event.type, event.object);
        }
      });
      res.on('end', () => again(0));
    });
    current.on('error', () => again(100));
    current.end();
  };
  open();
  return { stop() { stopped = true; current?.destroy(); } };
}

/**
 * Runs `fn` with the cluster's kube-controller-manager stopped (SIGSTOP, then SIGCONT): nothing the
 * controllers do (rollouts, EndpointSlices) happens meanwhile, while the API server answers. Only a
 * cluster that scripts/cluster.sh started has the process id beside its kubeconfig.
 */
export async function withControllersPaused<T>(fn: () => Promise<T>): Promise<T> {
  const file = join(dirname(kubeconfigPath()), 'pids', 'kube-controller-manager.pid');
  const pid = Number(readFileSync(file, 'utf8').trim());
  process.kill(pid, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

