import type { Io } from '../io';
import type { Values } from '../options';

/** `finish APP`: ends a promoted release in the spec file. */
export async function finish(values: Values, [app]: readonly string[], io: Io): Promise<number> {
  const { finish: run } = await import('../../engine/finish');
  const { stage, active } = run(values.config, app);
  const colour = active ? `, and ${active} is its active colour` : '';
  io.out(`finish: ${app} now runs its canary's image and config on stable${colour}, at stage ${stage}; run cdk8s-canary synth, then apply ${stage}`);
  return 0;
}
