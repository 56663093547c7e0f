import { warn, type Io } from '../io';
import { FLAGS, type Values } from '../options';

/** `plan`: each app's stages, shares and kubectl steps, as text or JSON. */
export async function plan(values: Values, names: readonly string[], io: Io): Promise<number> {
  const { plan: report } = await import('../../engine/plan');
  io.out(await report({
    config: values.config, output: values.output, apps: names, json: values.json, script: values.script, stage: values.stage,
    onWarning: warn(io), optionNames: FLAGS,
  }));
  return 0;
}
