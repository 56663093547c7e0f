import { parseArgs } from 'node:util';
import { SpecError } from './spec-error';
import { loadSpec, parseSpec, readSpecFile } from './spec-load';

const USAGE = `Usage: cdk8s-canary <command> [options]

Commands:
  synth [-c canary.yaml] [-o dist]    write one YAML file per stage of each app
  synth --check [-c ...] [-o ...]     write nothing; exit 1 if the output folder is not what the spec gives
  synth --take-over [-c ...] [-o ...] also replace files of other specs, or without the marker, at the paths it writes
  plan [-c canary.yaml] [-o dist]     print each app's stages, canary share and kubectl commands
  finish <app> [-c canary.yaml]       end a promoted release: the canary image becomes stable, stage goes back to the first

Options:
  -c, --config <file>   the spec (default canary.yaml)
  -o, --output <dir>    the output folder (default dist)
  -h, --help            this text
`;

/** Exit codes: 0 done, 1 bad input or stale output, 2 bad command line. */
class UsageError extends Error {}

interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Writes a progress line in place. */
  readonly progress: (text: string) => void;
  /** On a terminal and not in CI: progress is shown. */
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

function options(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c', default: 'canary.yaml' },
        output: { type: 'string', short: 'o', default: 'dist' },
        check: { type: 'boolean', default: false },
        'take-over': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
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
  const { checkOutput, outputFolderProblem, specPathFrom, writeOutput } = await import('./output');
  const problem = outputFolderProblem(outdir, config);
  if (problem) throw new UsageError(problem);
  const resolved = load(config, io);
  const { renderApps } = await import('./synth');
  const specPath = specPathFrom(outdir, config);
  const files = renderApps(resolved, specPath, io.interactive ? progressReporter(io.progress, started) : undefined);
  const ownership = { spec: specPath, apps: resolved.map((app) => app.spec.name), takeOver };
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  const apps = count(resolved.length, 'app');
  if (check) {
    const report = checkOutput(outdir, files, ownership);
    for (const line of report) io.err(line);
    io.out(report.length
      ? `check: ${outdir} is out of date with ${config} (${count(report.length, 'file')}); run cdk8s-canary synth`
      : `check: ${apps}, ${count(files.length, 'file')} up to date in ${outdir} (${seconds} s)`);
    return report.length ? 1 : 0;
  }
  if (io.interactive && Date.now() - started >= 1000) io.progress('');
  const summary = writeOutput(outdir, files, ownership);
  const total = ((Date.now() - started) / 1000).toFixed(2);
  io.out(`synth: ${apps}, ${count(summary.written, 'file')} written, ${summary.unchanged} unchanged, ${summary.removed} removed, in ${total} s (${outdir})`);
  return 0;
}

async function plan(config: string, outdir: string, io: Io): Promise<number> {
  const apps = load(config, io);
  const { formatPlan } = await import('./plan-report');
  const sections = apps.map(({ spec: app, plan: appPlan }) => {
    const owner = apps.find((other) => other.spec.createNamespace && other.spec.namespace === app.namespace)?.spec.name;
    return formatPlan(app, appPlan, outdir, owner);
  });
  io.out(sections.join('\n\n'));
  return 0;
}

async function finish(config: string, appName: string | undefined, io: Io): Promise<number> {
  if (!appName) throw new UsageError('finish needs the name of the app whose release is done');
  const { finishRelease } = await import('./finish-release');
  const { replaceFileContent } = await import('./replace-file');
  const text = readSpecFile(config);
  const finished = finishRelease(text, appName, config);
  replaceFileContent(config, finished);
  const { stage } = parseSpec(finished, config).spec.apps.find((app) => app.name === appName)!;
  io.out(`finish: ${appName} now runs its canary image on stable, at stage ${stage}; run cdk8s-canary synth, then apply ${stage}`);
  return 0;
}

/** Runs the command line; returns the exit code. Errors are printed as one line each, never as a stack. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const { values, positionals } = options(argv);
    const [command, ...rest] = positionals;
    if (values.help || command === 'help') {
      io.out(USAGE);
      return 0;
    }
    if (command === 'finish' && rest.length <= 1) return await finish(values.config, rest[0], io);
    if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
    if (command === 'synth') return await synth(values.config, values.output, values.check, values['take-over'], io);
    if (values.check || values['take-over']) throw new UsageError(`--${values.check ? 'check' : 'take-over'} goes with synth`);
    if (command === 'plan') return await plan(values.config, values.output, io);
    throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`cdk8s-canary: ${error.message}\n\n${USAGE}`);
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
    interactive: Boolean(process.stdout.isTTY) && !process.env.CI,
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
