import { createHash, type Hash } from 'node:crypto';
import { checkCodeHash } from '../constructs/check-code';
import { HEADER_END } from '../io/header';
import type { ResolvedApp } from '../model/resolve';
import { appFiles } from './paths';

/*
 * The input stamp: one header line, `# input: <sha256>`, that says what a generated file was made
 * from. The hash covers the tool's version, the spec's path as the file records it, the resolved app
 * (every value its render reads, all but which stage is current), the Jobs' code where the app has a gate
 * or an endpoint check, the stage the file holds, and the file's own bytes without this line. A file whose
 * stamp verifies is what a render of the same app would write, byte for byte, so a run need not
 * render it again; a file edited by hand, or made from other inputs, does not verify.
 * Kept apart from render so that checking stamps loads no render code.
 */

const STAMP_PREFIX = '# input: ';

let toolVersion: string | undefined;

/** The tool's version: files of another version are rendered again. */
function version(): string {
  toolVersion ??= (require('../../package.json') as { version: string }).version;
  return toolVersion;
}

/**
 * What one app's files are made from, apart from the stage: the same for each of its files. The
 * resolved app is plain data (the resolve step's output), so its JSON holds every value it carries.
 */
export function appInput(app: ResolvedApp, specPath: string | undefined): string {
  const { spec: { stage: _current, ...spec }, plan: { stages }, createsNamespace } = app;
  // Which stage is current is left out: no stage's file depends on it, so moving `stage:` changes
  // only current/, whose stamp still names its stage (each file's digest takes its stage's name).
  // The gate's and the endpoint check's ConfigMaps carry their code, files of the package, not of the spec.
  const code = [spec.verify ? checkCodeHash('gate') : null, spec.endpointCheck ? checkCodeHash('endpoints') : null];
  return JSON.stringify([`cdk8s-canary ${version()}`, specPath ?? null, spec, stages, createsNamespace, ...code]);
}

/** An app's input (appInput) hashed once: each of its files' stamps is taken on from a copy. */
export function hashedInput(input: string): Hash {
  return createHash('sha256').update(input).update('\0');
}

/** The hash of the inputs and the file's text: `parts` are the text's pieces, in order, without the stamp line. */
function digest(input: Hash, stage: string, ...parts: (string | Uint8Array)[]): string {
  const hash = input.copy().update(stage).update('\0');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

/** `content`, a rendered file of stage `stage`, with its stamp line added at the end of its header. */
export function stamped(content: string, input: Hash, stage: string): string {
  const end = content.indexOf(HEADER_END);
  if (end < 0) throw new Error('stamp: a generated file without a header');
  const line = `${STAMP_PREFIX}${digest(input, stage, content)}`;
  return `${content.slice(0, end + 1)}${line}${content.slice(end)}`;
}

/**
 * Whether `bytes` are a file of stage `stage` made from `input`, as its stamp says, and unedited since.
 * Read as bytes: a file that verifies is never decoded.
 */
export function verifies(bytes: Buffer, input: Hash, stage: string): boolean {
  const end = bytes.indexOf(HEADER_END);
  if (end < 0) return false;
  const start = bytes.lastIndexOf(`\n${STAMP_PREFIX}`, end);
  if (start < 0) return false;
  const hash = bytes.toString('latin1', start + 1 + STAMP_PREFIX.length, end);
  if (hash.length !== 64) return false;
  return digest(input, stage, bytes.subarray(0, start), bytes.subarray(end)) === hash;
}

/**
 * Whether every file of `app` is on disk as a render would write it: `found` gives a generated file's
 * bytes by path, or undefined.
 */
export function appUpToDate(app: ResolvedApp, specPath: string | undefined, found: (path: string) => Buffer | undefined): boolean {
  const files = appFiles(app.spec.name, app.plan).map((file) => ({ ...file, bytes: found(file.path) }));
  // A file missing (a first run, a new app): known without making the input.
  if (files.some((file) => file.bytes === undefined)) return false;
  const input = hashedInput(appInput(app, specPath));
  return files.every(({ bytes, stage }) => verifies(bytes!, input, stage.name));
}
