import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ConcurrentTaskRunner, flow, getRunContext, getRunLogger, task } from '../../../src/index.js';
import { openHistory } from '../../../src/history/database.js';
import { listFlowRuns, logRecordsOf, subflowRunsOf, taskRunsOf, findFlowRun } from '../../../src/history/queries.js';
import { HistoryRecorder } from '../../../src/history/recorder.js';
import { parseDuration, prune } from '../../../src/history/prune.js';
import { HistoryTooNewError, migrate, SCHEMA_VERSION } from '../../../src/history/schema.js';
import { loadEarlierAttempt } from '../../../src/history/earlier-attempt.js';
import Database from 'better-sqlite3';
import { formatLine } from '../../../src/logging/console-format.js';
import { RunEventStream } from '../../../src/logging/event-stream.js';
import { LOG_LEVELS, type LogLevel } from '../../../src/logging/levels.js';
import { PLAIN_STYLES } from '../../../src/logging/styles.js';
import type { Runtime } from '../../../src/engine/runtime.js';
import { MemoryReporter } from '../../helpers/memory-reporter.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const addOne = task('history_add_one', (x: number) => x + 1);
let attempts = 0;
const flaky = task({ name: 'history_flaky', retries: 1 }, () => {
  attempts += 1;
  if (attempts % 2 === 1) {
    throw new Error('first try fails');
  }
  getRunLogger().warning('second try works');
  return 'ok';
});
const child = flow({ name: 'history_child' }, async ({ n }: { n: number }) => addOne(n));
const parent = flow({ name: 'history_parent' }, async () => {
  const numbers = await Promise.all(addOne.map([1, 2, 3]));
  await child({ n: 10 });
  await flaky.submit();
  return numbers;
});
const failing = flow({ name: 'history_failing' }, async () => {
  await task('history_boom', () => {
    throw new Error('boom');
  })();
});

let clock = Date.UTC(2026, 0, 1, 12, 0, 0);

// Runs a flow with the console (a memory reporter) and the history reading
// one stream, as `flow run` does, and gives both.
const record = async (
  test: TestContext,
  definition: { execute: typeof parent.execute },
  level: LogLevel = LOG_LEVELS.INFO,
  storeDir = makeTempDir(test, 'flowrun-history-'),
  recorderOptions: { threadAfterTaskRuns?: number; flushAfterMs?: number } = {},
) => {
  const db = openHistory(storeDir, { create: true });
  const memory = new MemoryReporter(level);
  const failures: unknown[] = [];
  const recorder = new HistoryRecorder({
    db,
    level,
    flowFile: '/project/flows/x.ts',
    flowExport: 'default',
    describeParameters: (run) => ({ parameters: run.parameters, secretNames: [] }),
    mask: (text) => text,
    pid: process.pid,
    host: 'test-host',
    onFailure: (error) => failures.push(error),
    ...recorderOptions,
  });
  const stream = new RunEventStream([memory, recorder], (_sink, error) => failures.push(error));
  const runtime: Runtime = { reporter: stream, now: () => (clock += 1), random: () => 0.5 };
  const outcome = await definition.execute({}, { runner: new ConcurrentTaskRunner(), runtime, keepResults: true });
  stream.close();
  assert.deepEqual(failures, []);
  const printed = memory.records.filter((item) => item.level >= level).map((item) => formatLine(item, PLAIN_STYLES));
  return { storeDir, outcome, printed };
};

describe('the run history', () => {
  it('keeps a flow run, its task runs and its subflow run, each with its id, state and parent', async (t) => {
    const { storeDir, outcome } = await record(t, parent);
    const db = openHistory(storeDir, { create: false });
    assert.ok(db);
    t.after(() => db.close());
    const runs = listFlowRuns(db, { limit: 10 });
    assert.equal(runs.length, 2);
    const top = runs.find((run) => run.parentId === undefined);
    const sub = runs.find((run) => run.parentId !== undefined);
    assert.ok(top && sub);
    assert.equal(top.id, outcome.flowRun.id);
    assert.equal(top.flowName, 'history_parent');
    assert.equal(top.state.type, 'COMPLETED');
    assert.equal(top.runner, 'ConcurrentTaskRunner');
    assert.equal(top.flowFile, '/project/flows/x.ts');
    assert.equal(sub.parentId, top.id);
    assert.deepEqual(sub.parameters, { n: 10 });
    assert.deepEqual(subflowRunsOf(db, top.seq).map((run) => run.id), [sub.id]);

    const taskRuns = taskRunsOf(db, [top.seq]);
    assert.deepEqual(taskRuns.map((run) => [run.name.replace(/-[0-9a-f]{8}-/, '-'), run.state.name, run.runCount]), [
      ['history_add_one-0', 'Completed', 1],
      ['history_add_one-1', 'Completed', 1],
      ['history_add_one-2', 'Completed', 1],
      ['history_flaky-0', 'Completed', 2],
    ]);
    for (const run of taskRuns) {
      assert.match(run.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.ok(run.endTime !== undefined && run.startTime !== undefined && run.endTime >= run.startTime);
    }
    // The retry's own states are kept beside the row.
    const changes = db.prepare('SELECT name FROM state_changes WHERE task_run_seq = ? ORDER BY rowid').pluck().all(taskRuns[3]?.seq);
    assert.deepEqual(changes, ['Retrying']);
  });

  it('gives back the lines the console printed, to the letter and in order, those it rebuilds from rows included', async (t) => {
    const { storeDir, printed, outcome } = await record(t, parent);
    const db = openHistory(storeDir, { create: false });
    assert.ok(db);
    t.after(() => db.close());
    const top = findFlowRun(db, outcome.flowRun.id);
    assert.equal(top.kind, 'found');
    const runs = top.kind === 'found' ? [top.run, ...subflowRunsOf(db, top.run.seq)] : [];
    const rebuilt = logRecordsOf(db, runs, { level: LOG_LEVELS.DEBUG }).map((item) => formatLine(item, PLAIN_STYLES));
    assert.deepEqual(rebuilt, printed);
    assert.ok(printed.some((line) => line.includes("Created task run 'history_add_one-")));
    assert.ok(printed.some((line) => line.includes('second try works')));
  });

  it('keeps only what the run printed at its log level', async (t) => {
    const { storeDir, printed } = await record(t, failing, LOG_LEVELS.ERROR);
    const db = openHistory(storeDir, { create: false });
    assert.ok(db);
    t.after(() => db.close());
    const [run] = listFlowRuns(db, { limit: 1 });
    assert.ok(run);
    const rebuilt = logRecordsOf(db, [run], { level: LOG_LEVELS.DEBUG }).map((item) => formatLine(item, PLAIN_STYLES));
    assert.deepEqual(rebuilt, printed);
    assert.ok(rebuilt.every((line) => / \| ERROR {3}\| /.test(line)), rebuilt.join('\n'));
    assert.equal(db.prepare("SELECT count(*) FROM log_records WHERE level < 40").pluck().get(), 0);
  });

  it('finds a run by id, by a unique prefix of 4 characters or more, and by name (the newest)', async (t) => {
    const storeDir = makeTempDir(t, 'flowrun-history-');
    const first = await record(t, failing, LOG_LEVELS.INFO, storeDir);
    const second = await record(t, failing, LOG_LEVELS.INFO, storeDir);
    const db = openHistory(storeDir, { create: false });
    assert.ok(db);
    t.after(() => db.close());
    const id = first.outcome.flowRun.id;
    for (const reference of [id, id.slice(0, 4), id.slice(0, 13).toUpperCase()]) {
      const found = findFlowRun(db, reference);
      assert.equal(found.kind === 'found' ? found.run.id : found.kind, id, reference);
    }
    assert.equal(findFlowRun(db, id.slice(0, 3)).kind, 'none');
    // The test runtime's fixed random source names every run alike.
    const byName = findFlowRun(db, second.outcome.flowRun.name);
    assert.equal(byName.kind === 'found' ? byName.run.id : byName.kind, second.outcome.flowRun.id);
    assert.deepEqual(listFlowRuns(db, { state: 'failed', limit: 10 }).length, 2);
    assert.deepEqual(listFlowRuns(db, { state: 'COMPLETED', limit: 10 }).length, 0);
  });

  it('prunes a run that ended before the cutoff with its subflow runs, task runs, state changes and log records, and keeps the newer', async (t) => {
    const storeDir = makeTempDir(t, 'flowrun-history-');
    const old = await record(t, parent, LOG_LEVELS.INFO, storeDir);
    const db = openHistory(storeDir, { create: false });
    assert.ok(db);
    t.after(() => db.close());
    const oldEnd = db.prepare('SELECT end_time FROM flow_runs WHERE id = ?').pluck().get(old.outcome.flowRun.id) as number;
    const recent = await record(t, failing, LOG_LEVELS.INFO, storeDir);
    const recentEnd = db.prepare('SELECT end_time FROM flow_runs WHERE id = ?').pluck().get(recent.outcome.flowRun.id) as number;
    assert.ok(recentEnd > oldEnd);
    const rows = (): Record<string, number> =>
      Object.fromEntries(['flow_runs', 'task_runs', 'state_changes', 'log_records'].map((table) => [table, db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number]));
    const recentLines = db.prepare('SELECT count(*) FROM log_records l JOIN flow_runs f ON f.seq = l.flow_run_seq WHERE f.id = ?').pluck().get(recent.outcome.flowRun.id);
    assert.ok(rows()['state_changes']! > 0);
    assert.deepEqual(prune(db, storeDir, oldEnd + 1), { flowRuns: 1, subflowRuns: 1, taskRuns: 5 });
    assert.deepEqual(rows(), { flow_runs: 1, task_runs: 1, state_changes: 0, log_records: recentLines });
    assert.deepEqual(listFlowRuns(db, { limit: 10 }).map((run) => run.id), [recent.outcome.flowRun.id]);
  });

  it('writes a large run from its writer thread whole: every task run with its result, and one still going while it goes', async (t) => {
    const storeDir = makeTempDir(t, 'flowrun-history-');
    let sawSlowOneGoing = false;
    const slow = task('history_slow', async () => {
      // It lasts past two ticks of the recorder's timer: it is written while it goes on.
      const db = openHistory(storeDir, { create: false });
      const seen = db?.prepare("SELECT state_type FROM task_runs WHERE name LIKE 'history_slow-%'").pluck();
      try {
        for (let waited = 0; waited < 10_000 && !sawSlowOneGoing; waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          sawSlowOneGoing = seen?.get() === 'RUNNING';
        }
      } finally {
        db?.close();
      }
      return 'slow';
    });
    const large = flow({ name: 'history_large' }, async () => {
      const slowOne = slow.submit();
      const numbers = await Promise.all(addOne.map(Array.from({ length: 3000 }, (_, index) => index)));
      return [numbers.length, await slowOne];
    });
    const { outcome } = await record(t, large, LOG_LEVELS.WARNING, storeDir, { threadAfterTaskRuns: 100, flushAfterMs: 50 });
    assert.deepEqual(outcome.state.type, 'COMPLETED');
    assert.ok(sawSlowOneGoing, 'the slow task run was not written while it went on');
    const db = openHistory(storeDir, { create: false });
    assert.ok(db);
    t.after(() => db.close());
    const [top] = listFlowRuns(db, { limit: 1 });
    assert.ok(top);
    const taskRuns = taskRunsOf(db, [top.seq]);
    assert.equal(taskRuns.length, 3001);
    assert.ok(
      taskRuns.every((run) => run.state.name === 'Completed' && run.runCount === 1 && run.startTime !== undefined && run.endTime !== undefined && run.endTime >= run.startTime),
      'a task run was not written whole with its end',
    );
    const results = db.prepare('SELECT t.dynamic_key, t.result_value AS value FROM task_runs t JOIN tasks k ON k.seq = t.task_seq WHERE k.name = ?').all('history_add_one') as { dynamic_key: number; value: string }[];
    assert.equal(results.length, 3000);
    assert.ok(results.every((row) => row.value === String(row.dynamic_key + 1)));
  });

  it('leaves its record of a task run out of what the run shows its code', async (t) => {
    const describe = task('history_describe', () => {
      const context = getRunContext();
      return context?.kind === 'task' ? JSON.stringify(context.taskRun) : 'no task context';
    });
    const { outcome } = await record(t, flow({ name: 'history_describe_flow' }, async () => describe()));
    const shown = JSON.parse(String(outcome.state.data)) as Record<string, unknown>;
    assert.equal(typeof shown['id'], 'string');
    assert.equal(shown['taskName'], 'history_describe');
  });

  it('turns itself off with one failure when its writer thread fails, and the run goes on to its end', async (t) => {
    const storeDir = makeTempDir(t, 'flowrun-history-');
    const setUp = openHistory(storeDir, { create: true });
    // A write that fails in the writer thread, as a full disk would.
    setUp.exec("CREATE TRIGGER refuse BEFORE INSERT ON task_runs WHEN NEW.dynamic_key = 2500 BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    setUp.close();
    const many = flow({ name: 'history_many' }, async () => (await Promise.all(addOne.map(Array.from({ length: 5000 }, (_, index) => index)))).length);
    const db = openHistory(storeDir, { create: false });
    assert.ok(db);
    const failures: unknown[] = [];
    const recorder = new HistoryRecorder({
      db,
      level: LOG_LEVELS.WARNING,
      flowFile: undefined,
      flowExport: undefined,
      describeParameters: () => ({ parameters: {}, secretNames: [] }),
      mask: (text) => text,
      pid: process.pid,
      host: 'test-host',
      onFailure: (error) => failures.push(error),
      threadAfterTaskRuns: 100,
    });
    const runtime: Runtime = { reporter: new RunEventStream([recorder], (_sink, error) => failures.push(error)), now: () => (clock += 1), random: () => 0.5 };
    const outcome = await many.execute({}, { runner: new ConcurrentTaskRunner(), runtime, keepResults: true });
    runtime.reporter.close();
    assert.equal(outcome.state.type, 'COMPLETED');
    assert.equal(outcome.state.data, 5000);
    assert.equal(failures.length, 1);
    assert.match(String(failures[0]), /database or disk is full/);
  });

  it('moves the results of a version 2 history into their task runs\' rows, which a retry reads', (t) => {
    const storeDir = makeTempDir(t, 'flowrun-history-');
    const old = new Database(join(storeDir, 'history.db'));
    migrate(old, 2);
    old.exec(`
      INSERT INTO flow_runs (seq, id, name, flow_name, parameters, secret_names, runner, log_level, state_type, state_name, created, run_count, pid, host, position)
        VALUES (1, 'f1', 'old-run', 'etl', '{}', '[]', 'ConcurrentTaskRunner', 20, 'FAILED', 'Failed', 1, 1, 1, 'h', 1);
      INSERT INTO tasks (seq, key, name) VALUES (1, 'flows/etl.ts:extract', 'extract');
      INSERT INTO task_runs (seq, id, flow_run_seq, task_seq, dynamic_key, name, immediate, state_type, created, run_count, created_position)
        VALUES (1, 't1', 1, 1, 0, 'extract-0', 0, 'COMPLETED', 1, 1, 2), (2, 't2', 1, 1, 1, 'extract-1', 0, 'COMPLETED', 1, 1, 3),
               (3, 't3', 1, 1, 2, 'extract-2', 0, 'COMPLETED', 1, 1, 4), (4, 't4', 1, 1, 3, 'extract-3', 0, 'COMPLETED', 1, 1, 5);
      INSERT INTO results (task_run_seq, inputs, value, file, problem)
        VALUES (1, '[1]', '{"rows":2}', NULL, NULL), (2, NULL, NULL, NULL, 'it holds a secret parameter''s value'), (3, '[3]', NULL, NULL, NULL);
    `);
    old.close();
    const db = openHistory(storeDir, { create: false });
    assert.ok(db);
    t.after(() => db.close());
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'results'").pluck().get(), 0);
    const earlier = loadEarlierAttempt(db, storeDir, { seq: 1, id: 'f1', name: 'old-run', runCount: 1 });
    const kept = earlier.taskRun('flows/etl.ts:extract', 0)?.result;
    assert.deepEqual(kept?.kind === 'kept' ? [kept.inputs, kept.read()] : kept, ['[1]', { rows: 2 }]);
    assert.deepEqual(earlier.taskRun('flows/etl.ts:extract', 1)?.result, { kind: 'not-kept', reason: "it holds a secret parameter's value" });
    const undefinedResult = earlier.taskRun('flows/etl.ts:extract', 2)?.result;
    assert.deepEqual(undefinedResult?.kind === 'kept' ? [undefinedResult.inputs, undefinedResult.read()] : undefinedResult, ['[3]', undefined]);
    assert.deepEqual(earlier.taskRun('flows/etl.ts:extract', 3)?.result, { kind: 'not-kept', reason: 'the run history did not record it' });
  });

  it('reads durations of seconds, minutes, hours, days and weeks, and nothing else', () => {
    assert.deepEqual(['45s', '90m', '12h', '30d', '2w', ' 1d '].map(parseDuration), [45_000, 5_400_000, 43_200_000, 2_592_000_000, 1_209_600_000, 86_400_000]);
    for (const text of ['', '30', 'd', '1.5h', '-1d', '30 days', '1y']) {
      assert.equal(parseDuration(text), undefined, text);
    }
  });

  it('leaves a database of a newer flowrun alone, and refuses a file that is not a database', (t) => {
    const storeDir = makeTempDir(t, 'flowrun-history-');
    const db = openHistory(storeDir, { create: true });
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => openHistory(storeDir, { create: true }), HistoryTooNewError);
    const other = makeTempDir(t, 'flowrun-history-');
    writeFileSync(join(other, 'history.db'), 'this is not a database, but a text file that happens to sit where the history goes');
    assert.throws(() => openHistory(other, { create: true }), /not a database/);
  });
});
