/** What a starter spec is made of. */
export interface StarterOptions {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly port: number;
}

/** Defaults that synthesize and run as they are: an nginx build that runs as a non-root user on 8080. */
export const STARTER_DEFAULTS = { name: 'web', image: 'nginxinc/nginx-unprivileged:1.27', port: 8080 } as const;

/** A short, commented spec for one app with no release in progress yet. */
export function starterSpec({ name, namespace, image, port }: StarterOptions, schema: string): string {
  // Loaded here: the options table reads STARTER_DEFAULTS on every command.
  const { stringify } = require('yaml') as typeof import('yaml');
  // One line each, however odd the value: quoted, never a block scalar.
  const value = (v: string | number) => stringify(v, { blockQuote: false, lineWidth: 0 }).trimEnd();
  return `# yaml-language-server: $schema=${schema}
# A canary release of one app. \`npx cdk8s-canary synth\` writes one file per stage to dist/;
# \`npx cdk8s-canary plan\` prints the stages and the kubectl commands that apply them.
apps:
  - name: ${value(name)}
    namespace: ${value(namespace)}
    createNamespace: true   # creates it, labelled with its Pod Security level; drop if it exists
    port: ${port}
    stable:
      image: ${value(image)}   # the version running now
      replicas: 3
    canary:
      image: ${value(image)}   # set the new version here to start a release
    # stages: the default plan is baseline, canary (1 pod), expand, promote; then
    # stage: canary, synth, and apply the printed commands, one stage at a time.
`;
}


/** What a spec for a running app is made of: its manifests, and what the spec says beside them. */
export interface FromManifestOptions {
  readonly name: string;
  readonly namespace: string;
  /** The manifests' path, relative to the spec. */
  readonly from: string;
  /** The app's container, where its pod template has several. */
  readonly container?: string;
  /** The image the app's container runs now. */
  readonly image: string;
  /** `baseline` where the pod template breaks the restricted level (a root user, say). @default the spec's default */
  readonly securityProfile?: 'baseline';
}

/** A short, commented spec for a running app, taken from its manifests, with no release in progress yet. */
export function specFromManifest({ name, namespace, from, container, image, securityProfile }: FromManifestOptions, schema: string): string {
  const { stringify } = require('yaml') as typeof import('yaml');
  const value = (v: string) => stringify(v, { blockQuote: false, lineWidth: 0 }).trimEnd();
  const optional = (key: string, given: string | undefined, why: string) => (given === undefined ? '' : `    ${key}: ${value(given)}   # ${why}\n`);
  return `# yaml-language-server: $schema=${schema}
# A canary release of a running app, taken from its manifests: both tracks run its pod template, and
# its Service keeps its settings. \`npx cdk8s-canary plan\` lists what the tool adds to them.
apps:
  - name: ${value(name)}
    namespace: ${value(namespace)}
    from: ${value(from)}   # its Deployment and Service; stable's image and replicas are the Deployment's
${optional('container', container, 'the app\'s container in its pod template')}${optional('securityProfile', securityProfile, 'its pod template runs as now, which the restricted level refuses')}    canary:
      image: ${value(image)}   # set the new version here to start a release
    # stages: the default plan is baseline, canary (1 pod), expand, promote; then
    # stage: canary, synth, and apply the printed commands, one stage at a time.
`;
}
