// Builds a history database of many `flow run`s of the nightly ETL flow
// (etl-flow.ts) in one process, for the W5 rows of the suite: 10,000 real
// `flow run`s would take over an hour. Each flow run goes through what
// `flow run` uses: the engine, the record stream and a HistoryRecorder of its
// own on a freshly opened database, closed at its end, so the rows are the
// recorder's, whatever its schema. Only the clock is the fixture's: runs
// every few minutes over weeks, each lasting a few seconds.
// Usage: node --import tsx bench/history/build-fixture.ts <storeDir> <flowRuns>
// Prints JSON: { seconds, flowRuns, taskRuns, failed, sampleId }.
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConcurrentTaskRunner } from '../../src/index.js';
import { openHistory } from '../../src/history/database.js';
import { HistoryRecorder } from '../../src/history/recorder.js';
import { RunEventStream } from '../../src/logging/event-stream.js';
import { LOG_LEVELS } from '../../src/logging/levels.js';
import { setTaskKeyRoot } from '../../src/tasks/task-key.js';
import { seededRandom } from './seeded-random.js';
import { TaskRunCounter } from './task-run-counter.js';

const [storeDir, countText] = process.argv.slice(2);
const flowRuns = Number(countText);
if (storeDir === undefined || !Number.isInteger(flowRuns) || flowRuns < 1) {
  throw new Error('usage: build-fixture.ts <storeDir> <flowRuns>');
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FLOW_FILE = fileURLToPath(new URL('./etl-flow.ts', import.meta.url));
// As the CLI does before it loads a flow's module: task keys are relative to the project root.
setTaskKeyRoot(REPO_ROOT);
const { default: etl } = await import('./etl-flow.js');

// Every five minutes on average, ending now: 10,000 runs span about 35 days.
const SPACING_MS = 5 * 60_000;
// About one run in twelve fails for good, one in twenty retries a shard once.
const FAILED_SHARE = 1 / 12;
const FLAKY_SHARE = 1 / 20;
const SHARDS = 8;

const random = seededRandom(15);
const host = hostname();
const counter = new TaskRunCounter();
const start = performance.now();
const firstStart = Date.now() - flowRuns * SPACING_MS;
let failed = 0;
// A completed run of the newer half, for `flow runs show`.
let sampleId: string | undefined;

// Each reading of the clock a few milliseconds on: a run takes a second or
// two. The engine stamps some states with Date.now() rather than its
// runtime's clock (a flow run's final state, a failed task run's), so
// Date.now() is the fixture's clock too, in this process of its own.
let clock = 0;
const now = (): number => (clock += 1 + Math.floor(random() * 40));
Date.now = now;

for (let index = 0; index < flowRuns; index += 1) {
  clock = firstStart + index * SPACING_MS + Math.floor(random() * 60_000);
  const day = new Date(clock).toISOString().slice(0, 10);
  const fails = random() < FAILED_SHARE;
  const flaky = !fails && random() < FLAKY_SHARE;
  const parameters = { day, failOn: fails ? Math.floor(random() * SHARDS) : -1, flaky: flaky ? Math.floor(random() * SHARDS) : -1 };
  const failures: unknown[] = [];
  // A process of its own, as each `flow run` is: a new connection and recorder.
  const db = openHistory(storeDir, { create: true });
  // Except that it does not wait for the disk: the checkpoint at each close
  // synced, which made the build I/O-bound (two minutes for 10,000 runs on
  // a busy machine). What is written is the same.
  db.pragma('synchronous = OFF');
  const recorder = new HistoryRecorder({
    db,
    level: LOG_LEVELS.INFO,
    flowFile: FLOW_FILE,
    flowExport: 'default',
    describeParameters: (run) => ({ parameters: run.parameters, secretNames: [] }),
    mask: (text) => text,
    pid: 10_000 + index,
    host,
    onFailure: (error) => failures.push(error),
  });
  const events = new RunEventStream([recorder, counter], (_sink, error) => failures.push(error));
  const outcome = await etl.execute(parameters, {
    runner: new ConcurrentTaskRunner(),
    runtime: { reporter: events, now, random },
    storeDir,
    keepResults: true,
  });
  events.close();
  if (failures.length > 0) {
    throw new Error(`the recorder failed on flow run ${index}: ${String(failures[0])}`);
  }
  if (outcome.state.type === 'FAILED') {
    failed += 1;
  } else if (index >= flowRuns / 2) {
    sampleId ??= outcome.flowRun.id;
  }
}

console.log(JSON.stringify({ seconds: (performance.now() - start) / 1000, flowRuns, taskRuns: counter.taskRuns, failed, sampleId }));
