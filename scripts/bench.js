#!/usr/bin/env node
// npm run bench: whole-process timings, several runs each, medians side by side in one run.
//   1. the walkthrough: cdk8s-canary synth (fresh output folder) vs kubectl kustomize over the same
//      five stage files (one run per stage, each over a folder with that file and a kustomization.yaml);
//      plan and synth --check beside them.
//   2. scale: 10 / 100 / 1000 apps (default plan: 6 files each): time, CPU time, files, peak memory,
//      ratio to 100, beside a bare Node process writing the same files (scripts/bench-bare-writer.js).
//   3. re-runs over 1000 apps' files: synth with nothing changed, synth --check, synth after one app's
//      image changed, beside a bare Node process that reads and hashes the same files
//      (scripts/bench-bare-reader.js).
// Every run writes into a folder of its own, and all are removed at the end: removing files makes the
// disk slower for a while (this machine's ext4 discards freed blocks), which would fall on whichever
// run came next.
const { spawnSync } = require('node:child_process');
const { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir, totalmem } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const bin = join(root, 'bin', 'cdk8s-canary.js');
// BENCH_DIR picks the disk written to (for example /dev/shm, to take a slow disk out of the figures).
const work = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'cdk8s-canary-bench-'));
const usageFile = join(work, 'usage');
const env = { ...process.env, CI: 'true', BENCH_USAGE_FILE: usageFile };

let lastOutput = '';

function timeOnce(command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.slice(0, 2000)}`);
  lastOutput = result.stdout;
  return ms;
}

/** What the last process recorded (scripts/bench-usage.js), or undefined for one that records nothing. */
function usage() {
  try {
    return JSON.parse(readFileSync(usageFile, 'utf8'));
  } catch {
    return undefined;
  } finally {
    rmSync(usageFile, { force: true });
  }
}

/**
 * Runs each candidate `runs` times (`run(i)`), interleaved so that machine noise falls on all alike:
 * the median wall time, the median CPU time (user and system, all threads), the peak memory.
 */
function measure(candidates, runs) {
  const samples = candidates.map(() => ({ times: [], cpu: [], rss: 0 }));
  for (let run = 0; run < runs; run++) {
    candidates.forEach((candidate, i) => {
      samples[i].times.push(candidate.run(run));
      const used = usage();
      if (!used) return;
      samples[i].cpu.push((used.userCPUTime + used.systemCPUTime) / 1000);
      samples[i].rss = Math.max(samples[i].rss, used.maxRSS);
    });
  }
  return samples.map(({ times, cpu, rss }) => ({ median: median(times), cpu: cpu.length ? median(cpu) : undefined, rssMiB: rss / 1024 }));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const measured = (script, ...args) => timeOnce(process.execPath, ['--require', join(__dirname, 'bench-usage.js'), script, ...args]);
const node = (...args) => measured(bin, ...args);
const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;

function hasKubectl() {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

function walkthrough() {
  const out = (run) => join(work, `walkthrough-${run}`);
  const kustomize = join(work, 'kustomize');
  const stages = ['01-baseline', '02-canary', '03-expand', '04-promote', 'rollback'];
  for (const stage of stages) {
    mkdirSync(join(kustomize, stage), { recursive: true });
    cpSync(join(root, 'dist', 'nginx', 'stages', `${stage}.k8s.yaml`), join(kustomize, stage, `${stage}.k8s.yaml`));
    writeFileSync(join(kustomize, stage, 'kustomization.yaml'), `resources:\n- ${stage}.k8s.yaml\n`);
  }
  const candidates = [
    { name: 'cdk8s-canary synth (walkthrough)', run: (run) => node('synth', '-o', out(run)) },
    { name: 'cdk8s-canary synth --check', run: (run) => node('synth', '--check', '-o', out(run)) },
    { name: 'cdk8s-canary plan', run: () => node('plan') },
  ];
  if (hasKubectl()) {
    candidates.push({
      name: 'kubectl kustomize x 5 stages (reference)',
      run: () => stages.reduce((sum, stage) => sum + timeOnce('kubectl', ['kustomize', join(kustomize, stage)]), 0),
    });
  }
  const results = measure(candidates, 11);
  const reference = hasKubectl() ? results[results.length - 1].median : undefined;
  console.log('Walkthrough (11 runs each, median)');
  candidates.forEach((candidate, i) => {
    const ratio = reference ? `  ${(results[i].median / reference).toFixed(2)}x kustomize` : '';
    console.log(`  ${candidate.name.padEnd(42)} ${fmt(results[i].median).padStart(9)}${ratio}`);
  });
  if (!reference) console.log('  kubectl not found: kustomize reference skipped');
}

/** The bench's spec of `apps` generated apps; `changed` gives that app's canary a new image. */
function writeBenchSpec(path, apps, changed) {
  const lines = ['apps:'];
  for (let i = 0; i < apps; i++) {
    lines.push(`  - name: app-${i}`, `    namespace: team-${i % 50}`, '    port: 8080',
      `    stable: { image: "registry.local/app-${i}:1.0.0" }`, `    canary: { image: "registry.local/app-${i}:${i === changed ? '1.2.0' : '1.1.0'}" }`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const RUNS = 5;

function scale() {
  const sizes = [10, 100, 1000];
  const rows = sizes.map((apps) => {
    const spec = join(work, `spec-${apps}.yaml`);
    writeBenchSpec(spec, apps);
    const out = (run) => join(work, `out-${apps}-${run}`);
    // The same files, for the bare writer: rendered once by synth itself.
    spawnSync(process.execPath, [bin, 'synth', '-c', spec, '-o', out('files')], { env });
    const paths = spawnSync('find', ['.', '-type', 'f', '-name', '*.k8s.yaml'], { cwd: out('files'), encoding: 'utf8' }).stdout.trim().split('\n');
    const list = join(work, `files-${apps}.json`);
    writeFileSync(list, JSON.stringify(paths.map((path) => ({ path, content: readFileSync(join(out('files'), path), 'utf8') }))));
    // The bare reader's list holds only the paths: it reads the files themselves.
    writeFileSync(join(work, `paths-${apps}.json`), JSON.stringify(paths.map((path) => ({ path }))));
    const [result, bare] = measure([
      { run: (run) => node('synth', '-c', spec, '-o', out(run)) },
      { run: (run) => measured(join(__dirname, 'bench-bare-writer.js'), list, join(work, `bare-${apps}-${run}`)) },
    ], RUNS);
    return { apps, files: paths.length, ...result, bare };
  });
  const base = rows.find((row) => row.apps === 100).median;
  console.log('\nScale: cdk8s-canary synth into a fresh folder (5 runs each, median)');
  console.log(`  ${'apps'.padStart(5)} ${'files'.padStart(6)} ${'time'.padStart(9)} ${'CPU'.padStart(9)} ${'peak RSS'.padStart(10)} ${'vs 100'.padStart(7)} ${'bare writer'.padStart(12)} ${'CPU'.padStart(9)} ${'vs bare'.padStart(8)}`);
  for (const row of rows) {
    console.log(`  ${String(row.apps).padStart(5)} ${String(row.files).padStart(6)} ${fmt(row.median).padStart(9)} ${fmt(row.cpu).padStart(9)} ${`${row.rssMiB.toFixed(0)} MiB`.padStart(10)} ${`${(row.median / base).toFixed(2)}x`.padStart(7)} ${fmt(row.bare.median).padStart(12)} ${fmt(row.bare.cpu).padStart(9)} ${`${(row.median / row.bare.median).toFixed(2)}x`.padStart(8)}`);
  }
  console.log('  (CPU: user and system time of all the process\'s threads; system time is mostly the file system\'s)');
  const big = rows.find((row) => row.apps === 1000);
  console.log(`  t(1000)/t(100) ${(big.median / base).toFixed(2)}; 1000 apps: ${(big.median / big.bare.median).toFixed(2)}x the bare writer, peak RSS ${big.rssMiB.toFixed(0)} MiB`);
}

/**
 * Re-runs over the folders the scale runs wrote for 1000 apps, one folder per run: nothing changed,
 * --check, then one app's image changed (which writes that app's files), beside the bare reader.
 */
function rerun() {
  const apps = 1000;
  const spec = join(work, `spec-${apps}.yaml`);

  const out = (run) => join(work, `out-${apps}-${run}`);
  const list = join(work, `paths-${apps}.json`);
  const summaries = [];
  const candidates = [
    { name: 'synth, nothing changed', run: (run) => node('synth', '-c', spec, '-o', out(run)) },
    { name: 'synth --check, nothing changed', run: (run) => node('synth', '--check', '-c', spec, '-o', out(run)) },
    {
      name: 'synth, one app\'s image changed',
      run: (run) => {
        // The spec's path is recorded in each file: the change is made in place, and undone after.
        writeBenchSpec(spec, apps, 500);
        const ms = node('synth', '-c', spec, '-o', out(run));
        summaries.push(lastOutput.trim());
        writeBenchSpec(spec, apps);
        return ms;
      },
    },
    { name: 'bare reader (read + SHA-256 each file)', run: (run) => measured(join(__dirname, 'bench-bare-reader.js'), list, out(run)) },
  ];
  const results = measure(candidates, RUNS);
  const reader = results[results.length - 1].median;
  console.log(`\nRe-runs over ${apps} apps' files (${RUNS} runs each, median)`);
  console.log(`  ${''.padEnd(40)} ${'time'.padStart(9)} ${'CPU'.padStart(9)} ${'peak RSS'.padStart(10)} ${'vs reader'.padStart(10)}`);
  candidates.forEach((candidate, i) => {
    const { median: ms, cpu, rssMiB } = results[i];
    console.log(`  ${candidate.name.padEnd(40)} ${fmt(ms).padStart(9)} ${fmt(cpu).padStart(9)} ${`${rssMiB.toFixed(0)} MiB`.padStart(10)} ${`${(ms / reader).toFixed(2)}x`.padStart(10)}`);
  });
  console.log(`  one app changed: ${[...new Set(summaries.map((line) => line.replace(/ in [\d.]+ s .*/, '')))].join('; ')}`);
}

try {
  console.log(`cdk8s-canary bench: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, writing to ${work}\n`);
  walkthrough();
  scale();
  rerun();
} finally {
  rmSync(work, { recursive: true, force: true });
}
