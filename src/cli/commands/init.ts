import type { Io } from '../io';
import { FLAGS, type Values } from '../options';

/** `init`: a starter spec, never over an existing file. */
export async function init(values: Values, _args: readonly string[], io: Io): Promise<number> {
  const { writeStarterSpec } = await import('../../engine/init');
  const { shellQuote } = await import('../../engine/kubectl-steps');
  const { config, name } = values;
  writeStarterSpec(config, { name, namespace: values.namespace ?? name, image: values.image, port: Number(values.port) }, { optionNames: FLAGS });
  io.out(`init: wrote ${config} for app ${name}; next: npx cdk8s-canary synth${config === 'canary.yaml' ? '' : ` -c ${shellQuote(config)}`}`);
  return 0;
}
