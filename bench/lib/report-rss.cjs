// Preloaded (node --require) into a benchmarked command: at exit it writes
// the process's peak resident set size, worker threads included, in KiB, to
// the file BENCH_RSS_FILE names.
'use strict';
const { writeFileSync } = require('node:fs');

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS));
  });
}
