import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, runCommand, tempDir } from './helpers';

/*
 * `completion bash|zsh|fish`: each shell reads its script and completes the commands and each
 * command's options from the command table.
 */

const script = async (shell: string) => {
  const result = await cli('completion', shell);
  expect(result.code).toBe(0);
  return result.out;
};

let dir: string;
beforeAll(() => {
  dir = tempDir('completion');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('bash completes the commands, then each command\'s options, files after -c and folders after -o', async () => {
  writeFileSync(join(dir, 'c.bash'), await script('bash'));
  const complete = (...words: string[]) => runCommand(['bash', '-c', `source c.bash; COMP_WORDS=(cdk8s-canary ${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length}; _cdk8s_canary; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: dir }).stdout.trim().split('\n');
  expect(complete('s')).toEqual(['synth', 'stage']);
  expect(complete('next', '--')).toEqual(['--config', '--output', '--apply', '--help']);
  expect(complete('plan', '--s')).toEqual(['--script', '--stage']);
  expect(complete('synth', '-c', 'c.b')).toEqual(['c.bash']);
  mkdirSync(join(dir, 'dist-out'));
  expect(complete('synth', '-o', 'dist')).toEqual(['dist-out']);
});

test('fish completes the commands with their summaries, and each command\'s options', async () => {
  writeFileSync(join(dir, 'c.fish'), await script('fish'));
  const complete = (line: string) => runCommand(['fish', '-c', `source ${join(dir, 'c.fish')}; complete -C '${line}'`]).stdout.trim().split('\n');
  expect(complete('cdk8s-canary ro')).toEqual(['rollback\tmove an app\'s release back to its rollback stage: set stage: in the spec, synth, and print the commands that apply it']);
  expect(complete('cdk8s-canary verify --c')).toEqual(['--canary-url\twhere the canary answers, for the smoke check', '--config\tthe spec']);
  // Once a command is given, no other is offered.
  expect(complete('cdk8s-canary synth ')).toEqual(['']);
});

test('zsh reads its script and registers the completion; every command is in it', async () => {
  const text = await script('zsh');
  writeFileSync(join(dir, 'c.zsh'), text);
  expect(runCommand(['zsh', '-n', join(dir, 'c.zsh')]).status).toBe(0);
  const loaded = runCommand(['zsh', '-c', `autoload -U compinit; compinit -u -D; source ${join(dir, 'c.zsh')}; print -- $_comps[cdk8s-canary]`], { env: { HOME: dir } });
  expect(loaded.stdout.trim()).toBe('_cdk8s_canary');
  for (const command of ['init', 'synth', 'plan', 'verify', 'next', 'rollback', 'stage', 'finish', 'completion']) expect(text).toContain(`    ${command}) _arguments `);
});

test('another shell is refused', async () => {
  const result = await cli('completion', 'tcsh');
  expect(result.code).toBe(2);
  expect(result.err).toContain('completion is for bash, zsh or fish, not tcsh');
});
