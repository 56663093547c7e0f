#!/usr/bin/env node
// The cluster tests' record of each move, beside the simulator's view of the same move, as a table:
//   node scripts/cluster-report.js [report folder]
// (default: $CDK8S_CANARY_CLUSTER_REPORT, else the checkout's .cluster-report, where npm run
// test:cluster writes it). A row is marked where the two differ: the lowest ready capacity,
// or a track's weighted share per unit of its ready endpoints (load) higher on the cluster than the
// simulator says. With --log, each marked row's states on the cluster follow the table.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const args = process.argv.slice(2);
const withLog = args.includes('--log');
const dir = args.find((arg) => !arg.startsWith('--')) ?? process.env.CDK8S_CANARY_CLUSTER_REPORT ?? join(__dirname, '..', '.cluster-report');
const results = readdirSync(dir).filter((file) => file.endsWith('.json')).map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')))
  .sort((a, b) => a.label.localeCompare(b.label));
const fmt = (n) => (n === undefined ? '' : Number.isFinite(n) ? n.toFixed(2) : '∞');
const eps = 1e-6;
console.log('| move | lowest capacity: cluster | simulator | load in the move: cluster | simulator | seconds | |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
const marked = [];
for (const r of results) {
  const sim = r.simulated;
  const differs = sim && (Math.abs(r.lowestCapacity - sim.lowestCapacity) > eps || (r.worstLoadInMove ?? 0) > sim.worstLoad + eps);
  if (differs) marked.push(r);
  console.log(`| ${r.label} | ${fmt(r.lowestCapacity)} | ${fmt(sim?.lowestCapacity)} | ${fmt(r.worstLoadInMove ?? r.worstLoad)} | ${fmt(sim?.worstLoad)} | ${r.seconds === undefined ? '' : r.seconds.toFixed(1)} | ${differs ? 'differs' : ''} |`);
}
if (withLog) {
  for (const r of marked) console.log(`\n${r.label}\n  cluster:\n    ${r.log.join('\n    ')}\n  simulator:\n    ${r.simulated.log.join('\n    ')}`);
}
