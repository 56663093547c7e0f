import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckRunner } from '../model/gate';

/*
 * The code the stage files' Jobs run: plain JavaScript files of the package, in verify/. The gate's
 * (run-checks.js, which `verify` also runs here) and the endpoint check's (check-endpoints.js).
 * ConfigMaps carry their text; this module is the only one that knows where they are.
 */

const CODE = { gate: 'run-checks.js', endpoints: 'check-endpoints.js' } as const;
type Code = keyof typeof CODE;

const codePath = (code: Code) => join(__dirname, '..', '..', 'verify', CODE[code]);
const texts = new Map<Code, string>();

/** A Job's code: its file name, and its text, read once. */
export function checkCode(code: Code): { readonly fileName: string; readonly text: string } {
  if (!texts.has(code)) texts.set(code, readFileSync(codePath(code), 'utf8'));
  return { fileName: CODE[code], text: texts.get(code)! };
}

/** The gate's check code, loaded to run in this process. */
export function checkRunner(): CheckRunner {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(codePath('gate')) as CheckRunner;
}
