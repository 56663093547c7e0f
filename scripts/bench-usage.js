// Preloaded into each benchmarked process: at exit, writes what it used to BENCH_USAGE_FILE, as JSON:
// peak resident memory (KiB) and CPU time (microseconds, all threads: user, and system for its
// file system calls).
process.on('exit', () => {
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ maxRSS, userCPUTime, systemCPUTime }));
});
