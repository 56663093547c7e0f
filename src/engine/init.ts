import { writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SpecError, type SpecPath } from '../spec/problems';
import { optionName, plainPath, UsageError, type OptionNaming } from './errors';
import { parseSpec } from './load';
import { starterSpec, type StarterOptions } from './starter-spec';

/**
 * Writes a starter spec to `config`, never over an existing file. The options are checked as the spec
 * they make: a bad one is a SpecError that names the option, and nothing is written.
 */
export function writeStarterSpec(config: string, options: StarterOptions, naming: OptionNaming = {}): void {
  plainPath(optionName(naming, 'config'), config);
  // The schema this installed package ships, from where the spec is.
  let schema = relative(dirname(resolve(config)), join(__dirname, '..', '..', 'schema', 'canary-spec.schema.json')).split(sep).join('/');
  if (!schema.startsWith('.') && !schema.startsWith('/')) schema = `./${schema}`;
  // The modeline is one comment line: a folder name with a line break is written as a URI escape.
  schema = schema.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => encodeURIComponent(c));
  const text = starterSpec(options, schema);
  try {
    parseSpec(text, config);
  } catch (error) {
    // The options are at fault, not a file: none was written.
    if (!(error instanceof SpecError)) throw error;
    const option = (path: SpecPath) => {
      const field = String(path.at(-1));
      return Object.hasOwn(options, field) ? optionName(naming, field) : 'the options:';
    };
    const lines = [...new Set(error.problems.map((problem) => `${option(problem.path)} ${problem.message}`))];
    throw new SpecError(lines.map((line) => ({ path: [], message: `init wrote nothing: ${line}` })));
  }
  try {
    writeFileSync(config, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${config} exists already; init never replaces a file: give another with ${optionName(naming, 'config')}`);
    throw error;
  }
}
