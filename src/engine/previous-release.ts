import { join, relative } from 'node:path';
import { readRegularBytes } from '../io/bounded-read';
import { fixedFieldProblems } from '../model/rules/stateful';
import type { ResolvedApp } from '../model/resolve';
import { stageContents } from '../model/stage-contents';
import { currentPath } from '../render/paths';
import type { Problem } from '../spec/problems';

/** The largest file of a stage read back: far above any stage's. */
const MAX_STAGE_FILE_BYTES = 16 * 1024 * 1024;

/**
 * A StatefulSet app's current file as the output folder holds it, the last written: what the cluster
 * runs, or is about to. The fields of its StatefulSet that a running one cannot change must stay
 * (see fixedFieldProblems): a spec that changes them is refused before anything is written. A file
 * that is not there, or holds no such StatefulSet, is a first release.
 */
export function previousReleaseProblems(apps: readonly ResolvedApp[], outdir: string): Problem[] {
  return apps.flatMap((app, i) => {
    const { spec } = app;
    if (!spec.statefulSet) return [];
    const path = join(outdir, currentPath(spec.name));
    let text: string;
    try {
      text = readRegularBytes(path, MAX_STAGE_FILE_BYTES).toString('utf8');
    } catch {
      return [];
    }
    // Loaded only for a StatefulSet app with a file written before.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parseAllDocuments } = require('yaml') as typeof import('yaml');
    const written = parseAllDocuments(text).map((doc) => doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown> } | null);
    const before = written.find((doc) => doc?.kind === 'StatefulSet' && doc.metadata?.name === spec.statefulSet!.name);
    if (!before) return [];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { manifestOf } = require('../constructs/manifests/stage-objects') as typeof import('../constructs/manifests/stage-objects');
    const object = stageContents(spec, false, app.plan.current).find((each) => each.role === 'stateful-set')!;
    const after = manifestOf(spec, object) as unknown as { spec: Record<string, unknown> };
    const field = ['apps', i, spec.workload.kind === 'StatefulSet' ? 'from' : 'workload'];
    return fixedFieldProblems(before, after, field, relative(process.cwd(), path) || path);
  });
}
