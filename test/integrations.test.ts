import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cli, root } from './helpers';

/*
 * The copy-ready integrations in examples/integrations: a pull request's workflow, Argo CD's
 * Application and ApplicationSet for the current/ folders, and pre-commit hooks. Each names commands
 * and folders the tool has.
 */

const integration = (name: string) => parse(readFileSync(join(root, 'examples', 'integrations', name), 'utf8'));

/** Every `npx cdk8s-canary ...` command line of a text, as its words after the tool's name. */
const toolCommands = (text: string) => [...text.matchAll(/npx cdk8s-canary ([^\n"]+)/g)].map((match) => match[1].trim().split(/\s+/));

/** Whether the CLI takes `words`' command and each of its options (its --help lists them). */
async function accepted(words: string[]): Promise<boolean> {
  const help = await cli(words[0], '--help');
  return help.code === 0 && words.slice(1).filter((word) => word.startsWith('-')).every((flag) => help.out.includes(` ${flag}`));
}

test('the workflow checks the committed files before it posts the review, with the rights it needs', async () => {
  const workflow = integration('github-actions.yml');
  expect(workflow.permissions).toEqual({ 'contents': 'read', 'pull-requests': 'write' });
  expect(workflow.env.CDK8S_CHECK_UPGRADE).toBe('false');
  // GitHub's explicit bash runs with pipefail; its default shell does not.
  expect(workflow.jobs.check.defaults).toEqual({ run: { shell: 'bash' } });
  const steps: { if?: string; run?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, string> }[] = workflow.jobs.check.steps;
  const runs = steps.map((step) => step.run ?? step.uses);
  expect(runs.indexOf('npx cdk8s-canary synth --check')).toBeGreaterThan(runs.indexOf('npm ci'));
  expect(runs.findIndex((run) => run?.startsWith('npx cdk8s-canary review --base "origin/$GITHUB_BASE_REF" | tee review.md'))).toBeGreaterThan(runs.indexOf('npx cdk8s-canary synth --check'));
  expect(steps.at(-1)).toMatchObject({ run: expect.stringMatching(/^gh pr comment .* --body-file review\.md$/), env: { GH_TOKEN: '${{ github.token }}' } });
  // A fork's pull request has a read-only token: no comment is tried there.
  expect(steps.at(-1)!.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
  // Every pull request is checked: the files depend on more than the spec and dist/.
  expect(workflow.on).toEqual({ pull_request: null });
  // The review reads the base branch from git: the whole history is fetched.
  expect(steps.find((step) => step.uses?.startsWith('actions/checkout@'))!.with).toEqual({ 'fetch-depth': 0 });
  for (const words of toolCommands(readFileSync(join(root, 'examples', 'integrations', 'github-actions.yml'), 'utf8'))) expect(await accepted(words)).toBe(true);
});

/** Go's path.Match for a pattern of `*` and plain segments: `*` matches within one segment. */
const matcher = (glob: string) => new RegExp(`^${glob.split('/').map((part) => part.split('*').map((text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('/')}$`);

/** Every folder below `base`, as paths relative to it (what Argo CD's directory generator lists). */
const folders = (base: string, prefix = ''): string[] => readdirSync(join(base, prefix), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
  .flatMap((entry) => { const path = prefix ? `${prefix}/${entry.name}` : entry.name; return [path, ...folders(base, path)]; });

test('Argo CD: the Application syncs one app\'s current/ folder; the ApplicationSet one per app, named after it', () => {
  const application = integration('argocd-application.yaml');
  expect(application).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', spec: { source: { path: 'dist/nginx/current' }, syncPolicy: { automated: { prune: true, selfHeal: true }, retry: { limit: 0 } } } });
  expect(existsSync(join(root, application.spec.source.path, 'nginx.k8s.yaml'))).toBe(true);
  expect(JSON.stringify(application)).not.toMatch(/Replace=true|Force=true/);

  const set = integration('argocd-applicationset.yaml');
  expect(set).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', spec: { goTemplate: true } });
  const [glob] = set.spec.generators[0].git.directories.map((each: { path: string }) => each.path);
  expect(set.spec.template.metadata.name).toBe('{{index .path.segments 1}}');
  expect(set.spec.template.spec.source.path).toBe('{{.path.path}}');
  // A failed sync (a check that failed) is not retried into a pass: Argo CD retries 5 times unless told.
  expect(set.spec.template.spec.syncPolicy).toEqual(application.spec.syncPolicy);
  // The folders the glob finds in each committed output tree (a repository keeps its spec at the root:
  // here the root and examples/ are two such), exactly the current/ ones; the name the template gives
  // each is the app's, as its current file's header says.
  for (const base of [root, join(root, 'examples')]) {
    const found = folders(join(base, 'dist')).map((path) => `dist/${path}`).filter((path) => matcher(glob).test(path)).sort();
    const current = readdirSync(join(base, 'dist')).filter((app) => existsSync(join(base, 'dist', app, 'current'))).map((app) => `dist/${app}/current`).sort();
    expect(found).toEqual(current);
    expect(found.length).toBeGreaterThan(base === root ? 0 : 3);
    for (const path of found) {
      const name = path.split('/')[1];
      expect(readFileSync(join(base, path, `${name}.k8s.yaml`), 'utf8')).toMatch(new RegExp(`^# app: ${name}$`, 'm'));
    }
  }
});

test('pre-commit: both hooks run synth --check on every commit', async () => {
  const [hook] = integration('pre-commit-hooks.yaml');
  const [local] = integration('pre-commit-config.yaml').repos[0].hooks;
  for (const each of [hook, local]) {
    // Not only when the spec or dist/ change: a manifest the spec reads, a config file or the tool's
    // version in the lockfile change the files too.
    expect(each).toEqual({ id: 'cdk8s-canary-check', name: 'cdk8s-canary synth --check', entry: 'npx cdk8s-canary synth --check', language: 'system', pass_filenames: false, always_run: true });
    expect(await accepted(each.entry.split(' ').slice(2))).toBe(true);
  }
});
