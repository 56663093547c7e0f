import { formatCount } from '../model/autoscaling';
import type { Track } from '../model/labels';
import { formatShare } from '../model/replicas';
import type { ResolvedAppSpec } from '../model/resolved';
import { wavesRelease, type ResolvedApp, type WavesRelease } from '../model/resolve';
import { stageContents, type StageObject } from '../model/stage-contents';
import type { ResolvedStage } from '../model/stage';
import { manifestOf } from '../constructs/manifests/stage-objects';
import { deployment, podTemplate } from '../constructs/manifests/workload';
import { fileHeader, type RenderedFile } from '../io/header';
import { appFiles, applicationSetPath, argoCdFolder, currentFolder, guardFileName, guardPath } from './paths';
import { applicationSet } from '../constructs/manifests/application-set';
import { waveGuardObjects } from '../constructs/manifests/wave-guard';
import { describeMaxUpdate, describeSelector } from '../model/waves';
import { lintable, manifestLines, yamlLines } from './yaml';

function header(app: ResolvedAppSpec, stage: ResolvedStage, spec: string | undefined): string {
  const count = (track: Track, replicas: number) => formatCount(app, track, replicas);
  return fileHeader({
    spec,
    app: app.name,
    lines: [
      `# stage: ${stage.name}`,
      `# replicas: stable ${count('stable', stage.stableReplicas)}, canary ${count('canary', stage.canaryReplicas)}; canary share ${formatShare(stage.canaryShare)}`
        + (stage.mirrorPercent ? `; mirror ${stage.mirrorPercent}%` : ''),
    ],
  });
}

/**
 * An app's objects as YAML, each made once for every distinct entry of the stages' contents: an entry
 * holds every value of its object that varies by stage, so it is its own key. A Deployment is made of
 * its pod template, serialised once per track, under the stage's own count and wave: `template` is
 * the last key of a Deployment's spec, and `spec` the last of the Deployment, so its YAML is the rest
 * of the Deployment's followed by the template's, four spaces in.
 */
function objectRenderer(app: ResolvedAppSpec): (object: StageObject) => string {
  const made = new Map<string, string>();
  const templates = new Map<Track, string[]>();
  const templateLines = (track: Track) => {
    if (!templates.has(track)) templates.set(track, yamlLines(podTemplate(app, track)).slice(0, -1).map((line) => `    ${line}`));
    return templates.get(track)!;
  };
  const make = (object: StageObject): string => {
    if (object.role !== 'deployment') return lintable(manifestLines(manifestOf(app, object)));
    const head = manifestLines(deployment(app, object.track, object.replicas, object.wave, {})).slice(0, -1);
    if (head.at(-1) !== '  template: {}') throw new Error('render: a Deployment whose spec does not end in its template');
    return `${lintable([...head.slice(0, -1), '  template:', ...templateLines(object.track)])}\n`;
  };
  return (object) => {
    const key = JSON.stringify(object);
    if (!made.has(key)) made.set(key, make(object));
    return made.get(key)!;
  };
}

/**
 * Renders every stage of one app: `<app>/stages/NN-<stage>.k8s.yaml`, `<app>/stages/rollback.k8s.yaml`
 * and `<app>/current/<app>.k8s.yaml`. `specPath`, the spec's path relative to the output folder, goes
 * into each file's header: it says which spec owns the file. Each stage's file holds its contents
 * (`stageContents`), the same objects a CanaryApp at that stage makes.
 */
export function renderApp(app: ResolvedApp, specPath?: string): RenderedFile[] {
  const { spec } = app;
  const render = objectRenderer(spec);
  // The current stage's file is its stage's file again: each stage is rendered once.
  const contents = new Map<string, string>();
  const files = appFiles(spec.name, app.plan).map(({ path, stage }) => {
    let content = contents.get(stage.name);
    if (content === undefined) {
      const docs = stageContents(spec, app.createsNamespace, stage).map(render);
      content = `${header(spec, stage, specPath)}${docs.join('---\n')}`;
      contents.set(stage.name, content);
    }
    return { path, content };
  });
  const waves = wavesRelease(app);
  return waves ? [...files, applicationSetFile(waves, specPath), ...guardFiles(waves, app.plan.current, specPath)] : files;
}

/** The ApplicationSet's file: applied once to Argo CD's cluster, it rolls every commit of `current/` wave by wave. */
function applicationSetFile({ spec, argocd }: WavesRelease, specPath: string | undefined): RenderedFile {
  const lines = [
    "# Argo CD's ApplicationSet: apply it once to Argo CD's cluster; each commit",
    '# of current/ then rolls out wave by wave, each wave after the first behind its guard:',
    ...spec.waves.map((wave) => `#   ${wave.name}: clusters ${describeSelector(wave.matchLabels)}, ${describeMaxUpdate(wave.maxUpdate)}`),
  ];
  const outputPath = argocd.path ?? '';
  const manifest = applicationSet(spec, argocd, { current: currentFolder(outputPath, spec.name), guards: argoCdFolder(outputPath, spec.name), guardFile: guardFileName });
  return { path: applicationSetPath(spec.name), content: `${fileHeader({ spec: specPath, app: spec.name, lines })}${lintable(manifestLines(manifest))}` };
}

/** Each wave guard's file at the current stage; its Application syncs it into Argo CD's namespace. */
function guardFiles({ spec, argocd }: WavesRelease, stage: ResolvedStage, specPath: string | undefined): RenderedFile[] {
  return spec.waves.flatMap((wave, index) => {
    if (!wave.guarded) return [];
    const lines = [
      `# The guard of wave ${wave.name} at stage ${stage.name}: it holds the wave until every`,
      `# Application of ${spec.waves.slice(0, index).map((each) => each.name).join(', ')} runs this stage, Synced and Healthy.`,
    ];
    const docs = waveGuardObjects({ app: spec, argocd, index }, stage).map((manifest) => lintable(manifestLines(manifest)));
    return [{ path: guardPath(spec.name, wave.name), content: `${fileHeader({ spec: specPath, app: spec.name, lines })}${docs.join('---\n')}` }];
  });
}
