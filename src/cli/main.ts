import { OutputConflictError, OutputLockedError, printable, shown, SpecError, unknown, UsageError } from '../engine/errors';
import { completion } from './commands/completion';
import { diff } from './commands/diff';
import { finish } from './commands/finish';
import { init } from './commands/init';
import { review } from './commands/review';
import { next, rollback, stage } from './commands/move';
import { plan } from './commands/plan';
import { synth } from './commands/synth';
import { verify } from './commands/verify';
import type { Io } from './io';
import { optionHelp, OPTIONS, parseOptions, type OptionName, type OptionSpec, type Values } from './options';

/** A command: its words in the help, the options and arguments it takes, and what runs it. */
interface Command {
  /** The arguments after the command's name, as the usage line shows them. */
  readonly args?: { readonly name: string; readonly min: number; readonly max: number; readonly missing?: string };
  readonly summary: string;
  readonly options: readonly OptionName[];
  readonly example: string;
  readonly run: (values: Values, args: readonly string[], io: Io) => Promise<number>;
}

/** The commands: the one source of their usage lines, help, arity and defaults (see OPTIONS). */
const COMMANDS: Record<string, Command> = {
  init: {
    summary: 'write a short, commented starter spec for one app, or for a running app from its manifests (never over an existing file)',
    options: ['config', 'name', 'namespace', 'image', 'port', 'from', 'container'],
    example: 'npx cdk8s-canary init --name shop --image registry.example/shop:1.4.0',
    run: init,
  },
  synth: {
    summary: 'write one YAML file per stage of each app',
    options: ['config', 'output', 'check', 'take-over', 'plan'],
    example: 'npx cdk8s-canary synth -c canary.yaml -o dist',
    run: synth,
  },
  plan: {
    args: { name: '[APP...]', min: 0, max: Infinity },
    summary: 'print each app\'s stages, canary share and the kubectl commands that apply them',
    options: ['config', 'output', 'json', 'script', 'stage'],
    example: 'npx cdk8s-canary plan nginx --stage canary --script > canary.sh',
    run: plan,
  },
  verify: {
    args: { name: 'APP', min: 1, max: 1, missing: 'the name of the app whose canary to check' },
    summary: 'run an app\'s verification checks against its canary; exit 0 when all pass, 1 when one fails, 3 when inconclusive',
    options: ['config', 'stage', 'canary-url', 'prometheus'],
    example: 'kubectl port-forward -n shop svc/shop-canary 8080:80 & npx cdk8s-canary verify shop --canary-url http://127.0.0.1:8080',
    run: verify,
  },
  review: {
    args: { name: '[APP...]', min: 0, max: Infinity },
    summary: 'print the release against a git revision as markdown for a pull request: what changed, traffic before and after, the steps and the gate',
    options: ['config', 'output', 'base', 'charts'],
    example: 'npx cdk8s-canary review --base origin/main --charts review > review.md',
    run: review,
  },
  diff: {
    args: { name: '[APP...]', min: 0, max: Infinity },
    summary: 'say in release terms what changed since a git revision: stages, images, counts, config and the gate, and the pods before and after',
    options: ['config', 'base'],
    example: 'npx cdk8s-canary diff --base origin/main',
    run: diff,
  },
  next: {
    args: { name: '[APP]', min: 0, max: 1 },
    summary: 'move an app\'s release on to its plan\'s next stage: set stage: in the spec, synth, and print the commands that apply it',
    options: ['config', 'output', 'apply'],
    example: 'npx cdk8s-canary next nginx --apply',
    run: next,
  },
  rollback: {
    args: { name: '[APP]', min: 0, max: 1 },
    summary: 'move an app\'s release back to its rollback stage: set stage: in the spec, synth, and print the commands that apply it',
    options: ['config', 'output', 'apply'],
    example: 'npx cdk8s-canary rollback nginx',
    run: rollback,
  },
  stage: {
    args: { name: 'APP STAGE', min: 2, max: 2, missing: 'the app and the stage to move it to' },
    summary: 'move an app\'s release to a stage by name, where its plan offers that move (the next stage or rollback)',
    options: ['config', 'output', 'apply'],
    example: 'npx cdk8s-canary stage nginx expand',
    run: stage,
  },
  finish: {
    args: { name: 'APP', min: 1, max: 1, missing: 'the name of the app whose release is done' },
    summary: 'end a promoted release: the canary\'s image and config become stable\'s, at the stage without canary pods',
    options: ['config'],
    example: 'npx cdk8s-canary finish nginx',
    run: finish,
  },
  completion: {
    args: { name: 'SHELL', min: 1, max: 1, missing: 'a shell: bash, zsh or fish' },
    summary: 'print the completion script of a shell (bash, zsh or fish) for the commands and their options',
    options: [],
    example: 'source <(npx cdk8s-canary completion bash)',
    run: (values, args, io) => completion(values, args, io, Object.entries(COMMANDS).map(([name, { summary, options }]) => ({ name, summary, options }))),
  },
};

/** `synth [-c canary.yaml] [-o dist] [--check] [--take-over] [--plan]` */
function usageLine(name: string): string {
  const command = COMMANDS[name];
  // `[-c canary.yaml]` for a short option, `[--name APP]` for a long one, `[--check]` for a flag.
  const option = (each: OptionName) => {
    const spec: OptionSpec = OPTIONS[each];
    if (!spec.value) return `[--${each}]`;
    return spec.short ? `[-${spec.short} ${spec.default}]` : `[--${each} ${spec.value.slice(1, -1).toUpperCase()}]`;
  };
  return [name, ...(command.args ? [command.args.name] : []), ...command.options.map(option)].join(' ');
}

const USAGE = `Usage: cdk8s-canary <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, command]) => `  ${usageLine(name)}\n      ${command.summary}`).join('\n')}

Options:
${[...optionHelp('help'), ...optionHelp('version')].map((line) => `  ${line.replace('this text', 'this text; `cdk8s-canary <command> --help` for one command')}`).join('\n')}
`;

function commandUsage(name: string): string {
  const command = COMMANDS[name];
  return `Usage: cdk8s-canary ${usageLine(name)}

${command.summary[0].toUpperCase()}${command.summary.slice(1)}.

Options:
${[...command.options, 'help' as const].flatMap(optionHelp).map((line) => `  ${line}`).join('\n')}

Example:
  ${command.example}
`;
}

/**
 * Exit codes: 0 done; 1 bad input, stale output or a failed check; 2 a bad command line; 3 a gate with
 * too few measurements to judge (verify); 4 another run
 * holds the output folder (run again later); 5 the output folder holds files this run must not touch
 * (nothing was written).
 */
const EXIT = { done: 0, bad: 1, usage: 2, locked: 4, conflict: 5 } as const;

/** The command of that name; a word such as `constructor` or `toString` names none. */
function commandNamed(name: string | undefined): Command | undefined {
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

/** The command named on the command line, its arguments checked against the table. */
function commandOf(name: string, args: readonly string[]): Command {
  const command = commandNamed(name);
  if (!command) throw unknown('command', name, Object.keys(COMMANDS));
  const { min = 0, max = 0, missing = '' } = command.args ?? {};
  if (args.length < min) throw new UsageError(`${name} needs ${missing}`);
  if (args.length > max) throw new UsageError(`unexpected argument ${shown(args[max])} for ${name}`);
  return command;
}

/** Runs the command line; returns the exit code. Errors are printed as one line each, never as a stack. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const { values, command, rest } = parseOptions(argv, (name) => commandNamed(name)?.options);
    if (values.version) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      io.out(`cdk8s-canary ${(require('../../package.json') as { version: string }).version}`);
      return EXIT.done;
    }
    if (command === undefined || command === 'help') {
      if (!values.help && command !== 'help') throw new UsageError('no command given');
      io.out(commandNamed(rest[0]) ? commandUsage(rest[0]) : USAGE);
      return EXIT.done;
    }
    if (values.help && commandNamed(command)) {
      io.out(commandUsage(command));
      return EXIT.done;
    }
    return await commandOf(command, rest).run(values, rest, io);
  } catch (error) {
    return reportError(error, io);
  }
}

/**
 * Prints an error, each line of it with its control and direction characters escaped: the messages
 * quote the user's words themselves, and this keeps any that did not from acting on the terminal.
 */
function reportError(error: unknown, io: Io): number {
  const err = (text: string) => io.err(text.split('\n').map(printable).join('\n'));
  if (error instanceof UsageError) {
    err(`cdk8s-canary: ${error.message}\nRun \`cdk8s-canary --help\` for the commands and their options.`);
    return EXIT.usage;
  }
  if (error instanceof SpecError) {
    err(error.message);
    return EXIT.bad;
  }
  err(`cdk8s-canary: ${(error as Error).message}`);
  if (error instanceof OutputLockedError) return EXIT.locked;
  if (error instanceof OutputConflictError) return EXIT.conflict;
  return EXIT.bad;
}

/** The process entry point of the bin (and of `cdk8s synth`, with its own arguments). */
export function run(argv: string[] = process.argv.slice(2)): void {
  const io: Io = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    progress: (text) => process.stdout.write(`\r${text}\x1b[K`),
    interactive: Boolean(process.stdout.isTTY) && !process.env.CI && !process.env.NO_COLOR,
  };
  // A reader that stops early (`plan | head -1`) ends the run quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
  main(argv, io).then((code) => {
    process.exitCode = code;
  });
}
