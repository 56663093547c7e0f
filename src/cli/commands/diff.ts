import { warn, type Io } from '../io';
import { FLAGS, type Values } from '../options';

/** `diff [APP...]`: what changed in each app's release since a git revision, in release terms. */
export async function diff(values: Values, names: readonly string[], io: Io): Promise<number> {
  const { diff: changes } = await import('../../engine/review');
  io.out(changes({ config: values.config, base: values.base, apps: names, onWarning: warn(io), optionNames: FLAGS }));
  return 0;
}
