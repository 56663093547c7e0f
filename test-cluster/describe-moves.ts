/**
 * The move tests of one app on one road (one test file per app and road, so they run side by side,
 * each in a namespace of its own: the Argo CD road's is the app's with `-argo`): every move of its
 * plan, with the plan's kubectl commands or through Argo CD (argocd.ts: each move one commit of the
 * app's current/ folder, synced automatically; its endpoint check's Job running its code against the
 * API server, check-runner.ts), keeps full ready capacity on the
 * cluster, no track gets traffic while it has no ready endpoint, and while a route's weights are a
 * stage's, each lane with weight has that stage's count of ready endpoints behind it. Each result,
 * with the simulator's view of the same move, goes to a JSON file in CDK8S_CANARY_CLUSTER_REPORT
 * (default: the checkout's .cluster-report, so two checkouts' runs keep apart) for
 * scripts/cluster-report.js.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { movedApps, movesOf, prepareRunningApp, renamed, runArgoCdMove, runMove, type MoveResult } from './moves';

export const reportDir = process.env.CDK8S_CANARY_CLUSTER_REPORT ?? join(__dirname, '..', '.cluster-report');

export function record(result: MoveResult | object & { label: string }): void {
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(join(reportDir, `${result.label.replace(/[^A-Za-z0-9-]+/g, '_')}.json`), JSON.stringify(result, null, 2));
}

export function describeMoves(appName: string, road: 'kubectl' | 'argo'): void {
  const apps = movedApps();
  const app = apps.find((each) => each.name === appName)!;
  // An app that shares its namespace with another example's runs in one of its own.
  const shared = apps.some((each) => each !== app && each.namespace === app.namespace);
  const moves = movesOf(app).map((move) => (shared ? renamed(move, app.name) : move));

  // A running app's namespace is there before its first stage, with what the app has beside it.
  if (!app.createNamespace) beforeAll(() => prepareRunningApp(app, road === 'argo' ? `${moves[0].shape.namespace}-argo` : moves[0].shape.namespace));

  describe.each(moves.map((move) => [move.label, move] as const))('%s', (_label, move) => {
    const check = (result: MoveResult) => {
      record(result);
      if (result.lowestCapacity < 1 - 1e-9) throw new Error(`capacity fell to ${result.lowestCapacity.toFixed(2)}:\n${result.log.join('\n')}`);
      expect(result.weightsOfNeither).toEqual([]);
      expect(result.unservedTraffic).toEqual([]);
      expect(result.underServed).toEqual([]);
    };
    if (road === 'kubectl') {
      test('the plan\'s commands keep full ready capacity, and a route gives a lane weight only while it has the stage\'s ready endpoints', async () => {
        check(await runMove(move));
      });
    } else {
      test('Argo CD, each move one commit of current/ synced automatically, with the endpoint check\'s Job: the same', async () => {
        check(await runArgoCdMove({ ...renamed(move, 'argo'), label: `${move.label} (Argo CD)` }));
      });
    }
  });
}
