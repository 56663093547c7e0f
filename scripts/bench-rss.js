// Preloaded into each benchmarked process: at exit, writes its peak resident memory (KiB) to BENCH_RSS_FILE.
process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
