import { shown, UsageError } from '../../engine/errors';
import type { Io } from '../io';
import { OPTIONS, type OptionName, type OptionSpec, type Values } from '../options';

/** A command as the completions know it: its name, what it does, and its options. */
export interface CompletedCommand {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly OptionName[];
}

/** What follows an option that takes a value: a file (the spec), a folder (the output), or a word of the user's. */
function valueKind(name: OptionName): 'file' | 'folder' | 'word' | undefined {
  const option: OptionSpec = OPTIONS[name];
  if (!option.value) return undefined;
  return name === 'config' ? 'file' : name === 'output' ? 'folder' : 'word';
}

/** The option's words: `-c --config`, `--check`. */
function flags(name: OptionName): string[] {
  const option: OptionSpec = OPTIONS[name];
  return [...(option.short ? [`-${option.short}`] : []), `--${name}`];
}

function bash(commands: readonly CompletedCommand[]): string {
  const withValues = (kind: 'file' | 'folder') => commands.flatMap((command) => command.options).filter((name, i, all) => all.indexOf(name) === i && valueKind(name) === kind).flatMap(flags);
  return [
    '# bash completion for cdk8s-canary: `source <(cdk8s-canary completion bash)` in ~/.bashrc.',
    '_cdk8s_canary() {',
    '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}',
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=($(compgen -W "${commands.map((command) => command.name).join(' ')} help --help --version" -- "$cur"))`,
    '    return',
    '  fi',
    '  case "$prev" in',
    `    ${withValues('file').join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return;;`,
    `    ${withValues('folder').join('|')}) COMPREPLY=($(compgen -d -- "$cur")); return;;`,
    '  esac',
    '  case "${COMP_WORDS[1]}" in',
    ...commands.map((command) => `    ${command.name}) COMPREPLY=($(compgen -W "${[...command.options, 'help' as const].flatMap(flags).join(' ')}" -- "$cur"));;`),
    '  esac',
    '}',
    'complete -F _cdk8s_canary cdk8s-canary',
    '',
  ].join('\n');
}

/** Text inside zsh's single quotes; with `bracketed`, inside an `_arguments` description too (`[`, `]` escaped). */
function zshWords(text: string, bracketed = false): string {
  const quoted = text.replace(/'/g, `'\\''`);
  return bracketed ? quoted.replace(/([[\]])/g, '\\$1') : quoted;
}

function zsh(commands: readonly CompletedCommand[]): string {
  const option = (name: OptionName) => {
    const help = zshWords((OPTIONS[name] as OptionSpec).help, true);
    const kind = valueKind(name);
    const value = kind === 'file' ? ':file:_files' : kind === 'folder' ? ':folder:_files -/' : kind === 'word' ? `:${name}:` : '';
    const words = flags(name);
    return words.length === 1 ? `'${words[0]}[${help}]${value}'` : `'(${words.join(' ')})'{${words.join(',')}}'[${help}]${value}'`;
  };
  return [
    '#compdef cdk8s-canary',
    '# zsh completion for cdk8s-canary: `source <(cdk8s-canary completion zsh)` in ~/.zshrc, after compinit.',
    '_cdk8s_canary() {',
    '  local -a commands',
    `  commands=(${commands.map((command) => `'${command.name}:${zshWords(command.summary)}'`).join(' ')})`,
    '  if (( CURRENT == 2 )); then',
    "    _describe 'command' commands",
    '    return',
    '  fi',
    '  shift words',
    '  (( CURRENT-- ))',
    '  case $words[1] in',
    ...commands.map((command) => `    ${command.name}) _arguments ${[...command.options, 'help' as const].map(option).join(' ')} '*::argument:' ;;`),
    '  esac',
    '}',
    'compdef _cdk8s_canary cdk8s-canary',
    '',
  ].join('\n');
}

/** Text inside fish's single quotes. */
function fishWords(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

function fish(commands: readonly CompletedCommand[]): string {
  const names = commands.map((command) => command.name).join(' ');
  const option = (command: string, name: OptionName) => {
    const spec: OptionSpec = OPTIONS[name];
    const kind = valueKind(name);
    const value = kind === 'file' ? ' -r -F' : kind === 'folder' ? " -r -a '(__fish_complete_directories)'" : kind === 'word' ? ' -r' : '';
    return `complete -c cdk8s-canary -n '__fish_seen_subcommand_from ${command}'${spec.short ? ` -s ${spec.short}` : ''} -l ${name}${value} -d '${fishWords(spec.help)}'`;
  };
  return [
    '# fish completion for cdk8s-canary: `cdk8s-canary completion fish > ~/.config/fish/completions/cdk8s-canary.fish`.',
    'complete -c cdk8s-canary -f',
    ...commands.map((command) => `complete -c cdk8s-canary -n 'not __fish_seen_subcommand_from ${names}' -a ${command.name} -d '${fishWords(command.summary)}'`),
    ...commands.flatMap((command) => command.options.map((name) => option(command.name, name))),
    '',
  ].join('\n');
}

const SHELLS = { bash, zsh, fish } as const;

/** `completion bash|zsh|fish`: the shell's completion script for the commands and their options. */
export async function completion(_values: Values, [shell]: readonly string[], io: Io, commands: readonly CompletedCommand[]): Promise<number> {
  if (!Object.hasOwn(SHELLS, shell)) throw new UsageError(`completion is for bash, zsh or fish, not ${shown(shell)}`);
  io.out(SHELLS[shell as keyof typeof SHELLS](commands).trimEnd());
  return 0;
}
