/**
 * The Argo CD health check the README gives for autoscalers (argocd/autoscaler-health.lua), run by a
 * real Lua 5.1 interpreter (Argo CD runs gopher-lua, a Lua 5.1), against autoscaler objects as the
 * HorizontalPodAutoscaler controller reports them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputOf, PROCESS_TEST_TIMEOUT, root, runCommand } from './helpers';

const script = readFileSync(join(root, 'argocd', 'autoscaler-health.lua'), 'utf8');

/** A JSON value as a Lua table constructor. */
function lua(value: unknown): string {
  if (Array.isArray(value)) return `{ ${value.map(lua).join(', ')} }`;
  if (value !== null && typeof value === 'object') return `{ ${Object.entries(value).map(([key, item]) => `[${JSON.stringify(key)}] = ${lua(item)}`).join(', ')} }`;
  return value === null ? 'nil' : JSON.stringify(value);
}

function health(obj: object): string {
  const chunk = `obj = ${lua(obj)}\nlocal hs = (function()\n${script}\nend)()\nio.write(hs.status, "|", hs.message)`;
  const ran = runCommand(['lua5.1', '-'], { input: chunk });
  if (ran.error?.code === 'ENOENT') throw new Error('lua5.1 is not installed: apt-get install lua5.1 (.ci/run installs it)');
  return outputOf(ran, 'lua5.1');
}

const hpa = (status?: object, generation = 2) => ({ metadata: { generation }, spec: { minReplicas: 3, maxReplicas: 9 }, ...(status ? { status } : {}) });

test.each<[string, object, string]>([
  ['no status yet', hpa(), 'Progressing|Waiting for the Deployment to reach minReplicas'],
  ['below the floor just raised', hpa({ observedGeneration: 2, currentReplicas: 1, desiredReplicas: 3 }), 'Progressing|Waiting for the Deployment to reach minReplicas'],
  ['at the floor, but not yet seen the new bounds', hpa({ observedGeneration: 1, currentReplicas: 3 }), 'Progressing|Waiting for the Deployment to reach minReplicas'],
  ['at the floor', hpa({ observedGeneration: 2, currentReplicas: 3 }), 'Healthy|At or above minReplicas'],
  ['above the floor, under load', hpa({ observedGeneration: 2, currentReplicas: 7 }), 'Healthy|At or above minReplicas'],
  ['unable to scale', hpa({ observedGeneration: 2, currentReplicas: 3, conditions: [{ type: 'AbleToScale', status: 'False', message: 'the HPA controller was unable to get the target scale' }] }),
    'Degraded|the HPA controller was unable to get the target scale'],
])('%s', (_case, obj, expected) => {
  expect(health(obj)).toBe(expected);
}, PROCESS_TEST_TIMEOUT);

test('the README gives the check as it is in argocd/autoscaler-health.lua, inside the argocd-cm key Argo CD reads', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const at = readme.findIndex((line) => line.trim() === 'resource.customizations.health.autoscaling_HorizontalPodAutoscaler: |');
  expect(at).toBeGreaterThan(0);
  const indent = ' '.repeat(readme[at].indexOf('r') + 2);
  const lines = script.trimEnd().split('\n');
  expect(readme.slice(at + 1, at + 1 + lines.length)).toEqual(lines.map((line) => (line ? `${indent}${line}` : line)));
});
