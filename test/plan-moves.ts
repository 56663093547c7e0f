/**
 * Every move an app's plan offers, with the stage files before and after and the plan's kubectl
 * steps: what the transition simulator (test/moves.test.ts) and the control plane
 * (test-cluster/moves.ts) each run.
 */
import { finishedApp } from '../src/engine/finish';
import { stageFile, stageSteps, type KubectlStep } from '../src/engine/kubectl-steps';
import { stageMoves, type StageMove } from '../src/model/moves';
import type { Track } from '../src/model/labels';
import type { AppSpec } from '../src/spec/types';
import { renderOne, resolveOne } from './stage-files';

/** What a move's watcher needs of the app: where it runs, what selects and runs its pods, and each track's full size. */
export interface AppShape {
  readonly namespace: string;
  /** The Service that selects both tracks. */
  readonly service: string;
  /** Each track's Deployment name (its pods' names start with it) and full size. */
  readonly deployments: Record<Track, string>;
  readonly sizes: Record<Track, number>;
}

export interface Move {
  readonly label: string;
  readonly kind: StageMove['kind'];
  readonly from: string;
  readonly to: string;
  readonly steps: KubectlStep[];
  readonly paths: ReadonlyMap<string, string>;
  readonly shape: AppShape;
}

/** Each stage's file of an app, by stage name, and by the path the plan's commands use. */
export function renderStages(app: AppSpec, baseDir: string) {
  const resolved = resolveOne(app, baseDir);
  const byPath = new Map(renderOne(app, baseDir).map((file) => [file.path, file.content]));
  const file = (stage: string) => byPath.get(stageFile('.', resolved.spec, resolved.plan.stages.find((s) => s.name === stage)!))!;
  return { ...resolved, byPath, file };
}

/**
 * Every move an app's plan offers, with the file before and after: at finish, the finished spec's.
 * Config files are read from `baseDir`.
 */
export function movesOf(app: AppSpec, baseDir: string): Move[] {
  const before = renderStages(app, baseDir);
  const spec = before.spec;
  const shape: AppShape = {
    namespace: spec.namespace,
    service: spec.service.name,
    deployments: { stable: spec.stable.name, canary: spec.canary.name },
    sizes: { stable: spec.stable.replicas, canary: spec.canary.replicas },
  };
  return stageMoves(before.plan.stages).map((move) => {
    const after = move.kind === 'finish' ? renderStages(finishedApp(app, move.to.name), baseDir) : before;
    const to = after.plan.stages.find((stage) => stage.name === move.to.name)!;
    return {
      label: `${app.name}: ${move.kind} ${move.from.name} -> ${move.to.name}`,
      kind: move.kind,
      from: before.file(move.from.name),
      to: after.file(move.to.name),
      steps: stageSteps(after.spec, after.plan, to, '.'),
      paths: after.byPath,
      shape,
    };
  });
}
