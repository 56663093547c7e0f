import { count, progressReporter, warn, type Io } from '../io';
import { FLAGS, type Values } from '../options';
import { plan } from './plan';

/** `synth`: renders every app and writes its files, or with `--check` compares them; `--plan` then prints the plan. */
export async function synth(values: Values, _args: readonly string[], io: Io): Promise<number> {
  const started = Date.now();
  const { config, output } = values;
  const { synth: run } = await import('../../engine/synth');
  const result = await run({
    config, output, check: values.check, takeOver: values['take-over'],
    onWarning: warn(io), optionNames: FLAGS,
    onProgress: io.interactive ? progressReporter(io.progress, started) : undefined,
  });
  if (io.interactive && Date.now() - started >= 1000) io.progress('');
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  const apps = count(result.apps, 'app');
  if (result.check) {
    if (result.report.length) {
      // The details and what they add up to, on one stream.
      for (const line of result.report) io.err(line);
      io.err(`check: ${output} is out of date with ${config} (${count(result.report.length, 'file')}); run cdk8s-canary synth`);
      return 1;
    }
    io.out(`check: ${apps}, ${count(result.files, 'file')} up to date in ${output} (${seconds} s)`);
  } else {
    io.out(`synth: ${apps}, ${count(result.written, 'file')} written, ${result.unchanged} unchanged, ${result.removed} removed, in ${seconds} s (${output})`);
  }
  return values.plan ? await plan({ ...values, json: false }, [], { ...io, err: () => undefined }) : 0;
}
