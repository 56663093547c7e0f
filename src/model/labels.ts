import type { Colour } from '../spec/types';

/**
 * The label scheme. The Service selects only `app`; each Deployment selects `app` and `track`, so the
 * two Deployments never claim each other's pods. Nothing here depends on a construct path or on a
 * stage, so selectors and pod templates stay the same from one stage to the next.
 */

/** The label the Service selects, shared by both tracks. */
const APP_LABEL = 'app';
/** The label that tells the tracks apart. */
export const TRACK_LABEL = 'track';
/** The recommended label for an object's role; route objects carry `router`, so kubectl can apply them on their own. */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const ROUTER_COMPONENT = 'router';
/** The component of the verification gate's objects: kubectl applies them on their own, after the stage. */
export const VERIFY_COMPONENT = 'verify';
/** The component of the endpoint check's objects, which Argo CD runs: the plan's kubectl steps check from the shell and never apply them. */
export const ENDPOINT_CHECK_COMPONENT = 'endpoint-check';
/** The component of a wave guard's objects, in Argo CD's namespace. */
export const WAVE_GUARD_COMPONENT = 'wave-guard';
/** Tells the gate's two Jobs apart (`smoke`, before the route moves; `analysis`, after the stage), so kubectl applies each on its own. */
export const CHECK_LABEL = 'cdk8s-canary/check';
/**
 * The component of a track's ConfigMap, and the label that names it by track and content hash
 * (`stable-0123456789`, shorter than its name, which may pass a label's 63 characters), so that
 * `plan`'s clean-up command can keep the ones a stage uses.
 */
export const CONFIG_COMPONENT = 'config';
export const CONFIG_LABEL = 'cdk8s-canary/config';

/** A track's ConfigMap as CONFIG_LABEL names it. */
export function configLabel(track: Track, hash: string): string {
  return `${track}-${hash}`;
}
/** Marks objects this tool manages, for label-scoped kubectl commands. */
const MANAGED_BY = 'cdk8s-canary';

export type Track = 'stable' | 'canary';
/** The baseline track's label value: stable's pods, started with the canary (verify.baseline). */
export const BASELINE = 'baseline' as const;
/** A track label's value: a track, or the baseline track. */
export type TrackLabel = Track | typeof BASELINE;
/** The value of a track's pods' track label: its track's, or under blue/green its colour. */
export type TrackValue = TrackLabel | Colour;
/** Both tracks, stable first. */
export const TRACKS: readonly Track[] = ['stable', 'canary'];

/** The component of a StatefulSet app's revert Job, which Argo CD runs at rollback: the plan's kubectl steps revert from the shell. */
export const REVERT_COMPONENT = 'revert';
/** The component of a blue/green app's drain Job, which Argo CD runs: the plan's kubectl steps wait from the shell. */
export const DRAIN_COMPONENT = 'drain';

/** The Service's selector: both tracks' pods. */
export function serviceSelector(appLabel: string): Record<string, string> {
  return { [APP_LABEL]: appLabel };
}

/** A Deployment's selector: its own track's pods only. */
export function trackSelector(appLabel: string, track: TrackValue): Record<string, string> {
  return { [APP_LABEL]: appLabel, [TRACK_LABEL]: track };
}

/** The labels that scope a kubectl command to one app's objects. */
export function appScopeLabels(appName: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': appName, 'app.kubernetes.io/managed-by': MANAGED_BY };
}

/** Labels on every object of an app (`app.kubernetes.io/instance` scopes teardown to it). */
export function objectLabels(appName: string, appLabel: string): Record<string, string> {
  return { 'app.kubernetes.io/name': appLabel, ...appScopeLabels(appName) };
}

/**
 * Labels on a track's pod template: the template's own, the recommended labels where it has none
 * (a chart's `app.kubernetes.io/*` stay, as its Service, NetworkPolicies and PodMonitors select them),
 * and the track's selector over all. A StatefulSet's pods (`track` undefined) carry no track label:
 * one StatefulSet runs both tracks, and a label that changed at `finish` would restart every pod.
 */
export function podLabels(appName: string, appLabel: string, track: TrackValue | undefined, given: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...objectLabels(appName, appLabel), ...given, ...(track === undefined ? serviceSelector(appLabel) : trackSelector(appLabel, track)) };
}

/** The label whose value a template's pods keep as the app's `appLabel`, where the spec gives none. */
export function givenAppLabel(labels: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = labels?.[APP_LABEL];
  return typeof value === 'string' ? value : undefined;
}

/** A selector as kubectl's `-l` argument. */
export function selectorArg(labels: Record<string, string>): string {
  return Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(',');
}

/** Argo CD's sync wave annotation: lower waves are applied, and healthy, before higher ones. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
/** Argo CD's per-object sync options. */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
/** Where Pod Security admission reads the level a Namespace enforces. */
export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
