import { noRollback } from './blue-green';
import { ROLLBACK_STAGE, type ResolvedStage, type TrackWaves } from './stage';

/* The moves between stages a plan offers, and the sync waves that keep ready capacity through them. */

/**
 * Argo CD applies a wave, waits until it is healthy, then applies the next. A track that grows in a
 * move goes first; then the endpoint check's Job (a Sync hook, which stops the sync when it fails)
 * waits until its pods are ready endpoints, since a Deployment is healthy before they are; then,
 * where the stage gives the canary more traffic, the smoke check's Job; then the routes move
 * traffic; and a track that shrinks goes last, so ready capacity never drops and no traffic moves to
 * pods that are not ready endpoints or to a canary that fails its smoke check. Objects every stage
 * shares (Namespace, Services, the check's access) stay in wave 0.
 */
export const SYNC_WAVE = { grow: 1, endpoints: 2, smoke: 3, route: 4, shrink: 5, gate: 6 } as const;

/**
 * A move the plan offers: on to the next stage, from any stage back to `rollback`, or, at `finish`,
 * from a stage with all traffic on the canary to the finish stage, where stable runs the canary's
 * version (its pod template changes, so its pods start from none).
 */
export interface StageMove {
  readonly kind: 'next' | 'rollback' | 'finish';
  readonly from: ResolvedStage;
  readonly to: ResolvedStage;
}

/**
 * The stage a release ends in at `finish`: the first stage of the plan that runs no canary pods
 * (the default plan's `baseline`). Undefined when the plan has none, so a release cannot end cleanly.
 */
export function finishStage(stages: readonly ResolvedStage[]): ResolvedStage | undefined {
  return stages.find((stage) => stage.name !== ROLLBACK_STAGE && stage.canaryReplicas === 0);
}

/**
 * Every move the plan offers, in order: each stage to the next, each stage to rollback, and each
 * stage with 0 stable replicas (where `finish` is allowed) to the finish stage.
 *
 *   baseline (3, 0), canary (3, 1), expand (3, 3), promote (0, 3), rollback (3, 0):
 *   next: baseline -> canary -> expand -> promote; rollback: from each of the four;
 *   finish: promote -> baseline
 *   blue/green: no rollback from retire, where the old colour runs no pods (see noRollback)
 */
export function stageMoves(stages: readonly ResolvedStage[]): StageMove[] {
  const plan = stages.filter((stage) => stage.name !== ROLLBACK_STAGE);
  const rollback = stages.find((stage) => stage.name === ROLLBACK_STAGE)!;
  const end = finishStage(stages);
  return [
    ...plan.slice(1).map((to, i) => ({ kind: 'next' as const, from: plan[i], to })),
    ...plan.filter((from) => !noRollback(from)).map((from) => ({ kind: 'rollback' as const, from, to: rollback })),
    ...(end ? plan.filter((from) => from.stableReplicas === 0).map((from) => ({ kind: 'finish' as const, from, to: end })) : []),
  ];
}

/** Stable replicas before a move: at `finish` stable's pods restart on the new version, from none. */
function stableBefore(move: StageMove): number {
  return move.kind === 'finish' ? 0 : move.from.stableReplicas;
}

/**
 * The sync waves of each stage's file: a track that grows in any move into the stage is in the grow
 * wave, else in the shrink wave. No move grows one track while another move into the same stage
 * shrinks it and grows the other (the finish stage and rollback run no canary), so one file serves
 * every move into it.
 *
 *   canary (3, 1) after baseline (3, 0): canary grows -> canary 1, stable 3
 *   rollback (3, 0) after promote (0, 3): stable grows -> stable 1, canary 3
 */
export function syncWaves(stage: ResolvedStage, moves: readonly StageMove[]): TrackWaves {
  const into = moves.filter((move) => move.to.name === stage.name);
  const wave = (grows: boolean) => (grows ? SYNC_WAVE.grow : SYNC_WAVE.shrink);
  return {
    stable: wave(into.some((move) => move.to.stableReplicas > stableBefore(move))),
    canary: wave(into.some((move) => move.to.canaryReplicas > move.from.canaryReplicas)),
    baseline: wave(into.some((move) => (move.to.baselineReplicas ?? 0) > (move.from.baselineReplicas ?? 0))),
  };
}

/** A move asked for from the current stage: on to the next stage, back to rollback, or to a stage by name. */
export type MoveRequest = 'next' | 'rollback' | { readonly stage: string };

/**
 * The move `request` makes from `from`, if the plan offers it, or why not: only the plan's moves
 * keep capacity (each stage file's sync waves are made for the moves into it), so a jump or a step
 * back is refused, and `finish`, which also changes stable's image, has a command of its own.
 * An unknown stage name is the caller's to report; here it is simply not offered.
 *
 *   baseline, canary, expand, promote, rollback:
 *   at canary: next -> expand; rollback -> rollback; { stage: 'promote' } -> refused (a jump)
 *   at promote: next -> refused (finish ends the release); at rollback: next -> refused
 */
export function requestedMove(stages: readonly ResolvedStage[], from: ResolvedStage, request: MoveRequest): StageMove | { readonly refused: string } {
  const moves = stageMoves(stages).filter((move) => move.from.name === from.name && move.kind !== 'finish');
  const next = moves.find((move) => move.kind === 'next');
  const finish = stageMoves(stages).find((move) => move.from.name === from.name && move.kind === 'finish');
  const ending = finish ? `: \`finish\` ends the release, moving the canary's image and config to stable at ${finish.to.name}` : '';
  const wanted = request === 'next' ? next?.to.name : request === 'rollback' ? ROLLBACK_STAGE : request.stage;
  if (wanted === from.name) return { refused: `the release is at ${from.name} already` };
  const move = moves.find((each) => each.to.name === wanted);
  if (move) return move;
  if (from.name === ROLLBACK_STAGE) {
    return { refused: `the release was rolled back, and the plan offers no move from ${ROLLBACK_STAGE}: to try again, change the canary's image or config and set stage: to ${stages[0].name} in the spec` };
  }
  const noWayBack = noRollback(from);
  if (request === 'rollback' && noWayBack) return { refused: noWayBack };
  if (wanted === undefined) return { refused: `${from.name} is the plan's last stage${ending}` };
  if (finish && wanted === finish.to.name) return { refused: `from ${from.name}, ${wanted} is where the release ends${ending}` };
  const offered = [next ? `on to ${next.to.name}` : undefined, noWayBack ? undefined : `back to ${ROLLBACK_STAGE}`].filter(Boolean).join(' or ');
  return { refused: `from ${from.name} the plan ${offered ? `moves ${offered}` : 'offers no move'}: the stage files keep capacity only through the plan's moves, so ${from.name} -> ${wanted} is not one of them${ending}` };
}
