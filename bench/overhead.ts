// Per-task overhead of the engine, in process: N trivial tasks (x + 1)
// submitted with .map and summed, on each runner, beside the floor of a bare
// Promise.all doing the same work. Logs go to /dev/null at INFO (every
// lifecycle line formatted and written) and at WARNING (none printed).
// Usage: npm run bench:in-process [-- N [repeats]]. A quick look at the
// engine alone while tuning it; the suite (npm run bench) measures through
// the CLI, as users run it.
import { openSync, createWriteStream } from 'node:fs';
import { ConcurrentTaskRunner, flow, SequentialTaskRunner, task, type TaskRunner } from '../src/index.js';
import { ConsoleReporter } from '../src/logging/console-reporter.js';
import { LOG_LEVELS, type LogLevel } from '../src/logging/levels.js';
import { PLAIN_STYLES } from '../src/logging/styles.js';

const N = Number(process.argv[2] ?? 10_000);
const REPEATS = Number(process.argv[3] ?? 5);

const addOne = task('add_one', (x: number) => x + 1);
const total = task('total', (numbers: number[]) => numbers.reduce((sum, n) => sum + n, 0));

const fanOut = flow({ name: 'fan-out' }, async ({ n }: { n: number }) => {
  const futures = addOne.map(Array.from({ length: n }, (_, index) => index));
  return total.submit(futures);
});

const devNull = createWriteStream('', { fd: openSync('/dev/null', 'w') });

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

const measure = async (label: string, body: () => Promise<unknown>): Promise<void> => {
  const times: number[] = [];
  for (let index = 0; index < REPEATS; index += 1) {
    const start = performance.now();
    await body();
    times.push(performance.now() - start);
  }
  const ms = median(times);
  console.log(`${label.padEnd(34)} ${ms.toFixed(1).padStart(9)} ms  ${((ms * 1000) / N).toFixed(2).padStart(7)} µs/task`);
};

const runFlow = (runner: () => TaskRunner, level: LogLevel) => async () => {
  const reporter = new ConsoleReporter({ stream: devNull, level, styles: PLAIN_STYLES });
  const outcome = await fanOut.execute({ n: N }, { runner: runner(), runtime: { reporter, now: Date.now, random: Math.random } });
  if (outcome.state.type !== 'COMPLETED') {
    throw new Error(`run ended ${outcome.state.name}`);
  }
};

console.log(`${N} tasks, median of ${REPEATS} runs, Node ${process.version}`);
await measure('floor: bare Promise.all', async () => {
  const values = await Promise.all(Array.from({ length: N }, async (_, index) => index + 1));
  return values.reduce((sum, n) => sum + n, 0);
});
await measure('concurrent, logs at WARNING', runFlow(() => new ConcurrentTaskRunner(), LOG_LEVELS.WARNING));
await measure('concurrent, logs at INFO', runFlow(() => new ConcurrentTaskRunner(), LOG_LEVELS.INFO));
await measure('sequential, logs at WARNING', runFlow(() => new SequentialTaskRunner(), LOG_LEVELS.WARNING));
await measure('sequential, logs at INFO', runFlow(() => new SequentialTaskRunner(), LOG_LEVELS.INFO));
devNull.end();
