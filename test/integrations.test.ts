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
  const steps: { run?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, string> }[] = workflow.jobs.check.steps;
  const runs = steps.map((step) => step.run ?? step.uses);
  expect(runs.indexOf('npx cdk8s-canary synth --check')).toBeGreaterThan(runs.indexOf('npm ci'));
  expect(runs.findIndex((run) => run?.startsWith('npx cdk8s-canary review --base "origin/$GITHUB_BASE_REF" > review.md'))).toBeGreaterThan(runs.indexOf('npx cdk8s-canary synth --check'));
  expect(steps.at(-1)).toMatchObject({ run: expect.stringMatching(/^gh pr comment .* --body-file review\.md$/), env: { GH_TOKEN: '${{ github.token }}' } });
  // The review reads the base branch from git: the whole history is fetched.
  expect(steps.find((step) => step.uses?.startsWith('actions/checkout@'))!.with).toEqual({ 'fetch-depth': 0 });
  for (const words of toolCommands(readFileSync(join(root, 'examples', 'integrations', 'github-actions.yml'), 'utf8'))) expect(await accepted(words)).toBe(true);
});

test('Argo CD: the Application syncs one app\'s current/ folder; the ApplicationSet one per app, named after it', () => {
  const application = integration('argocd-application.yaml');
  expect(application).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', spec: { source: { path: 'dist/nginx/current' }, syncPolicy: { automated: { prune: true, selfHeal: true } } } });
  expect(existsSync(join(root, application.spec.source.path, 'nginx.k8s.yaml'))).toBe(true);
  expect(JSON.stringify(application)).not.toMatch(/Replace=true|Force=true/);

  const set = integration('argocd-applicationset.yaml');
  expect(set).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', spec: { goTemplate: true } });
  const [glob] = set.spec.generators[0].git.directories.map((each: { path: string }) => each.path);
  expect(set.spec.template.metadata.name).toBe('{{index .path.segments 1}}');
  expect(set.spec.template.spec.source.path).toBe('{{.path.path}}');
  // The folders the glob finds in the committed output, and the names the template gives them: each
  // app's own, as its current file's header says.
  const [top, , last] = glob.split('/');
  const found = readdirSync(join(root, top), { withFileTypes: true }).filter((entry) => entry.isDirectory() && existsSync(join(root, top, entry.name, last))).map((entry) => `${top}/${entry.name}/${last}`);
  expect(found).toEqual(['dist/nginx/current']);
  for (const path of found) {
    const name = path.split('/')[1];
    const [file] = readdirSync(join(root, path));
    expect(readFileSync(join(root, path, file), 'utf8')).toMatch(new RegExp(`^# app: ${name}$`, 'm'));
  }
});

test('pre-commit: both hooks run synth --check when the spec or its files change', async () => {
  const [hook] = integration('pre-commit-hooks.yaml');
  const [local] = integration('pre-commit-config.yaml').repos[0].hooks;
  for (const each of [hook, local]) {
    expect(each).toMatchObject({ id: 'cdk8s-canary-check', entry: 'npx cdk8s-canary synth --check', language: 'system', pass_filenames: false });
    const files = new RegExp(each.files);
    expect(['canary.yaml', 'dist/nginx/current/nginx.k8s.yaml'].every((path) => files.test(path))).toBe(true);
    expect(['src/index.ts', 'canary.yaml.bak'].some((path) => files.test(path))).toBe(false);
    expect(await accepted(each.entry.split(' ').slice(2))).toBe(true);
  }
});
