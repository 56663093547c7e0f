import { parseArgs } from 'node:util';
import type { RenderedFile } from '../io/header';
import { appFilePaths } from '../render/paths';
import { SpecError } from '../spec/problems';
import { loadSpec, parseSpec, readSpecFile } from '../model/spec-file';
import { closest } from '../spec/suggest';

/** The options every command may take, and the ones each command adds. */
const OPTIONS = {
  config: { type: 'string', short: 'c', default: 'canary.yaml' },
  output: { type: 'string', short: 'o', default: 'dist' },
  check: { type: 'boolean', default: false },
  'take-over': { type: 'boolean', default: false },
  plan: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  stage: { type: 'string' },
  'canary-url': { type: 'string' },
  prometheus: { type: 'string' },
  name: { type: 'string' },
  namespace: { type: 'string' },
  image: { type: 'string' },
  port: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;
type OptionName = keyof typeof OPTIONS;
/** The options as parsed: a flag is a boolean, an option with a default a string, any other one maybe. */
type Values = {
  readonly [K in OptionName]: (typeof OPTIONS)[K] extends { type: 'boolean' } ? boolean
    : (typeof OPTIONS)[K] extends { default: string } ? string : string | undefined;
};

interface CommandHelp {
  readonly usage: string;
  readonly summary: string;
  readonly options: readonly OptionName[];
  readonly lines: readonly string[];
  readonly example: string;
}

const SPEC_OPTION = '-c, --config <file>   the spec (default canary.yaml)';
const OUTPUT_OPTION = '-o, --output <dir>    the output folder (default dist)';

const COMMANDS: Record<string, CommandHelp> = {
  init: {
    usage: 'init [-c canary.yaml] [--name APP] [--namespace NS] [--image IMAGE] [--port PORT]',
    summary: 'write a short, commented starter spec for one app (never over an existing file)',
    options: ['config', 'name', 'namespace', 'image', 'port'],
    lines: [SPEC_OPTION, '--name <app>          the app\'s name (default web)', '--namespace <ns>      its namespace (default: the name)',
      '--image <image>       the image it runs (default nginxinc/nginx-unprivileged:1.27)', '--port <port>         its container port (default 8080)'],
    example: 'npx cdk8s-canary init --name shop --image registry.example/shop:1.4.0',
  },
  synth: {
    usage: 'synth [-c canary.yaml] [-o dist] [--check] [--take-over] [--plan]',
    summary: 'write one YAML file per stage of each app',
    options: ['config', 'output', 'check', 'take-over', 'plan'],
    lines: [SPEC_OPTION, OUTPUT_OPTION, '--check               write nothing; exit 1 naming each stale, missing, leftover or conflicting file',
      '--take-over           also replace files of other specs, or without the marker, where it writes', '--plan                then print the plan'],
    example: 'npx cdk8s-canary synth -c canary.yaml -o dist',
  },
  plan: {
    usage: 'plan [APP...] [-c canary.yaml] [-o dist] [--json]',
    summary: 'print each app\'s stages, canary share and the kubectl commands that apply them',
    options: ['config', 'output', 'json'],
    lines: [SPEC_OPTION, OUTPUT_OPTION, '--json                the resolved plan as one JSON document'],
    example: 'npx cdk8s-canary plan nginx --json',
  },
  verify: {
    usage: 'verify APP [-c canary.yaml] [--stage STAGE] [--canary-url URL] [--prometheus URL]',
    summary: 'run an app\'s verification checks against its canary; exit 0 when all pass, 1 when one fails',
    options: ['config', 'stage', 'canary-url', 'prometheus'],
    lines: [SPEC_OPTION, '--stage <stage>       the stage being verified (default: the current one); it must send the canary traffic',
      '--canary-url <url>    where the canary answers, for the smoke check; from outside the cluster, through',
      '                      kubectl port-forward -n NS svc/<service>-canary 8080:<service port>',
      '--prometheus <url>    the Prometheus server (default: the spec\'s); from outside the cluster, through',
      '                      kubectl port-forward -n monitoring svc/prometheus 9090'],
    example: 'kubectl port-forward -n shop svc/shop-canary 8080:80 & npx cdk8s-canary verify shop --canary-url http://127.0.0.1:8080',
  },
  finish: {
    usage: 'finish APP [-c canary.yaml]',
    summary: 'end a promoted release: the canary\'s image and config become stable\'s, at the stage without canary pods',
    options: ['config'],
    lines: [SPEC_OPTION],
    example: 'npx cdk8s-canary finish nginx',
  },
};

const USAGE = `Usage: cdk8s-canary <command> [options]

Commands:
${Object.values(COMMANDS).map((command) => `  ${command.usage}\n      ${command.summary}`).join('\n')}

Options:
  -h, --help            this text; \`cdk8s-canary <command> --help\` for one command
  -v, --version         the version
`;

function commandUsage(name: string): string {
  const command = COMMANDS[name];
  return `Usage: cdk8s-canary ${command.usage}

${command.summary[0].toUpperCase()}${command.summary.slice(1)}.

Options:
${command.lines.map((line) => `  ${line}`).join('\n')}
  -h, --help            this text

Example:
  ${command.example}
`;
}

/** Exit codes: 0 done, 1 bad input or stale output, 2 bad command line. */
class UsageError extends Error {}

interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Writes a progress line in place. */
  readonly progress: (text: string) => void;
  /** On a terminal, with neither CI nor NO_COLOR set: progress is shown. */
  readonly interactive: boolean;
}

/**
 * Reports `apps: done/total` once a run has taken a second, at most ten times a second, and always
 * the last one, so short runs print nothing.
 */
export function progressReporter(write: (text: string) => void, startedAt: number, clock: () => number = Date.now) {
  let shownAt: number | undefined;
  return (done: number, total: number): void => {
    const now = clock();
    if (now - startedAt < 1000) return;
    if (done < total && shownAt !== undefined && now - shownAt < 100) return;
    shownAt = now;
    write(`rendering apps: ${done}/${total}`);
  };
}

/** `--chek` -> `unknown option --chek: did you mean --check?` */
function unknown(kind: string, word: string, known: readonly string[]): UsageError {
  const guess = closest(word, known);
  return new UsageError(`unknown ${kind} ${word}${guess ? `: did you mean ${guess}?` : ''}`);
}

/** The command line, read in the tool's own words: unknown commands and options get a suggestion. */
function options(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: false, tokens: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  const help = COMMANDS[command as string];
  const allowed: readonly OptionName[] = [...(help?.options ?? []), 'help', 'version'];
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const spelled = token.rawName;
    if (!(token.name in OPTIONS)) {
      throw unknown('option', spelled, Object.keys(OPTIONS).map((name) => `--${name}`));
    }
    if (help && !allowed.includes(token.name as OptionName)) throw new UsageError(`${spelled} does not go with ${command}`);
    const takesValue = OPTIONS[token.name as OptionName].type === 'string';
    if (takesValue && token.value === undefined) throw new UsageError(`${spelled} needs a value`);
    if (!takesValue && token.value !== undefined) throw new UsageError(`${spelled} takes no value`);
  }
  const defaults = Object.fromEntries(Object.entries(OPTIONS).map(([name, option]) => [name, 'default' in option ? option.default : undefined]));
  return { values: { ...defaults, ...parsed.values } as unknown as Values, command: command as string | undefined, rest: rest as string[] };
}

function load(config: string, io: Io) {
  const { apps, warnings } = loadSpec(config);
  for (const warning of warnings) io.err(`warning: ${warning}`);
  return apps;
}

/** `1 file`, `2 files` */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

async function synth(config: string, outdir: string, check: boolean, takeOver: boolean, io: Io): Promise<number> {
  const started = Date.now();
  const { checkOutput, openOutput, outputFolderProblem, specPathFrom } = await import('../io/writer');
  const problem = outputFolderProblem(outdir, config);
  if (problem) throw new UsageError(problem);
  const resolved = load(config, io);
  const specPath = specPathFrom(outdir, config);
  const ownership = { spec: specPath, apps: resolved.map((app) => app.spec.name), takeOver };
  const apps = count(resolved.length, 'app');
  const seconds = () => ((Date.now() - started) / 1000).toFixed(2);
  // The folder is checked before anything renders; each app's files are written while the next render.
  const writer = check ? undefined : openOutput(outdir, resolved.flatMap((app) => appFilePaths(app.spec.name, app.plan)), ownership);
  const rendered: RenderedFile[][] = [];
  try {
    const { renderAppsInParallel } = await import('../render/synth');
    await renderAppsInParallel(resolved, specPath, (index, files) => {
      if (writer) files.forEach((file) => writer.write(file));
      else rendered[index] = files;
    }, io.interactive ? progressReporter(io.progress, started) : undefined);
  } catch (error) {
    writer?.abort();
    throw error;
  }
  if (io.interactive && Date.now() - started >= 1000) io.progress('');
  if (!writer) {
    const files = rendered.flat();
    const report = checkOutput(outdir, files, ownership);
    for (const line of report) io.err(line);
    io.out(report.length
      ? `check: ${outdir} is out of date with ${config} (${count(report.length, 'file')}); run cdk8s-canary synth`
      : `check: ${apps}, ${count(files.length, 'file')} up to date in ${outdir} (${seconds()} s)`);
    return report.length ? 1 : 0;
  }
  const summary = writer.close();
  io.out(`synth: ${apps}, ${count(summary.written, 'file')} written, ${summary.unchanged} unchanged, ${summary.removed} removed, in ${seconds()} s (${outdir})`);
  return 0;
}

async function plan(config: string, outdir: string, names: readonly string[], json: boolean, io: Io): Promise<number> {
  const apps = load(config, io);
  const known = apps.map((app) => app.spec.name);
  for (const name of names) if (!known.includes(name)) throw unknown('app', name, known);
  const { formatPlan, planDocument } = await import('./plan-report');
  const shown = apps.filter((app) => !names.length || names.includes(app.spec.name));
  const owner = (namespace: string) => apps.find((other) => other.spec.createNamespace && other.spec.namespace === namespace)?.spec.name;
  if (json) {
    io.out(JSON.stringify({ spec: config, output: outdir, apps: shown.map((app) => planDocument(app.spec, app.plan, outdir, owner(app.spec.namespace))) }, null, 2));
  } else {
    io.out(shown.map((app) => formatPlan(app.spec, app.plan, outdir, owner(app.spec.namespace))).join('\n\n'));
  }
  return 0;
}

async function init(config: string, values: Values, io: Io): Promise<number> {
  const { starterSpec, STARTER_DEFAULTS } = await import('./init');
  const { dirname, join, relative, resolve, sep } = await import('node:path');
  const { writeFileSync } = await import('node:fs');
  const name = values.name ?? STARTER_DEFAULTS.name;
  const port = values.port === undefined ? STARTER_DEFAULTS.port : Number(values.port);
  // The schema this installed package ships, from where the spec is.
  let schema = relative(dirname(resolve(config)), join(__dirname, '..', '..', 'schema', 'canary-spec.schema.json')).split(sep).join('/');
  if (!schema.startsWith('.') && !schema.startsWith('/')) schema = `./${schema}`;
  const text = starterSpec({ name, namespace: values.namespace ?? name, image: values.image ?? STARTER_DEFAULTS.image, port, schema });
  parseSpec(text, config);
  try {
    writeFileSync(config, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${config} exists already; init never replaces a file: give another with -c`);
    throw error;
  }
  io.out(`init: wrote ${config} for app ${name}; next: npx cdk8s-canary synth${config === 'canary.yaml' ? '' : ` -c ${config}`}`);
  return 0;
}

async function verify(config: string, appName: string | undefined, values: Values, io: Io): Promise<number> {
  if (!appName) throw new UsageError('verify needs the name of the app whose canary to check');
  const apps = load(config, io);
  const app = apps.find((each) => each.spec.name === appName);
  if (!app) throw unknown('app', appName, apps.map((each) => each.spec.name));
  const { spec, plan: rollout } = app;
  if (!spec.verify) throw new UsageError(`${appName} has no verify block in ${config}: nothing to check`);
  const { isGated, loadRunner, verifyChecks } = await import('../model/gate');
  const stageName = values.stage ?? rollout.current.name;
  const stage = rollout.stages.find((each) => each.name === stageName);
  if (!stage) throw unknown('stage', stageName, rollout.stages.map((each) => each.name));
  if (!isGated(spec, stage)) throw new UsageError(`stage ${stage.name} of ${appName} sends the canary no traffic: there is nothing to verify`);
  const canaryUrl = values['canary-url'];
  if (spec.verify.smoke && !canaryUrl) {
    const { trackServiceName } = await import('../model/routing');
    throw new UsageError(`the smoke check needs the canary's address: kubectl port-forward -n ${spec.namespace} svc/${trackServiceName(spec.service.name, 'canary')} 8080:${spec.service.port}, then --canary-url http://127.0.0.1:8080`);
  }
  // The spec's own rule for a URL, and its words.
  const { checkSchema } = await import('../spec/schema');
  for (const [option, url] of [['--canary-url', canaryUrl], ['--prometheus', values.prometheus]] as const) {
    const [problem] = url === undefined ? [] : checkSchema(url, 'HttpUrl');
    if (problem) throw new UsageError(`${option} ${problem.message.replace(/^is .*?: /, '')}`);
  }
  const runner = loadRunner();
  const results = await runner.runChecks(verifyChecks(spec, spec.verify), { canaryUrl, prometheusUrl: values.prometheus });
  for (const result of results) io.out(runner.formatResult(result));
  const failed = results.filter((result) => !result.pass).length;
  io.out(failed ? `verify: ${appName} at ${stage.name}: ${count(failed, 'check')} of ${results.length} failed` : `verify: ${appName} at ${stage.name}: all ${count(results.length, 'check')} passed`);
  return failed ? 1 : 0;
}

async function finish(config: string, appName: string | undefined, io: Io): Promise<number> {
  if (!appName) throw new UsageError('finish needs the name of the app whose release is done');
  const { finishRelease } = await import('./finish');
  const { replaceFileContent } = await import('../io/atomic-file');
  const text = readSpecFile(config);
  const finished = finishRelease(text, appName, config);
  replaceFileContent(config, finished);
  const { stage } = parseSpec(finished, config).spec.apps.find((app) => app.name === appName)!;
  io.out(`finish: ${appName} now runs its canary's image and config on stable, at stage ${stage}; run cdk8s-canary synth, then apply ${stage}`);
  return 0;
}

/** Runs the command line; returns the exit code. Errors are printed as one line each, never as a stack. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const { values, command, rest } = options(argv);
    if (values.version) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      io.out(`cdk8s-canary ${(require('../../package.json') as { version: string }).version}`);
      return 0;
    }
    if (command === undefined || command === 'help') {
      if (values.help || command === 'help') {
        io.out(rest[0] && COMMANDS[rest[0]] ? commandUsage(rest[0]) : USAGE);
        return 0;
      }
      throw new UsageError('no command given');
    }
    if (!COMMANDS[command]) throw unknown('command', command, Object.keys(COMMANDS));
    if (values.help) {
      io.out(commandUsage(command));
      return 0;
    }
    const takes = command === 'plan' ? Infinity : command === 'finish' || command === 'verify' ? 1 : 0;
    if (rest.length > takes) throw new UsageError(`unexpected argument ${rest[takes]} for ${command}`);
    switch (command) {
      case 'init':
        return await init(values.config, values, io);
      case 'synth': {
        const code = await synth(values.config, values.output, values.check, values['take-over'], io);
        return code === 0 && values.plan ? plan(values.config, values.output, [], false, { ...io, err: () => undefined }) : code;
      }
      case 'plan':
        return await plan(values.config, values.output, rest, values.json, io);
      case 'verify':
        return await verify(values.config, rest[0], values, io);
      default:
        return await finish(values.config, rest[0], io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`cdk8s-canary: ${error.message}\nRun \`cdk8s-canary --help\` for the commands and their options.`);
      return 2;
    }
    if (error instanceof SpecError) {
      io.err(error.message);
      return 1;
    }
    io.err(`cdk8s-canary: ${(error as Error).message}`);
    return 1;
  }
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
