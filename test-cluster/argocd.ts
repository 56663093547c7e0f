/**
 * Argo CD itself, as scripts/cluster.sh runs it (application controller, repo-server, ApplicationSet
 * controller, Redis, a git daemon): an app's release as a GitOps repository holds it. Each app gets a
 * bare repository of its own under the git daemon's folder, and an Application made from the README's
 * (examples/integrations/argocd-application.yaml, with this repository, path and names) that syncs
 * its current/ folder automatically, with prune and self-heal. A move is one commit of current/, then
 * a refresh (what a webhook from the git host asks for), and the sync Argo CD starts on its own.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { parseManifests } from '../test/cluster-rules';
import { CheckRunner, describeRuns, type CheckRun } from './check-runner';
import { get, kubectl, until } from './kube';

const run = promisify(execFile);

/** Where the git daemon serves from, and its address (the ConfigMap scripts/cluster.sh writes). */
export async function gitServer(): Promise<{ base: string; url: string }> {
  const { data } = await get('/api/v1/namespaces/argocd/configmaps/cdk8s-canary-git');
  return { base: data.base, url: data.url };
}

/** git in `cwd`, as the tests commit: its output, trimmed. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-c', 'user.name=cdk8s-canary tests', '-c', 'user.email=tests@cdk8s-canary.invalid', ...args], { cwd });
  return stdout.trim();
}

/** How one sync ended: the revision, its phase and message, and each hook's. */
export interface SyncOutcome {
  readonly revision: string;
  readonly phase: string;
  readonly message: string;
  readonly health: string;
  /** Of a sync that failed: each resource or hook that failed, as `Kind/name: message`. */
  readonly failed: readonly string[];
  /** The endpoint check's pods that ran during the sync (check-runner.ts). */
  readonly checks: readonly CheckRun[];
}

/** A sync's outcome in words: Argo CD's message, and each endpoint check's output. */
export function describeOutcome(outcome: SyncOutcome): string {
  const checks = describeRuns(outcome.checks);
  return `Argo CD's sync to ${outcome.revision.slice(0, 7)} ended ${outcome.phase}: ${outcome.message}${outcome.failed.map((each) => `\n  ${each}`).join('')}${checks ? `\nendpoint checks:\n${checks}` : ''}`;
}

export class ArgoApplication {
  /**
   * The Application (and repository) `name`, made anew (an earlier run's on a cluster that is reused
   * goes, without its objects: the Application has no finalizer), its work tree in a folder of its own.
   */
  static async create(name: string): Promise<ArgoApplication> {
    const server = await gitServer();
    const bare = join(server.base, `${name}.git`);
    await kubectl(['delete', 'application', name, '-n', 'argocd', '--ignore-not-found', '--wait=true']);
    rmSync(bare, { recursive: true, force: true });
    await run('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    const work = mkdtempSync(join(tmpdir(), `cdk8s-canary-gitops-${name}-`));
    await git(work, 'clone', '-q', bare, '.');
    return new ArgoApplication(name, work, `${server.url}${name}.git`);
  }

  private created = false;

  private constructor(readonly name: string, private readonly work: string, readonly repoURL: string) {}

  /** The Application as the README's file gives it, for this repository and the folder current/. */
  private manifest(): object {
    const application = parse(readFileSync(join(__dirname, '..', 'examples', 'integrations', 'argocd-application.yaml'), 'utf8'));
    application.metadata.name = this.name;
    application.spec.source = { ...application.spec.source, repoURL: this.repoURL, targetRevision: 'main', path: 'current' };
    return application;
  }

  /** Commits `file` as current/<name>.k8s.yaml (the only file there) and pushes it; the commit's id. */
  async commit(file: string, message: string): Promise<string> {
    mkdirSync(join(this.work, 'current'), { recursive: true });
    writeFileSync(join(this.work, 'current', `${this.name}.k8s.yaml`), file);
    await git(this.work, 'add', '-A');
    await git(this.work, 'commit', '-q', '--allow-empty', '-m', message);
    await git(this.work, 'push', '-q', 'origin', 'HEAD:main');
    return git(this.work, 'rev-parse', 'HEAD');
  }

  /**
   * Commits `file` and waits for Argo CD's automated sync of that commit to end: the outcome, whether
   * it succeeded or not (the README's Application does not retry a sync that failed). The endpoint
   * check's pods run their code meanwhile.
   */
  async sync(file: string, message: string, timeoutMs = 5 * 60_000): Promise<SyncOutcome> {
    const namespace = parseManifests(file).find((doc) => doc.metadata?.namespace)?.metadata.namespace;
    const runner = namespace ? new CheckRunner(namespace) : undefined;
    await runner?.start();
    try {
      const revision = await this.commit(file, message);
      if (!this.created) {
        await kubectl(['apply', '-f', '-'], JSON.stringify(this.manifest()));
        this.created = true;
      }
      // What a push webhook does: the controller reads the repository now, not at its next poll.
      await kubectl(['annotate', 'application', this.name, '-n', 'argocd', 'argocd.argoproj.io/refresh=normal', '--overwrite']);
      let outcome: Omit<SyncOutcome, 'checks'> | undefined;
      await until(`Argo CD to sync ${this.name} to ${revision.slice(0, 7)}`, async () => {
        const { status } = await get(`/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${this.name}`);
        const operation = status?.operationState;
        // Running, even with finishedAt set: a retry is due (a failed sync is retried unless the
        // Application's retry limit says otherwise).
        if (operation && (!operation.finishedAt || operation.phase === 'Running')) return false;
        const ran = operation?.syncResult?.revision === revision;
        if (ran && operation.phase !== 'Succeeded') {
          const failed = (operation.syncResult.resources ?? []).filter((each: { hookPhase?: string; status?: string }) => ['Failed', 'Error'].includes(each.hookPhase ?? '') || each.status === 'SyncFailed')
            .map((each: { kind: string; name: string; message?: string }) => `${each.kind}/${each.name}: ${each.message ?? ''}`);
          outcome = { revision, phase: operation.phase, message: operation.message ?? '', health: status.health?.status ?? '', failed };
          return true;
        }
        // Done when the app is synced and healthy at that revision: after the sync it started, or at
        // once where the commit changes no object (then Argo CD starts no sync).
        if (status?.sync?.revision !== revision || status.sync.status !== 'Synced' || status.health?.status !== 'Healthy') return false;
        outcome = { revision, phase: 'Succeeded', message: ran ? operation.message ?? '' : 'nothing to sync', health: status.health.status, failed: [] };
        return true;
      }, timeoutMs);
      return { ...outcome!, checks: [...(runner?.runs ?? [])] };
    } finally {
      await runner?.stop();
    }
  }

  /** sync(), which must succeed: its failure is an error with Argo CD's message and the checks' output. */
  async syncTo(file: string, message: string): Promise<SyncOutcome> {
    const outcome = await this.sync(file, message);
    if (outcome.phase !== 'Succeeded') throw new Error(`${this.name}: ${describeOutcome(outcome)}`);
    return outcome;
  }

  /** Removes the work tree (the Application and its repository stay with the cluster). */
  dispose(): void {
    rmSync(this.work, { recursive: true, force: true });
  }
}
