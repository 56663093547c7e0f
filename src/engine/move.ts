import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { isMap, parseDocument } from 'yaml';
import { replaceFileContent } from '../io/atomic-file';
import { outputFolderProblem } from '../io/output-folder';
import { requestedMove, type MoveRequest } from '../model/moves';
import type { ResolvedApp } from '../model/resolve';
import { ROLLBACK_STAGE } from '../model/stage';
import { SpecError } from '../spec/problems';
import { optionName, plainPath, UsageError, unknown } from './errors';
import { stageCommands, stageScript } from './kubectl-steps';
import { locateProblems, parseSpec, readSpecFile, type SpecOptions } from './load';
import { applied, setValue, shared } from './spec-edit';
import { synth, type SynthWritten } from './synth';

/** What a move is asked to do. */
export interface MoveOptions extends SpecOptions {
  /** The output folder the files are written to and the commands name. */
  readonly output: string;
  /**
   * The app to move, by name.
   * @default the spec's one app; a spec of several apps must name one
   */
  readonly app?: string;
  /** Where to: `next`, `rollback`, or `{ stage: NAME }`. */
  readonly to: MoveRequest;
  /** The command to run again once a shared value is written out, as the caller names it. @default 'move' */
  readonly command?: string;
  /**
   * Then run the move's steps (the script `plan --script` prints) with `sh` and the `kubectl` on the
   * PATH, its output on this process's, stopping at the first step that fails.
   * @default false
   */
  readonly apply?: boolean;
}

/** What a move did. */
export interface MoveOutcome {
  readonly app: string;
  readonly from: string;
  readonly to: string;
  /** What synth wrote after the spec changed. */
  readonly synth: SynthWritten;
  /** The kubectl commands that move the cluster to the new stage, to be joined with `&&`. */
  readonly commands: readonly string[];
  /** With `apply`: the steps' exit code, 0 when every step passed. */
  readonly applied?: number;
  /** The rollback stage's kubectl commands, to be joined with `&&`: where a failed move goes back to. */
  readonly rollback: readonly string[];
}

/** The app a move is for: the named one, or the spec's only app. */
function appIndex(apps: readonly ResolvedApp[], name: string | undefined): number {
  const names = apps.map((app) => app.spec.name);
  if (name === undefined) {
    if (apps.length === 1) return 0;
    throw new UsageError(`the spec has ${apps.length} apps: name the one to move (${names.join(', ')})`);
  }
  const index = names.indexOf(name);
  if (index === -1) throw unknown('app', name, names);
  return index;
}

/**
 * Sets `stage:` of one app in the spec text to where `request` moves it, if its plan offers that
 * move (requestedMove), changing nothing else: comments, anchors, flow style, indentation and line
 * endings stay, and the result is checked to differ from the old spec in that value only.
 */
export function moveInSpec(text: string, source: string, appName: string | undefined, request: MoveRequest, command = 'move'): { readonly text: string; readonly app: string; readonly from: string; readonly to: string } {
  const loaded = parseSpec(text, source);
  const index = appIndex(loaded.apps, appName);
  const { spec, plan } = loaded.apps[index];
  const path = ['apps', index, 'stage'];
  try {
    if (typeof request === 'object' && !plan.stages.some((stage) => stage.name === request.stage)) {
      throw unknown('stage', request.stage, plan.stages.map((stage) => stage.name));
    }
    const move = requestedMove(plan.stages, plan.current, request);
    if ('refused' in move) throw new SpecError([{ path, message: `is ${JSON.stringify(plan.current.name)}: ${move.refused}` }]);
    const doc = parseDocument(text);
    const app = (doc.get('apps') as { items: unknown[] }).items[index];
    if (!isMap(app)) throw shared(['apps', index], 'an anchor or alias', command);
    const result = applied(text, setValue(doc, text, app, 'stage', move.to.name, path, command));
    const expected = loaded.spec.apps.map((each, i) => (i === index ? { ...each, stage: move.to.name } : each));
    let after;
    try {
      after = parseSpec(result, source).spec.apps;
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
    }
    if (!isDeepStrictEqual(after, expected)) {
      throw new SpecError([{ path, message: `could not be set in place without changing other values: write the app's stage: out in full, then ${command}` }]);
    }
    return { text: result, app: spec.name, from: plan.current.name, to: move.to.name };
  } catch (error) {
    if (error instanceof SpecError && error.source === undefined) throw new SpecError(locateProblems(text, error.problems), source);
    throw error;
  }
}

/**
 * Moves one app's release a stage on, back to rollback, or to a stage by name: sets `stage:` in the
 * spec file (only that value changes; the file is replaced whole, and only if it still holds what was
 * read), then writes the output folder as synth does, and returns the kubectl commands that move the
 * cluster there. A move the plan does not offer is a SpecError naming the app's stage and why;
 * nothing is written.
 */
export async function move(options: MoveOptions): Promise<MoveOutcome> {
  const { config, output } = options;
  plainPath(optionName(options, 'output'), output);
  // What synth would refuse of the output folder stops the move before the spec changes.
  const problem = outputFolderProblem(output, config);
  if (problem) throw new UsageError(problem);
  const read = readSpecFile(config);
  const moved = moveInSpec(read, config, options.app, options.to, options.command);
  replaceFileContent(config, moved.text, read);
  let written: SynthWritten;
  try {
    written = await synth({ ...options, check: false }) as SynthWritten;
  } catch (error) {
    // The spec has moved: say so, whatever stopped the files, keeping the error's kind.
    if (error instanceof Error) error.message = `${config} now sets ${moved.app}'s stage to ${moved.to}, but its files were not written: ${error.message}`;
    throw error;
  }
  const { apps } = parseSpec(moved.text, config);
  const { spec, plan } = apps.find((app) => app.spec.name === moved.app)!;
  const rollback = stageCommands(spec, plan, plan.stages.find((stage) => stage.name === ROLLBACK_STAGE)!, output);
  const outcome = { ...moved, synth: written, commands: stageCommands(spec, plan, plan.current, output), rollback };
  if (!options.apply) return outcome;
  const run = spawnSync('sh', ['-c', stageScript(spec, plan, plan.current, output)], { stdio: 'inherit' });
  if (run.error) throw new UsageError(`cannot run sh to apply the move: ${run.error.message}`);
  return { ...outcome, applied: run.status ?? 1 };
}
