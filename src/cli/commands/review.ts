import { warn, type Io } from '../io';
import { FLAGS, type Values } from '../options';

/** `review [APP...]`: the release against a git revision, as markdown for a pull request; `--charts` draws each app. */
export async function review(values: Values, names: readonly string[], io: Io): Promise<number> {
  const engine = await import('../../engine/review');
  const result = await engine.review({
    config: values.config, output: values.output, base: values.base, apps: names, charts: values.charts, onWarning: warn(io), optionNames: FLAGS,
  });
  engine.writeCharts(result.charts);
  io.out(result.markdown.trimEnd());
  return 0;
}
