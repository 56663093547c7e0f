import type { MoveRequest } from '../../model/moves';
import { count, warn, type Io } from '../io';
import { FLAGS, type Values } from '../options';

/** Runs a move and prints what changed and the commands that move the cluster there. */
async function run(command: string, values: Values, app: string | undefined, to: MoveRequest, io: Io): Promise<number> {
  const { move } = await import('../../engine/move');
  const done = await move({ config: values.config, output: values.output, app, to, command, onWarning: warn(io), optionNames: FLAGS });
  const { written, unchanged, removed } = done.synth;
  io.out(`${command}: ${done.app} moves from ${done.from} to ${done.to} (${values.config}: stage: ${done.to}; ${count(written, 'file')} written, ${unchanged} unchanged, ${removed} removed in ${values.output})`);
  io.out(`apply ${done.to}, or commit and let Argo CD sync ${done.app}'s current/:`);
  // One step a line, continued with a backslash: the lines paste as one shell command.
  done.commands.forEach((step, i) => io.out(`  ${i === 0 ? '' : '&& '}${step}${i < done.commands.length - 1 ? ' \\' : ''}`));
  return 0;
}

/** `next [APP]`: on to the plan's next stage. */
export const next = (values: Values, [app]: readonly string[], io: Io) => run('next', values, app, 'next', io);

/** `rollback [APP]`: back to the rollback stage. */
export const rollback = (values: Values, [app]: readonly string[], io: Io) => run('rollback', values, app, 'rollback', io);

/** `stage APP NAME`: to a stage by name, where the plan offers that move. */
export const stage = (values: Values, [app, name]: readonly string[], io: Io) => run('stage', values, app, { stage: name }, io);
