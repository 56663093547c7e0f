import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckRunner } from '../model/gate';

/*
 * The code the stage files' Jobs run: plain JavaScript files of the package, in verify/. The gate's
 * (run-checks.js, which `verify` also runs here), the endpoint check's (check-endpoints.js), the
 * wave guard's (check-waves.js) and a StatefulSet's revert (revert-pods.js); the last three use the
 * API server through kube-api.js. ConfigMaps
 * carry their text; this module is the only one that knows where they are.
 */

const CODE = { gate: 'run-checks.js', endpoints: 'check-endpoints.js', waves: 'check-waves.js', revert: 'revert-pods.js' } as const;
type Code = keyof typeof CODE;
const KUBE_API = 'kube-api.js';

const codePath = (file: string) => join(__dirname, '..', '..', 'verify', file);
const texts = new Map<string, string>();
const text = (file: string) => {
  if (!texts.has(file)) texts.set(file, readFileSync(codePath(file), 'utf8'));
  return texts.get(file)!;
};

/** A Job's code: the file it runs, and every file its ConfigMap holds, by name (the one it runs, and what that one requires). */
export function checkCode(code: Code): { readonly fileName: string; readonly files: Readonly<Record<string, string>> } {
  const fileName = CODE[code];
  return { fileName, files: code === 'gate' ? { [fileName]: text(fileName) } : { [fileName]: text(fileName), [KUBE_API]: text(KUBE_API) } };
}

/** The gate's check code, loaded to run in this process. */
export function checkRunner(): CheckRunner {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(codePath(CODE.gate)) as CheckRunner;
}
