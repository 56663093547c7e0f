import type { ResolvedAppSpec } from '../model/resolved';
import { formatShare } from '../model/replicas';
import type { RolloutPlan } from '../model/stage';

/*
 * A release as a picture: for each stage of the plan, the pods of each track as two bars and the
 * canary's share above them, the stage the release was at and the one it is at marked. Plain SVG,
 * drawn the same for the same plan, so a pull request shows it and a test can measure it.
 */

/** The first line of every chart: a file that starts so is the tool's to replace. */
export const CHART_MARKER = '<!-- Drawn by cdk8s-canary review. -->';

/** The tracks' colours: distinct for people who see few colours (blue and orange). */
export const CHART_COLOURS = { stable: '#3b6fb6', canary: '#e07b24', before: '#e4e4e4', after: '#d3ecd3' } as const;

const COLUMN = 96;
const LEFT = 44;
const TOP = 72;
const PLOT = 140;
const BAR = 28;

/** Text for SVG: `&`, `<`, `>` and quotes escaped. */
function text(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The chart of `app`'s plan: stable's and the canary's pods per stage (the rollback stage last), the
 * canary's share above, the current stage marked `after` and `before` the stage the release was at.
 */
export function releaseChart(app: ResolvedAppSpec, plan: RolloutPlan, before?: string): string {
  const stages = plan.stages;
  const most = Math.max(1, ...stages.flatMap((stage) => [stage.stableReplicas, stage.canaryReplicas]));
  const width = LEFT + COLUMN * stages.length + 16;
  const height = TOP + PLOT + 48;
  const y = (pods: number) => TOP + PLOT - (PLOT * pods) / most;
  const columns = stages.map((stage, i) => {
    const x = LEFT + COLUMN * i;
    const mark = stage.name === plan.current.name ? 'after' : stage.name === before ? 'before' : undefined;
    const bar = (track: 'stable' | 'canary', pods: number, offset: number) => (pods
      ? `<rect x="${x + offset}" y="${y(pods)}" width="${BAR}" height="${TOP + PLOT - y(pods)}" fill="${CHART_COLOURS[track]}"><title>${track} ${pods}</title></rect>` : '');
    return [
      ...(mark ? [`<rect x="${x + 4}" y="${TOP - 28}" width="${COLUMN - 8}" height="${PLOT + 68}" fill="${CHART_COLOURS[mark]}"/>`] : []),
      bar('stable', stage.stableReplicas, 16),
      bar('canary', stage.canaryReplicas, 16 + BAR + 4),
      `<text x="${x + COLUMN / 2}" y="${TOP - 10}" text-anchor="middle">${formatShare(stage.canaryShare)}</text>`,
      `<text x="${x + COLUMN / 2}" y="${TOP + PLOT + 18}" text-anchor="middle">${text(stage.name)}</text>`,
      ...(mark ? [`<text x="${x + COLUMN / 2}" y="${TOP + PLOT + 34}" text-anchor="middle" font-style="italic">${mark}</text>`] : []),
    ].filter(Boolean).join('');
  });
  return [
    CHART_MARKER,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="16" font-weight="bold">${text(app.name)}: pods per stage (stable, canary) and the canary's share</text>`,
    ...(['stable', 'canary'] as const).map((track, i) => `<rect x="${LEFT + 90 * i}" y="26" width="12" height="12" fill="${CHART_COLOURS[track]}"/><text x="${LEFT + 90 * i + 16}" y="36">${track} pods</text>`),
    `<line x1="${LEFT}" y1="${TOP + PLOT}" x2="${width - 16}" y2="${TOP + PLOT}" stroke="#666666"/>`,
    `<text x="${LEFT - 6}" y="${TOP + 4}" text-anchor="end">${most}</text>`,
    `<text x="${LEFT - 6}" y="${TOP + PLOT + 4}" text-anchor="end">0</text>`,
    ...columns,
    '</svg>',
    '',
  ].join('\n');
}
