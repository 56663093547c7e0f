import { count, warn, type Io } from '../io';
import { FLAGS, type Values } from '../options';

/** `verify APP`: the app's gate, run from here against its canary. */
export async function verify(values: Values, [app]: readonly string[], io: Io): Promise<number> {
  const { verify: run } = await import('../../engine/verify');
  const outcome = await run({
    config: values.config, app, stage: values.stage, canaryUrl: values['canary-url'], prometheus: values.prometheus,
    onWarning: warn(io), onMeasurement: io.out, optionNames: FLAGS,
  });
  for (const line of outcome.lines) io.out(line);
  const { results, verdict } = outcome;
  const failed = results.filter((result) => result.verdict === 'fail').length;
  const open = results.filter((result) => result.verdict === 'inconclusive').length;
  const where = `verify: ${app} at ${outcome.stage}`;
  io.out(verdict === 'pass' ? `${where}: all ${count(results.length, 'check')} passed`
    : verdict === 'fail' ? `${where}: ${count(failed, 'check')} of ${results.length} failed`
      : `${where}: inconclusive: ${count(open, 'check')} of ${results.length} had too few measurements with data to pass (no traffic yet?)`);
  return outcome.exitCode;
}
