import type { MoveRequest } from '../../model/moves';
import { count, warn, type Io } from '../io';
import { FLAGS, type Values } from '../options';

/** Runs a move and prints what changed and the commands that move the cluster there. */
async function run(command: string, values: Values, app: string | undefined, to: MoveRequest, io: Io): Promise<number> {
  const { move } = await import('../../engine/move');
  const done = await move({ config: values.config, output: values.output, app, to, command, apply: values.apply, onWarning: warn(io), optionNames: FLAGS });
  const { written, unchanged, removed } = done.synth;
  io.out(`${command}: ${done.app} moves from ${done.from} to ${done.to} (${values.config}: stage: ${done.to}; ${count(written, 'file')} written, ${unchanged} unchanged, ${removed} removed in ${values.output})`);
  if (done.applied === undefined) {
    io.out(`apply ${done.to}, or commit and let Argo CD sync ${done.app}'s current/:`);
    pasteable(done.commands).forEach((line) => io.out(line));
    return 0;
  }
  if (done.applied === 0) {
    io.out(`${command}: ${done.app} is at ${done.to} on the cluster`);
    return 0;
  }
  io.err(`${command}: a step of the move to ${done.to} failed (exit ${done.applied}); none after it ran. To go back: cdk8s-canary rollback ${done.app} --apply, or these steps:`);
  pasteable(done.rollback).forEach((line) => io.err(line));
  return 1;
}

/** One step a line, continued with a backslash: the lines paste as one shell command. */
function pasteable(commands: readonly string[]): string[] {
  return commands.map((step, i) => `  ${i === 0 ? '' : '&& '}${step}${i < commands.length - 1 ? ' \\' : ''}`);
}

/** `next [APP]`: on to the plan's next stage. */
export const next = (values: Values, [app]: readonly string[], io: Io) => run('next', values, app, 'next', io);

/** `rollback [APP]`: back to the rollback stage. */
export const rollback = (values: Values, [app]: readonly string[], io: Io) => run('rollback', values, app, 'rollback', io);

/** `stage APP NAME`: to a stage by name, where the plan offers that move. */
export const stage = (values: Values, [app, name]: readonly string[], io: Io) => run('stage', values, app, { stage: name }, io);
