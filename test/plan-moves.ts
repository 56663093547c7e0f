/**
 * Every move an app's plan offers, with the stage files before and after and the plan's kubectl
 * steps: what the transition simulator (test/moves.test.ts) and the control plane
 * (test-cluster/moves.ts) each run.
 */
import { finishedApp } from '../src/engine/finish';
import { stageFile, stageSteps, type KubectlStep } from '../src/engine/kubectl-steps';
import { baselineName } from '../src/model/gate';
import { stageMoves, type StageMove } from '../src/model/moves';
import type { Track, TrackLabel } from '../src/model/labels';
import { routeWeights } from '../src/model/routing';
import type { ResolvedStage } from '../src/model/stage';
import { CompareTrack, type AppSpec } from '../src/spec/types';
import { renderOne, resolveOne } from './stage-files';

/** What a move's watcher needs of the app: where it runs, what selects and runs its pods, and each track's full size. */
export interface AppShape {
  readonly namespace: string;
  /** The Service that selects both tracks. */
  readonly service: string;
  /** Each track's Deployment name (its pods' names start with it), the baseline track's where the app runs one, and each track's full size. */
  readonly deployments: Record<Track, string> & { readonly baseline?: string };
  readonly sizes: Record<Track, number>;
}

/** What a stage gives each lane: its route's weight (percent; none without a router), and its pods. */
export interface StageTraffic {
  readonly weights?: Record<TrackLabel, number>;
  readonly counts: Record<TrackLabel, number>;
}

function trafficOf(stage: ResolvedStage): StageTraffic {
  return {
    ...(stage.canaryWeight === undefined ? {} : { weights: routeWeights(stage.canaryWeight, stage.baselineWeight) }),
    counts: { stable: stage.stableReplicas, canary: stage.canaryReplicas, baseline: stage.baselineReplicas ?? 0 },
  };
}

export interface Move {
  readonly label: string;
  readonly kind: StageMove['kind'];
  readonly from: string;
  readonly to: string;
  readonly steps: KubectlStep[];
  readonly paths: ReadonlyMap<string, string>;
  readonly shape: AppShape;
  /** What the stage the move starts from and the one it goes to give each lane. */
  readonly traffic: { readonly from: StageTraffic; readonly to: StageTraffic };
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
    deployments: { stable: spec.stable.name, canary: spec.canary.name, ...(spec.verify?.baseline ? { baseline: baselineName(spec) } : {}) },
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
      traffic: { from: trafficOf(move.from), to: trafficOf(to) },
    };
  });
}

/**
 * The app with a baseline track beside the canary (stable's pods, with the canary's count and
 * weight), compared by a Prometheus query: `<name>-baseline` in namespace `<name>`. The plans of the
 * examples run none.
 */
export function withBaselineTrack(app: AppSpec, name: string): AppSpec {
  return {
    ...app, name, namespace: name,
    verify: { baseline: true, prometheus: { url: 'http://prometheus:9090', queries: [{ name: 'latency', query: 'q{track="$track"}', compare: CompareTrack.BASELINE }] } },
  };
}

