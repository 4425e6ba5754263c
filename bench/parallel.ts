// The parallel runner's figures (issue 3), each beside its floor in the same run:
// - W2: 8 CPU-bound tasks of about 0.5 s (flows/cpu-bound.ts) through the real
//   CLI, sequential against parallel with 2 workers: wall of the whole command
//   and of the flow run alone (first to last log line).
// - Trivial tasks (x + 1) through the pool: the engine's cost per task against
//   a bare piscina round trip, both as the difference between a small and a
//   large batch, so pool start-up cancels out.
// Usage: npm run bench:parallel [-- repeats]. Medians; the machine is noisy.
import { spawnSync } from 'node:child_process';
import { openSync, createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { flow, ParallelTaskRunner } from '../src/index.js';
import { ConsoleReporter } from '../src/logging/console-reporter.js';
import { LOG_LEVELS } from '../src/logging/levels.js';
import { PLAIN_STYLES } from '../src/logging/styles.js';
import { addOne, total } from './fixtures.js';

const REPEATS = Number(process.argv[2] ?? 5);
const FLOW_BIN = fileURLToPath(new URL('../bin/flow.js', import.meta.url));
const FLOOR_WORKER = fileURLToPath(new URL('./piscina-floor.ts', import.meta.url));

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const time = (run: () => void): number => {
  const start = performance.now();
  run();
  return (performance.now() - start) / 1000;
};

const flowRunSeconds = (stderr: string): number => {
  const stamps = [...stderr.matchAll(/^(\d\d):(\d\d):(\d\d)\.(\d{3}) \|/gm)].map(
    ([, h, m, s, ms]) => ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(ms),
  );
  return ((stamps.at(-1) ?? 0) - (stamps[0] ?? 0)) / 1000;
};

const runCli = (runner: string): { wall: number; flowRun: number } => {
  let stderr = '';
  const wall = time(() => {
    stderr = spawnSync(process.execPath, [FLOW_BIN, 'run', 'cpu-bound', '--runner', runner, '--workers', '2'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    }).stderr;
  });
  return { wall, flowRun: flowRunSeconds(stderr) };
};

// BENCH_ONLY=trivial skips W2 (a minute of CPU-bound runs) when tuning the per-task cost.
const ONLY = process.env['BENCH_ONLY'];
if (ONLY !== 'trivial') {
console.log(`W2: 8 CPU-bound tasks through the CLI, median of ${REPEATS}, Node ${process.version}`);
const sequential = Array.from({ length: REPEATS }, () => runCli('sequential'));
const parallel = Array.from({ length: REPEATS }, () => runCli('parallel'));
const seqWall = median(sequential.map((run) => run.wall));
const parWall = median(parallel.map((run) => run.wall));
const seqFlow = median(sequential.map((run) => run.flowRun));
const parFlow = median(parallel.map((run) => run.flowRun));
console.log(`  sequential   wall ${seqWall.toFixed(2)} s   flow run ${seqFlow.toFixed(2)} s`);
console.log(`  parallel x2  wall ${parWall.toFixed(2)} s   flow run ${parFlow.toFixed(2)} s`);
console.log(`  speed-up     wall ${(seqWall / parWall).toFixed(2)}x   flow run ${(seqFlow / parFlow).toFixed(2)}x`);
}

// Far apart, so that the pool's start-up (its noise alone is tens of
// milliseconds) does not drown the per-task difference.
const SMALL = 1000;
const LARGE = 21_000;
const devNull = createWriteStream('', { fd: openSync('/dev/null', 'w') });

const batch = flow({ name: 'batch' }, async ({ n }: { n: number }) => total.submit(addOne.map(Array.from({ length: n }, (_, index) => index))));

const flowrunBatch = async (n: number): Promise<number> => {
  const reporter = new ConsoleReporter({ stream: devNull, level: LOG_LEVELS.WARNING, styles: PLAIN_STYLES });
  const start = performance.now();
  const outcome = await batch.execute({ n }, { runner: new ParallelTaskRunner({ workers: 2 }), runtime: { reporter, now: Date.now, random: Math.random } });
  if (outcome.state.type !== 'COMPLETED') {
    throw new Error(`batch ended ${outcome.state.name}`);
  }
  return performance.now() - start;
};

const piscinaBatch = async (n: number): Promise<number> => {
  const start = performance.now();
  const pool = new Piscina({ filename: FLOOR_WORKER, minThreads: 2, maxThreads: 2 });
  await Promise.all(Array.from({ length: n }, (_, index) => pool.run(index) as Promise<number>));
  await pool.destroy();
  return performance.now() - start;
};

// Per-task cost as the difference between a large and a small batch, so that
// pool start-up cancels out. The floor and ours are measured in turns, so that
// a noisy neighbour slows both alike; the ratio is the median of the turns'.
const perTask = (small: number, large: number): number => ((large - small) * 1000) / (LARGE - SMALL);
const floors: number[] = [];
const ours: number[] = [];
for (let index = 0; index < REPEATS; index += 1) {
  floors.push(perTask(await piscinaBatch(SMALL), await piscinaBatch(LARGE)));
  ours.push(perTask(await flowrunBatch(SMALL), await flowrunBatch(LARGE)));
}
const ratios = ours.map((cost, index) => cost / (floors[index] ?? NaN));
console.log(`Trivial tasks through a pool of 2 workers (${LARGE} - ${SMALL} tasks, median of ${REPEATS}, measured in turns):`);
console.log(`  bare piscina round trip  ${median(floors).toFixed(1)} µs/task`);
console.log(`  ParallelTaskRunner       ${median(ours).toFixed(1)} µs/task   (${median(ratios).toFixed(2)}x the floor, median of the turns' ratios)`);
devNull.end();
