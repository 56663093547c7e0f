import { Colour, type StageSpec } from '../spec/types';
import { BASELINE, type Track, type TrackLabel, type TrackValue } from './labels';
import type { ResolvedAppSpec } from './resolved';
import type { ResolvedStage } from './stage';

/*
 * Blue/green as data. Two Deployments, `<app>-blue` and `<app>-green`, each selecting its colour's
 * pods (`track: blue`, `track: green`): selectors never change, so the colours can trade roles at
 * `finish`. Within a release the active colour is the stable track and the other the canary; the
 * Service selects the stable colour until the switch and the canary's from it on, and the preview
 * Service the other colour: the new one up to the switch (whose file changes the Service alone), the
 * old one from the drain on, so it lists no endpoint between releases.
 */

/** A blue/green release's stages, in order; the plan adds `rollback` as for a canary. */
export const BLUE_GREEN_STAGE = { steady: 'steady', preview: 'preview', scale: 'scale', switch: 'switch', drain: 'drain', retire: 'retire' } as const;
const SWITCHED: readonly string[] = [BLUE_GREEN_STAGE.switch, BLUE_GREEN_STAGE.drain, BLUE_GREEN_STAGE.retire];
/** The stages the gate checks the new colour in: through its preview Service, before and at the switch. */
const GATED: readonly string[] = [BLUE_GREEN_STAGE.preview, BLUE_GREEN_STAGE.scale, BLUE_GREEN_STAGE.switch];

/** blue -> green, green -> blue */
export function otherColour(colour: Colour): Colour {
  return colour === Colour.BLUE ? Colour.GREEN : Colour.BLUE;
}

/**
 * A blue/green release of an app of `size` pods, `preview` of them at the preview stage. Only the
 * switch moves traffic; every other stage changes one colour's count.
 *
 *   size 3, preview 1: steady (3, 0), preview (3, 1), scale (3, 3), switch (3, 3), drain (3, 3), retire (0, 3)
 */
export function blueGreenStages(size: number, preview: number): StageSpec[] {
  const { steady, scale, drain, retire } = BLUE_GREEN_STAGE;
  return [
    { name: steady, stableReplicas: size, canaryReplicas: 0 },
    { name: BLUE_GREEN_STAGE.preview, stableReplicas: size, canaryReplicas: preview },
    { name: scale, stableReplicas: size, canaryReplicas: size },
    { name: BLUE_GREEN_STAGE.switch, stableReplicas: size, canaryReplicas: size },
    { name: drain, stableReplicas: size, canaryReplicas: size },
    { name: retire, stableReplicas: 0, canaryReplicas: size },
  ];
}

/** The track whose pods the Service selects at a blue/green stage: the canary's from the switch on (rollback: stable). */
export function activeTrack(stage: string): Track {
  return SWITCHED.includes(stage) ? 'canary' : 'stable';
}

/**
 * The track the preview Service selects at a blue/green stage: the one the Service does not, but at
 * the switch, which moves the Service alone. That the drain's file differs from the switch's also
 * makes Argo CD sync it, and run its hook.
 *
 *   steady, preview, scale, switch, rollback: canary;  drain, retire: stable
 */
export function previewTrack(stage: ResolvedStage): Track {
  return stage.active === 'canary' && stage.name !== BLUE_GREEN_STAGE.switch ? 'stable' : 'canary';
}

/** Whether the gate checks the new colour at a blue/green stage. */
export function isBlueGreenGated(stage: ResolvedStage): boolean {
  return GATED.includes(stage.name) && stage.canaryReplicas > 0;
}

/** Whether a stage is the drain: the old colour kept `scaleDownDelaySeconds` after the switch. */
export function isDrain(app: ResolvedAppSpec, stage: ResolvedStage): boolean {
  return app.blueGreen !== undefined && stage.name === BLUE_GREEN_STAGE.drain;
}

/** The track label's value on a lane's pods: under blue/green a track's colour, else the lane's own. */
export function laneLabel(app: ResolvedAppSpec, lane: TrackLabel): TrackValue {
  if (!app.blueGreen || lane === BASELINE) return lane;
  return lane === 'stable' ? app.blueGreen.active : app.blueGreen.preview;
}

/** The Service that selects the new colour's pods: `web` -> `web-preview`. */
export function previewServiceName(service: string): string {
  return `${service}-preview`;
}

/** The Job of the drain stage: it holds the sync `scaleDownDelaySeconds`. */
export function drainJobName(app: string): string {
  return `${app}-drain`;
}

/**
 * Why a blue/green release cannot roll back from `stage`, if it cannot: after retire the old colour
 * runs no pods, so the Service would be switched to none.
 */
export function noRollback(stage: ResolvedStage): string | undefined {
  if (stage.active !== 'canary' || stage.stableReplicas > 0) return undefined;
  return `at ${stage.name} the old colour runs no pods, so a rollback would switch the Service to pods that are not there yet: `
    + '`finish` the release, then release the old version as the next one';
}
