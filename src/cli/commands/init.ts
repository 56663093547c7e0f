import { STARTER_DEFAULTS } from '../../engine/starter-spec';
import { UsageError } from '../../engine/errors';
import type { Io } from '../io';
import { FLAGS, type Values } from '../options';

/** `init`: a starter spec, or one for a running app from its manifests (`--from`), never over an existing file. */
export async function init(values: Values, _args: readonly string[], io: Io): Promise<number> {
  const engine = await import('../../engine/init');
  const { shellQuote } = await import('../../engine/kubectl-steps');
  const { config } = values;
  let name: string;
  let note = '';
  if (values.from !== undefined) {
    const given = (['image', 'port'] as const).filter((option) => values[option] !== undefined);
    if (given.length) throw new UsageError(`--${given[0]} does not go with --from: the manifests say what the app runs`);
    const written = engine.writeSpecFromManifest(config, { from: values.from, name: values.name, namespace: values.namespace, container: values.container }, { optionNames: FLAGS });
    name = written.name;
    if (written.securityProfile) note = ` (securityProfile: ${written.securityProfile}: its pod template breaks the restricted level)`;
  } else {
    if (values.container !== undefined) throw new UsageError('--container goes with --from: a new app has one container');
    name = values.name ?? STARTER_DEFAULTS.name;
    const port = Number(values.port ?? STARTER_DEFAULTS.port);
    engine.writeStarterSpec(config, { name, namespace: values.namespace ?? name, image: values.image ?? STARTER_DEFAULTS.image, port }, { optionNames: FLAGS });
  }
  io.out(`init: wrote ${config} for app ${name}${note}; next: npx cdk8s-canary synth${config === 'canary.yaml' ? '' : ` -c ${shellQuote(config)}`}`);
  return 0;
}
