import type { RenderedFile } from '../io/header';
import type { FoundFiles } from '../io/writer';
import type { ResolvedApp } from '../model/resolve';
import { loadSpec, parseSpec, readSpecFile } from '../model/spec-file';
import { appFilePaths, OUTPUT_LAYOUT } from '../render/paths';
import { formatValue, isPrintable, SpecError, type SpecPath } from '../spec/problems';
import { unknown, UsageError, type Values } from './options';

/*
 * The commands' bodies: each reads its options and arguments (their number checked already, see
 * COMMANDS in main.ts) and returns its exit code.
 */

/** Where a command writes. */
export interface Io {
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

/**
 * A path given on the command line that is printed in commands to run (the output folder) or written
 * (init's spec): one with a control or direction character is refused, since no quoting prints it
 * both safely and as the same path in every shell.
 */
function plainPath(option: string, path: string): string {
  if (!isPrintable(path)) throw new UsageError(`${option} ${formatValue(path)} holds a control or direction character: give a path without one`);
  return path;
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

/** `synth`: renders every app and writes its files, or with `--check` compares them; `--plan` then prints the plan. */
export async function synth(values: Values, _args: readonly string[], io: Io): Promise<number> {
  const code = await writeOrCheck(values.config, values.output, values.check, values['take-over'], io);
  return code === 0 && values.plan ? await plan({ ...values, json: false }, [], { ...io, err: () => undefined }) : code;
}

async function writeOrCheck(config: string, outdir: string, check: boolean, takeOver: boolean, io: Io): Promise<number> {
  const started = Date.now();
  plainPath('-o', outdir);
  const { inspectOutput, openOutput, outputFolderProblem, specPathFrom } = await import('../io/writer');
  const problem = outputFolderProblem(outdir, config);
  if (problem) throw new UsageError(problem);
  const resolved = load(config, io);
  const specPath = specPathFrom(outdir, config);
  const ownership = { spec: specPath, apps: resolved.map((app) => app.spec.name), takeOver, layout: OUTPUT_LAYOUT };
  const apps = count(resolved.length, 'app');
  const seconds = () => ((Date.now() - started) / 1000).toFixed(2);
  // An app whose every file carries a stamp that verifies is as a render would make it: it is not
  // rendered, and its files are neither compared nor written.
  const { appUpToDate } = await import('../render/stamp');
  const toRender: ResolvedApp[] = [];
  const kept: string[] = [];
  const asFound = (found: FoundFiles) => {
    for (const app of resolved) {
      if (appUpToDate(app, specPath, found)) kept.push(...appFilePaths(app.spec.name, app.plan));
      else toRender.push(app);
    }
    return new Set(kept);
  };
  // The folder is checked before anything renders; each app's files are written while the next render.
  const writer = check ? undefined : openOutput(outdir, resolved.flatMap((app) => appFilePaths(app.spec.name, app.plan)), ownership, asFound);
  const inspection = writer ? undefined : inspectOutput(outdir, ownership);
  if (inspection) asFound(inspection.found);
  const rendered: RenderedFile[][] = [];
  if (toRender.length) {
    try {
      // Only now is the render code loaded: a run with nothing to render loads none of it.
      const { renderAppsInParallel } = await import('../render/synth');
      await renderAppsInParallel(toRender, specPath, (index, files) => {
        if (writer) files.forEach((file) => writer.write(file));
        else rendered[index] = files;
      }, io.interactive ? progressReporter(io.progress, started) : undefined);
    } catch (error) {
      writer?.abort();
      throw error;
    }
  }
  if (io.interactive && Date.now() - started >= 1000) io.progress('');
  if (!writer) {
    const files = rendered.flat();
    const report = inspection!.check(files, kept);
    if (!report.length) {
      io.out(`check: ${apps}, ${count(kept.length + files.length, 'file')} up to date in ${outdir} (${seconds()} s)`);
      return 0;
    }
    // The details and what they add up to, on one stream.
    for (const line of report) io.err(line);
    io.err(`check: ${outdir} is out of date with ${config} (${count(report.length, 'file')}); run cdk8s-canary synth`);
    return 1;
  }
  const summary = writer.close();
  io.out(`synth: ${apps}, ${count(summary.written, 'file')} written, ${summary.unchanged} unchanged, ${summary.removed} removed, in ${seconds()} s (${outdir})`);
  return 0;
}

/** `plan`: each app's stages, shares and kubectl steps, as text or JSON. */
export async function plan(values: Values, names: readonly string[], io: Io): Promise<number> {
  const { config, output: outdir, json } = values;
  plainPath('-o', outdir);
  const apps = load(config, io);
  const known = apps.map((app) => app.spec.name);
  for (const name of names) if (!known.includes(name)) throw unknown('app', name, known);
  const { formatPlan, planDocument } = await import('./plan-report');
  const shown = apps.filter((app) => !names.length || names.includes(app.spec.name));
  const owner = (namespace: string) => apps.find((other) => other.createsNamespace && other.spec.namespace === namespace)?.spec.name;
  if (json) {
    io.out(JSON.stringify({ spec: config, output: outdir, apps: shown.map((app) => planDocument(app.spec, app.plan, outdir, owner(app.spec.namespace))) }, null, 2));
  } else {
    io.out(shown.map((app) => formatPlan(app.spec, app.plan, outdir, owner(app.spec.namespace))).join('\n\n'));
  }
  return 0;
}

/** `init`: a starter spec, never over an existing file. */
export async function init(values: Values, _args: readonly string[], io: Io): Promise<number> {
  const { starterSpec } = await import('./init');
  const { dirname, join, relative, resolve, sep } = await import('node:path');
  const { writeFileSync } = await import('node:fs');
  const { config, name } = values;
  plainPath('-c', config);
  const port = Number(values.port);
  // The schema this installed package ships, from where the spec is.
  let schema = relative(dirname(resolve(config)), join(__dirname, '..', '..', 'schema', 'canary-spec.schema.json')).split(sep).join('/');
  if (!schema.startsWith('.') && !schema.startsWith('/')) schema = `./${schema}`;
  // The modeline is one comment line: a folder name with a line break is written as a URI escape.
  schema = schema.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => encodeURIComponent(c));
  const text = starterSpec({ name, namespace: values.namespace ?? name, image: values.image, port, schema });
  try {
    parseSpec(text, config);
  } catch (error) {
    // The options are at fault, not a file: none was written.
    if (!(error instanceof SpecError)) throw error;
    const option = (path: SpecPath) => ({ name: '--name', namespace: '--namespace', image: '--image', port: '--port' })[String(path.at(-1))] ?? 'the options:';
    const lines = [...new Set(error.problems.map((problem) => `${option(problem.path)} ${problem.message}`))];
    throw new SpecError(lines.map((line) => ({ path: [], message: `init wrote nothing: ${line}` })));
  }
  try {
    writeFileSync(config, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${config} exists already; init never replaces a file: give another with -c`);
    throw error;
  }
  const { shellQuote } = await import('./kubectl-steps');
  io.out(`init: wrote ${config} for app ${name}; next: npx cdk8s-canary synth${config === 'canary.yaml' ? '' : ` -c ${shellQuote(config)}`}`);
  return 0;
}

/** `verify APP`: the app's gate, run from here against its canary. */
export async function verify(values: Values, [appName]: readonly string[], io: Io): Promise<number> {
  const { config } = values;
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
  // The spec's own rule for a URL, and its words; on the command line, which is written nowhere, a
  // user and password may come first (the checks send them as Basic auth and never print them).
  const { checkSchema } = await import('../spec/schema');
  for (const [option, url] of [['--canary-url', canaryUrl], ['--prometheus', values.prometheus]] as const) {
    const [problem] = url === undefined ? [] : checkSchema(url.replace(/^(https?:\/\/)[^/?#@\s]*@/i, '$1'), 'HttpUrl');
    if (problem) throw new UsageError(`${option} ${problem.message.replace(/^is .*?: /, '')}`);
  }
  const runner = loadRunner();
  // Each measurement as it comes; the run as a whole keeps the gate's deadline.
  const results = await runner.runChecks(verifyChecks(spec, spec.verify), {
    canaryUrl, prometheusUrl: values.prometheus, onMeasurement: (measurement) => io.out(runner.formatMeasurement(measurement)),
  });
  for (const result of results) io.out(runner.formatResult(result));
  const verdict = runner.gateVerdict(results);
  const failed = results.filter((result) => result.verdict === 'fail').length;
  const open = results.filter((result) => result.verdict === 'inconclusive').length;
  const where = `verify: ${appName} at ${stage.name}`;
  io.out(verdict === 'pass' ? `${where}: all ${count(results.length, 'check')} passed`
    : verdict === 'fail' ? `${where}: ${count(failed, 'check')} of ${results.length} failed`
      : `${where}: inconclusive: ${count(open, 'check')} of ${results.length} had too few measurements with data to pass (no traffic yet?)`);
  return runner.EXIT_CODES[verdict];
}

/** `finish APP`: ends a promoted release in the spec file. */
export async function finish(values: Values, [appName]: readonly string[], io: Io): Promise<number> {
  const { config } = values;
  const { finishRelease } = await import('./finish');
  const { replaceFileContent } = await import('../io/atomic-file');
  const read = readSpecFile(config);
  const { text, stage } = finishRelease(read, appName, config);
  replaceFileContent(config, text, read);
  io.out(`finish: ${appName} now runs its canary's image and config on stable, at stage ${stage}; run cdk8s-canary synth, then apply ${stage}`);
  return 0;
}

