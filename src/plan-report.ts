import { join } from 'node:path';
import type { ResolvedAppSpec } from './app-defaults';
import { MANAGED_BY, selectorArg } from './labels';
import { formatShare, type RolloutPlan } from './plan';

const BAR_WIDTH = 20;

/** `25` -> `#####---------------` */
export function shareBar(share: number): string {
  const filled = Math.round((share / 100) * BAR_WIDTH);
  return '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
}

/** Columns padded to a common width: names and bars to the left, numbers to the right. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  const last = widths.length - 1;
  const align = (cell: string, col: number) => (col === 0 || col === last ? cell.padEnd(widths[col]) : cell.padStart(widths[col]));
  return rows.map((row) => row.map(align).join('  ').trimEnd());
}

/**
 * The plan of one app as text: each stage's replica counts and canary share, then the kubectl
 * command that moves the cluster to each stage, and the teardown.
 */
export function formatPlan(app: ResolvedAppSpec, plan: RolloutPlan, outdir: string): string {
  const ns = `-n ${app.namespace}`;
  const rows = [['stage', 'stable', 'canary', 'canary share', ''], ...plan.stages.map((stage) => [
    stage.name,
    String(stage.stableReplicas),
    String(stage.canaryReplicas),
    (stage.requestedPercent !== undefined && Math.abs(stage.requestedPercent - stage.canaryShare) > 0.05
      ? `(asked ${formatShare(stage.requestedPercent)}) ` : '') + formatShare(stage.canaryShare),
    `[${shareBar(stage.canaryShare)}]${stage === plan.current ? ' <- current' : ''}`,
  ])];
  const commands = plan.stages.map((stage) => {
    const apply = `kubectl apply -f ${join(outdir, app.name, 'stages', `${stage.fileName}.k8s.yaml`)}`;
    // A stage without the canary leaves one from an earlier release running: remove it once stable is ready.
    const command = stage.canaryDeployed ? apply
      : `${apply} && kubectl rollout status ${ns} deployment/${app.stable.name} && kubectl delete deployment ${app.canary.name} ${ns} --ignore-not-found`;
    return [stage.name, command];
  });
  const scope = selectorArg({ 'app.kubernetes.io/instance': app.name, 'app.kubernetes.io/managed-by': MANAGED_BY });
  commands.push(['teardown', `kubectl delete deployment,service ${ns} -l ${scope}`]);
  const nameWidth = Math.max(...commands.map(([name]) => name.length));
  return [
    `${app.name}: namespace ${app.namespace}, Service ${app.service.name} (${app.service.type}), ` +
      `stable ${app.stable.name} (${app.stable.image}), canary ${app.canary.name} (${app.canary.image})`,
    ...table(rows).map((line) => `  ${line}`),
    '',
    ...commands.map(([name, command]) => `  ${name.padEnd(nameWidth)}  ${command}`),
  ].join('\n');
}
