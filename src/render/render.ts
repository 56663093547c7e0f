import { ApiObject, App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { dump } from 'js-yaml';
import { CanaryApp, resolvedProps } from '../constructs/canary-app';
import { CanaryRoutes } from '../constructs/canary-routes';
import { fileHeader, LINE_LENGTH_EXEMPTION, LINE_LENGTH_RANGE, LINE_LIMIT, type RenderedFile } from '../io/header';
import { SYNC_WAVE_ANNOTATION, type Track } from '../model/labels';
import { currentPath, stagePath } from './paths';
import { formatCount, statedReplicas } from '../model/autoscaling';
import { formatShare } from '../model/replicas';
import { type ResolvedStage, ROLLBACK_STAGE } from '../model/stage';
import type { ResolvedAppSpec } from '../model/resolved';
import { matchRulesApply } from '../model/routing';
import type { ResolvedApp } from '../model/resolve';
import { createAutoscaler } from '../constructs/autoscaler';
import { isGated } from '../model/gate';
import { createVerifyJob } from '../constructs/verify-job';

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
 * YAML with one value per line, never folded. kubectl and Argo CD read manifests as YAML 1.1, so a
 * string such as `yes`, `on` or `1_000` is quoted, or it would arrive as a boolean or a number; js-yaml
 * quotes YAML 1.1's plain scalars and emits several times faster than building a document.
 *
 * A line over yamllint's limit (a long image digest or regular expression cannot be broken) is
 * preceded by the comment that exempts it. In a block scalar (a config file's content) a comment
 * would be content, so a block with a long line is wrapped in yamllint's disable and enable comments,
 * on lines of the key's own indentation, outside the block.
 */
function toYaml(doc: unknown): string {
  const lines = dump(doc, { lineWidth: -1, noRefs: true, quoteStyle: 'double' }).split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const indent = line.length - line.trimStart().length;
    if (/(:|^ *-) [|>][-+0-9]*$/.test(line)) {
      // The block's lines: every following line that is empty or indented deeper than its key.
      let end = i + 1;
      while (end < lines.length && (lines[end] === '' || lines[end].length - lines[end].trimStart().length > indent)) end++;
      while (end > i + 1 && lines[end - 1] === '') end--;
      const block = lines.slice(i, end);
      if (block.some((each) => each.length > LINE_LIMIT)) {
        const pad = ' '.repeat(indent);
        out.push(`${pad}${LINE_LENGTH_RANGE[0]}`, ...block, `${pad}${LINE_LENGTH_RANGE[1]}`);
      } else {
        out.push(...block);
      }
      i = end - 1;
    } else {
      out.push(line.length > LINE_LIMIT ? `${' '.repeat(indent)}${LINE_LENGTH_EXEMPTION}\n${line}` : line);
    }
  }
  return out.join('\n');
}

// Values no spec can hold (replicas are at most 1000; waves are small), filled in per stage.
const REPLICAS_MARKER = 987654321;
const WAVE_MARKER = '987654320';

/** `template` with `marker` replaced by `value`; the marker must stand exactly once. */
function fill(template: string, marker: string, value: string): string {
  const parts = template.split(marker);
  if (parts.length !== 2) throw new Error(`render: expected one ${marker} in a Deployment, found ${parts.length - 1}`);
  return parts.join(value);
}

/**
 * A Deployment serialised once, with its replica count and sync wave filled in per stage; without a
 * count (an autoscaler's track), the line goes.
 */
function deploymentTemplate(deployment: Construct): (replicas: number | undefined, wave: number) => string {
  const doc = ApiObject.of(deployment).toJson();
  const { replicas: _replicas, ...rest } = doc.spec;
  const yaml = toYaml({
    ...doc,
    metadata: { ...doc.metadata, annotations: { ...doc.metadata.annotations, [SYNC_WAVE_ANNOTATION]: WAVE_MARKER } },
    spec: { replicas: REPLICAS_MARKER, ...rest },
  });
  return (replicas, wave) => fill(
    fill(yaml, `  replicas: ${REPLICAS_MARKER}\n`, replicas === undefined ? '' : `  replicas: ${replicas}\n`), `"${WAVE_MARKER}"`, `"${wave}"`);
}

/** `make`, remembered by the key its arguments give. */
function memo<A extends unknown[]>(key: (...args: A) => string, make: (...args: A) => string[]): (...args: A) => string[] {
  const made = new Map<string, string[]>();
  return (...args) => {
    const k = key(...args);
    if (!made.has(k)) made.set(k, make(...args));
    return made.get(k)!;
  };
}

/**
 * Renders every stage of one app: `<app>/stages/NN-<stage>.k8s.yaml`, `<app>/stages/rollback.k8s.yaml`
 * and `<app>/current/<app>.k8s.yaml`. `specPath`, the spec's path relative to the output folder, goes
 * into each file's header: it says which spec owns the file.
 *
 * The app is rendered once, at the rollback stage (which holds every object a stage can hold), and
 * each stage is that render with its replica counts, autoscaler bounds and sync waves, the canary's
 * ConfigMap and budget where the canary Deployment is, the verification Job where the canary gets
 * traffic, and, for a routed app, its own routes (weights and match rules): stages differ in nothing
 * else, by construction. Objects are taken from what the construct exposes, never by position. Each
 * stage equals what `new CanaryApp(chart, id, { ...app, stage })` renders into an empty chart; the
 * app, resolved already, is not resolved again.
 */
export function renderApp(app: ResolvedApp, specPath?: string): RenderedFile[] {
  const { spec } = app;
  const chart = new Chart(new App({ outdir: '.' }), spec.name);
  const construct = new CanaryApp(chart, spec.name, resolvedProps(app, ROLLBACK_STAGE));
  const yamlOf = (...objects: (Construct | undefined)[]) => objects.flatMap((object) => (object ? [toYaml(ApiObject.of(object).toJson())] : []));
  const shared = yamlOf(construct.namespace, construct.service, construct.trackServices?.stable, construct.trackServices?.canary);
  const stableObjects = yamlOf(construct.stableObjects.configMap, construct.stableObjects.disruptionBudget);
  const canaryObjects = yamlOf(construct.canaryObjects?.configMap, construct.canaryObjects?.disruptionBudget);
  const stable = deploymentTemplate(construct.stable);
  const canary = construct.canary && deploymentTemplate(construct.canary);
  // The objects that vary by stage, made in a chart of their own, once for each distinct state.
  const scratch = () => new Chart(new App({ outdir: '.' }), spec.name);
  const routes = memo((stage: ResolvedStage) => `${stage.canaryWeight}/${matchRulesApply(spec, stage)}/${stage.mirrorPercent ?? 0}`, (stage) => {
    if (!spec.routing) return [];
    const chart = scratch();
    new CanaryRoutes(chart, 'routes', { spec, stage });
    return chart.toJson().map(toYaml);
  });
  const autoscaler = memo((track: Track, replicas: number, wave: number) => `${track}/${replicas}/${wave}`,
    (track, replicas, wave) => yamlOf(createAutoscaler(scratch(), 'autoscaler', spec, track, replicas, wave)));

  const verifyConfigMap = yamlOf(construct.verifyConfigMap);
  // The gate's Job differs by stage only in the stage's name.
  const verifyJob = (stage: ResolvedStage): string[] => (construct.verifyConfigMap && isGated(spec, stage)
    ? yamlOf(createVerifyJob(scratch(), 'verify', spec, stage, construct.verifyConfigMap)) : []);

  const files: RenderedFile[] = [];
  for (const stage of app.plan.stages) {
    const docs = [
      ...shared,
      ...stableObjects,
      ...(stage.canaryDeployed ? canaryObjects : []),
      stable(statedReplicas(spec, 'stable', stage.stableReplicas), stage.syncWaves.stable),
      ...autoscaler('stable', stage.stableReplicas, stage.syncWaves.stable),
      ...(canary && stage.canaryDeployed ? [
        canary(statedReplicas(spec, 'canary', stage.canaryReplicas), stage.syncWaves.canary),
        ...autoscaler('canary', stage.canaryReplicas, stage.syncWaves.canary),
      ] : []),
      ...verifyConfigMap,
      ...routes(stage),
      ...verifyJob(stage),
    ];
    const content = `${header(spec, stage, specPath)}${docs.join('---\n')}`;
    files.push({ path: stagePath(spec.name, stage), content });
    if (stage.name === app.plan.current.name) files.push({ path: currentPath(spec.name), content });
  }
  return files;
}
