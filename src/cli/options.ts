import { parseArgs } from 'node:util';
import { closest, shown, unknown, UsageError } from '../engine/errors';
import { STARTER_DEFAULTS } from '../engine/starter-spec';

/** One command-line option: how it is written, its default, and its line in the help. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly default?: string;
  /** The value's name in the help: `--config <file>`. */
  readonly value?: string;
  readonly help: string;
  /** The default in words, where it is not a plain value. */
  readonly defaultText?: string;
  /** Lines that follow the option's own in the help. */
  readonly note?: readonly string[];
}

/** Every option, with its default and its words: the one source of both for the parser and the help. */
export const OPTIONS = {
  config: { type: 'string', short: 'c', default: 'canary.yaml', value: '<file>', help: 'the spec' },
  output: { type: 'string', short: 'o', default: 'dist', value: '<dir>', help: 'the output folder' },
  check: { type: 'boolean', help: 'write nothing; exit 1 naming each stale, missing, leftover or conflicting file' },
  'take-over': { type: 'boolean', help: 'also replace files of other specs, or without the marker, where it writes' },
  plan: { type: 'boolean', help: 'then print the plan' },
  json: { type: 'boolean', help: 'the resolved plan as one JSON document' },
  base: { type: 'string', value: '<ref>', help: 'the git revision to compare with (a pull request\'s base branch)', defaultText: 'HEAD' },
  charts: { type: 'string', value: '<dir>', help: 'also draw each app\'s release as <dir>/<app>.svg, linked from the review' },
  apply: { type: 'boolean', help: 'then run the move\'s kubectl steps, stopping at the first that fails' },
  script: { type: 'boolean', help: 'print the move to one app\'s stage (--stage) as a runnable POSIX script, a comment above each step' },
  stage: { type: 'string', value: '<stage>', help: 'the stage: verify\'s sends the canary traffic; plan --script\'s is the one moved to', defaultText: 'the current one' },
  'canary-url': {
    type: 'string', value: '<url>', help: 'where the canary answers, for the smoke check',
    note: ['from outside the cluster: kubectl port-forward -n NS svc/<service>-canary 8080:<service port>'],
  },
  prometheus: {
    type: 'string', value: '<url>', help: 'the Prometheus server', defaultText: 'the spec\'s',
    note: ['from outside the cluster: kubectl port-forward -n monitoring svc/prometheus 9090'],
  },
  name: { type: 'string', value: '<app>', help: 'the app\'s name', defaultText: `${STARTER_DEFAULTS.name}; with --from, the Deployment's` },
  namespace: { type: 'string', value: '<ns>', help: 'its namespace', defaultText: 'the name; with --from, the Deployment\'s, else the name' },
  image: { type: 'string', value: '<image>', help: 'the image it runs (not with --from: the manifests say)', defaultText: STARTER_DEFAULTS.image },
  port: { type: 'string', value: '<port>', help: 'its container port (not with --from)', defaultText: String(STARTER_DEFAULTS.port) },
  from: { type: 'string', value: '<file>', help: 'a running app\'s manifests (its Deployment and Service): the spec takes the app from them' },
  container: { type: 'string', value: '<name>', help: 'with --from: the app\'s container, where the pod template has several', defaultText: 'the only one, or the one named as the Deployment' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
  version: { type: 'boolean', short: 'v', help: 'the version' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** The name the engine gives each option (`canaryUrl`) to its flag here (`--canary-url`, `-o`), for the engine's messages. */
export const FLAGS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(OPTIONS).map(([name, option]: [string, OptionSpec]) =>
  [name.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase()), option.short ? `-${option.short}` : `--${name}`]));

/** The options as parsed: a flag is a boolean, an option with a default a string, any other one maybe. */
export type Values = {
  readonly [K in OptionName]: (typeof OPTIONS)[K] extends { type: 'boolean' } ? boolean
    : (typeof OPTIONS)[K] extends { default: string } ? string : string | undefined;
};

// The help's column for option words.
const HELP_COLUMN = 22;

/** An option's lines in a command's help: `-c, --config <file>   the spec (default canary.yaml)`. */
export function optionHelp(name: OptionName): string[] {
  const option: OptionSpec = OPTIONS[name];
  const flags = `${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` ${option.value}` : ''}`;
  const fallback = option.defaultText === undefined ? option.default && ` (default ${option.default})` : ` (default: ${option.defaultText})`;
  return [`${flags.padEnd(HELP_COLUMN)}${option.help}${fallback ?? ''}`, ...(option.note ?? []).map((line) => `${''.padEnd(HELP_COLUMN)}${line}`)];
}

/**
 * The command line, read in the tool's own words: unknown options get a suggestion, an option that
 * does not go with the command is named. `allowed` gives each command's options.
 */
export function parseOptions(args: string[], allowed: (command: string) => readonly OptionName[] | undefined) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: false, tokens: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  const own = command === undefined ? undefined : allowed(command);
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const spelled = token.rawName;
    if (!Object.hasOwn(OPTIONS, token.name)) throw unknown('option', spelled, Object.keys(OPTIONS).map((name) => `--${name}`));
    const name = token.name as OptionName;
    // `-check` reads as `-c heck`: a word that is a long option's name with one dash is a typo.
    if (token.inlineValue && spelled.length === 2 && token.value !== undefined) {
      const word = `--${spelled.slice(1)}${token.value}`;
      const guess = closest(word, Object.keys(OPTIONS).map((each) => `--${each}`));
      if (guess) throw new UsageError(`unknown option ${shown(word.slice(1))}: did you mean ${guess}?`);
    }
    if (own && ![...own, 'help', 'version'].includes(name)) throw new UsageError(`${spelled} does not go with ${command}`);
    const takesValue = OPTIONS[name].type === 'string';
    if (takesValue && token.value === undefined) throw new UsageError(`${spelled} needs a value`);
    if (!takesValue && token.value !== undefined) throw new UsageError(`${spelled} takes no value`);
  }
  const values = Object.fromEntries(Object.entries(OPTIONS).map(([name, option]) => {
    const given = parsed.values[name];
    if (given !== undefined) return [name, given];
    return [name, option.type === 'boolean' ? false : (option as OptionSpec).default];
  }));
  return { values: values as Values, command, rest };
}
