// `--check`: the output folder compared with what the spec renders, touching nothing.
import { realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderedFile } from './header';
import { changesFor } from './changes';
import type { Ownership } from './ownership';
import { changed, generatedReader, scan } from './scan';

/** A short unified diff of a stale file: what synth would change. */
function shortDiff(path: string, before: string, after: string, maxLines = 40): string {
  // Loaded only for a stale file: a run that finds none does without it.
  const { createTwoFilesPatch } = require('diff') as typeof import('diff');
  const lines = createTwoFilesPatch(`${path} (on disk)`, `${path} (from the spec)`, before, after, undefined, undefined, { context: 2 })
    .split('\n').filter((line) => line !== '' && !line.startsWith('=====') && line !== '\\ No newline at end of file');
  const shown = lines.slice(0, maxLines);
  if (lines.length > maxLines) shown.push(`... ${lines.length - maxLines} more diff lines`);
  return shown.map((line) => `    ${line}`).join('\n');
}

/**
 * What `outdir` lacks, holds in excess or holds in conflict, compared with `files`, a render of every
 * app: one entry per file (a stale one with a short diff), empty when in sync. Every file is compared
 * byte for byte, whatever its header says. Writes nothing;
 * reads only regular files of bounded size, without following links.
 */
export function checkOutput(outdir: string, files: readonly RenderedFile[], ownership: Ownership): string[] {
  // In the folder's order, as a listing of it shows the files.
  const inOrder = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let root: string;
  try {
    root = realpathSync(outdir);
    if (!statSync(root).isDirectory()) return [`not a folder: ${outdir}`];
  } catch {
    return inOrder.map((file) => `missing: ${join(outdir, file.path)}`);
  }
  const found = scan(root, ownership.layout);
  const bytes = generatedReader(root, found, new Map(found.folders));
  const changes = changesFor(root, found, files.map((file) => file.path), { ...ownership, takeOver: false });
  const report = changes.problems.map((problem) => `conflict: ${problem}`);
  for (const file of inOrder.filter((each) => changes.writable.has(each.path))) {
    if (!changed(found, file, () => bytes(file.path))) continue;
    const entry = found.entries.get(file.path);
    if (entry?.kind !== 'generated') report.push(`missing: ${join(outdir, file.path)}`);
    else report.push(`stale: ${join(outdir, file.path)}\n${shortDiff(file.path, bytes(file.path)?.toString('utf8') ?? '', file.content)}`);
  }
  for (const path of changes.remove) report.push(`not in the spec: ${join(outdir, path)}`);
  return report;
}
