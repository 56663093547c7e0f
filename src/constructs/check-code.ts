import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckRunner } from '../model/gate';

/*
 * The gate's check code: one plain JavaScript file of the package, verify/run-checks.js. The gate's
 * ConfigMap carries its text, the input stamp its hash, and `verify` runs it here; this module is the
 * only one that knows where it is.
 */

const CHECK_CODE_PATH = join(__dirname, '..', '..', 'verify', 'run-checks.js');

let text: string | undefined;
let hash: string | undefined;

/** The check code's text, read once. */
export function checkCodeText(): string {
  text ??= readFileSync(CHECK_CODE_PATH, 'utf8');
  return text;
}

/** The SHA-256 of the check code, in hex. */
export function checkCodeHash(): string {
  hash ??= createHash('sha256').update(checkCodeText()).digest('hex');
  return hash;
}

/** The check code, loaded to run in this process. */
export function checkRunner(): CheckRunner {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(CHECK_CODE_PATH) as CheckRunner;
}
