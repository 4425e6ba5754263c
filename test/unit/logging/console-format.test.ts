import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';
import { formatLine, formatTime } from '../../../src/logging/console-format.js';
import { LOG_LEVELS, type LogLevel } from '../../../src/logging/levels.js';
import type { LogRecord, LogSource } from '../../../src/logging/records.js';
import { createColourStyles, PLAIN_STYLES } from '../../../src/logging/styles.js';
import { Cached, Cancelled, Completed, Crashed, Failed, NotReady, TimedOut, type State } from '../../../src/states/state.js';

// 15:07:10.015 local time, whatever the machine's time zone.
const TIME = new Date(2026, 0, 2, 15, 7, 10, 15).getTime();
const ENGINE: LogSource = { kind: 'logger', name: 'flowrun.engine' };
const FLOW_RUN_CREATED: LogRecord = {
  kind: 'flow-run-created',
  time: TIME,
  level: LOG_LEVELS.INFO,
  source: ENGINE,
  flowRunId: '0b0c5e5e-8f1a-4c53-9a3e-2d4f6a7b8c9d',
  flowRunName: 'mindful-tortoise',
  flowName: 'parallel-flow',
  subflow: false,
};
const FLOW_RUN: LogSource = { kind: 'flow-run', name: 'mindful-tortoise', id: '0b0c5e5e-8f1a-4c53-9a3e-2d4f6a7b8c9d' };
const TASK_RUN: LogSource = { kind: 'task-run', name: 'print_values-0bb9a2c3-0', id: '5f2d1c3b-7a6e-4d8f-9b0a-1c2d3e4f5a6b', flowRunId: '0b0c5e5e-8f1a-4c53-9a3e-2d4f6a7b8c9d' };

const message = (text: string, level: LogLevel = LOG_LEVELS.INFO, source: LogSource = FLOW_RUN): LogRecord => ({
  kind: 'message',
  time: TIME,
  level,
  source,
  text,
});

const finished = (state: State, source: LogSource = TASK_RUN, level: LogLevel = LOG_LEVELS.INFO): LogRecord => ({
  kind: 'finished',
  time: TIME,
  level,
  source,
  state,
});

const plain = (record: LogRecord): string => formatLine(record, PLAIN_STYLES);

describe('formatTime', () => {
  it('prints local HH:MM:SS.mmm with zero padding', () => {
    assert.equal(formatTime(TIME), '15:07:10.015');
    assert.equal(formatTime(new Date(2026, 5, 30, 0, 0, 0, 0).getTime()), '00:00:00.000');
    assert.equal(formatTime(new Date(2026, 5, 30, 9, 5, 3, 7).getTime()), '09:05:03.007');
    assert.equal(formatTime(new Date(2026, 5, 30, 23, 59, 59, 999).getTime()), '23:59:59.999');
  });
});

describe('formatLine: the lines of a run (LOGS.md)', () => {
  it('flow run created, from the engine logger', () => {
    assert.equal(plain(FLOW_RUN_CREATED), "15:07:10.015 | INFO    | flowrun.engine - Created flow run 'mindful-tortoise' for flow 'parallel-flow'");
  });

  it('subflow run created, from the parent flow run', () => {
    const record: LogRecord = {
      kind: 'flow-run-created',
      time: TIME,
      level: LOG_LEVELS.INFO,
      source: { kind: 'flow-run', name: 'parent', id: '0b0c5e5e-8f1a-4c53-9a3e-2d4f6a7b8c9d' },
      flowRunId: '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
      flowRunName: 'child-name',
      flowName: 'child',
      subflow: true,
    };
    assert.equal(plain(record), "15:07:10.015 | INFO    | Flow run 'parent' - Created subflow run 'child-name' for flow 'child'");
  });

  it('runner started, for each runner', () => {
    const started = (runnerName: string, concurrency: string): string =>
      plain({ kind: 'runner-started', time: TIME, level: LOG_LEVELS.INFO, source: FLOW_RUN, runnerName, concurrency });
    assert.equal(
      started('ConcurrentTaskRunner', 'concurrently'),
      "15:07:10.015 | INFO    | Flow run 'mindful-tortoise' - Starting 'ConcurrentTaskRunner'; submitted tasks will be run concurrently...",
    );
    assert.equal(
      started('SequentialTaskRunner', 'sequentially'),
      "15:07:10.015 | INFO    | Flow run 'mindful-tortoise' - Starting 'SequentialTaskRunner'; submitted tasks will be run sequentially...",
    );
    assert.equal(
      started('ParallelTaskRunner', 'in parallel'),
      "15:07:10.015 | INFO    | Flow run 'mindful-tortoise' - Starting 'ParallelTaskRunner'; submitted tasks will be run in parallel...",
    );
  });

  it('task run created', () => {
    const record: LogRecord = {
      kind: 'task-run-created',
      time: TIME,
      level: LOG_LEVELS.INFO,
      source: FLOW_RUN,
      taskRunId: '5f2d1c3b-7a6e-4d8f-9b0a-1c2d3e4f5a6b',
      taskRunName: 'print_values-0bb9a2c3-0',
      taskName: 'print_values',
    };
    assert.equal(plain(record), "15:07:10.015 | INFO    | Flow run 'mindful-tortoise' - Created task run 'print_values-0bb9a2c3-0' for task 'print_values'");
  });

  it('task run submitted, or executed immediately', () => {
    const submitted = (immediate: boolean): string =>
      plain({ kind: 'task-run-submitted', time: TIME, level: LOG_LEVELS.INFO, source: FLOW_RUN, taskRunId: 'a', taskRunName: 'print_values-0bb9a2c3-0', immediate });
    assert.equal(submitted(false), "15:07:10.015 | INFO    | Flow run 'mindful-tortoise' - Submitted task run 'print_values-0bb9a2c3-0' for execution.");
    assert.equal(submitted(true), "15:07:10.015 | INFO    | Flow run 'mindful-tortoise' - Executing 'print_values-0bb9a2c3-0' immediately...");
  });

  it('task run finished Completed()', () => {
    assert.equal(plain(finished(Completed())), "15:07:10.015 | INFO    | Task run 'print_values-0bb9a2c3-0' - Finished in state Completed()");
  });

  it("flow run finished Completed('All states completed.')", () => {
    assert.equal(
      plain(finished(Completed({ message: 'All states completed.' }), FLOW_RUN)),
      "15:07:10.015 | INFO    | Flow run 'mindful-tortoise' - Finished in state Completed('All states completed.')",
    );
  });

  it('a failed task, at ERROR', () => {
    assert.equal(
      plain(finished(Failed({ message: 'Task run encountered an exception Error: disk on fire' }), TASK_RUN, LOG_LEVELS.ERROR)),
      "15:07:10.015 | ERROR   | Task run 'print_values-0bb9a2c3-0' - Finished in state Failed('Task run encountered an exception Error: disk on fire')",
    );
  });

  it('a timed-out task', () => {
    assert.equal(
      plain(finished(TimedOut({ message: 'Task run exceeded timeout of 1 second(s)' }), TASK_RUN, LOG_LEVELS.ERROR)),
      "15:07:10.015 | ERROR   | Task run 'print_values-0bb9a2c3-0' - Finished in state TimedOut('Task run exceeded timeout of 1 second(s)', type=FAILED)",
    );
  });

  it('a task whose upstream failed', () => {
    const state = NotReady({ message: "Upstream task run 'boom-5d41402a-0' did not reach a 'COMPLETED' state." });
    assert.equal(
      plain(finished(state, { kind: 'task-run', name: 'after-1a2b3c4d-0', id: '5f2d1c3b-7a6e-4d8f-9b0a-1c2d3e4f5a6b', flowRunId: '0b0c5e5e-8f1a-4c53-9a3e-2d4f6a7b8c9d' }, LOG_LEVELS.ERROR)),
      `15:07:10.015 | ERROR   | Task run 'after-1a2b3c4d-0' - Finished in state NotReady("Upstream task run 'boom-5d41402a-0' did not reach a 'COMPLETED' state.", type=PENDING)`,
    );
  });

  it('a cache hit', () => {
    assert.equal(plain(finished(Cached())), "15:07:10.015 | INFO    | Task run 'print_values-0bb9a2c3-0' - Finished in state Cached(type=COMPLETED)");
  });

  it('a cancelled flow run', () => {
    assert.equal(
      plain(finished(Cancelled({ message: 'Execution was aborted by an interrupt signal.' }), FLOW_RUN, LOG_LEVELS.ERROR)),
      "15:07:10.015 | ERROR   | Flow run 'mindful-tortoise' - Finished in state Cancelled('Execution was aborted by an interrupt signal.')",
    );
  });

  it('a plain message from a run logger', () => {
    assert.equal(
      plain(message("Running hook 'notify' in response to entering state 'Failed'")),
      "15:07:10.015 | INFO    | Flow run 'mindful-tortoise' - Running hook 'notify' in response to entering state 'Failed'",
    );
  });

  it('an exception: the header, then the stack on the following lines as is', () => {
    const error = new Error('disk on fire');
    error.stack = [
      'Error: disk on fire',
      '    at explode (file:///home/me/proj/flows/etl.ts:3:9)',
      '    at main (file:///home/me/proj/flows/etl.ts:9:3)',
    ].join('\n');
    const record: LogRecord = { kind: 'exception', time: TIME, level: LOG_LEVELS.ERROR, source: TASK_RUN, error };
    assert.deepEqual(plain(record).split('\n'), [
      "15:07:10.015 | ERROR   | Task run 'print_values-0bb9a2c3-0' - Encountered exception during execution:",
      'Error: disk on fire',
      '    at explode (file:///home/me/proj/flows/etl.ts:3:9)',
      '    at main (file:///home/me/proj/flows/etl.ts:9:3)',
    ]);
  });

  it('a multi-line message continues on the following lines as is', () => {
    assert.deepEqual(plain(message('first\n  second\nthird', LOG_LEVELS.WARNING)).split('\n'), [
      "15:07:10.015 | WARNING | Flow run 'mindful-tortoise' - first",
      '  second',
      'third',
    ]);
  });
});

describe('formatLine: levels', () => {
  const levels: readonly [LogLevel, string][] = [
    [LOG_LEVELS.DEBUG, 'DEBUG  '],
    [LOG_LEVELS.INFO, 'INFO   '],
    [LOG_LEVELS.WARNING, 'WARNING'],
    [LOG_LEVELS.ERROR, 'ERROR  '],
    [LOG_LEVELS.CRITICAL, 'CRITICAL'],
  ];
  for (const [level, padded] of levels) {
    it(`pads ${padded.trim()} to seven characters`, () => {
      assert.equal(plain(message('hello', level, ENGINE)), `15:07:10.015 | ${padded} | flowrun.engine - hello`);
    });
  }
});

describe('formatLine: colour', () => {
  const colour = createColourStyles(new Chalk({ level: 1 }));
  const line = (record: LogRecord): string => formatLine(record, colour);

  it('colours INFO cyan and the flow run name magenta', () => {
    assert.equal(
      line(message('hello')),
      "15:07:10.015 | \u001b[36mINFO   \u001b[39m | Flow run \u001b[35m'mindful-tortoise'\u001b[39m - hello",
    );
  });

  it('colours WARNING yellow, ERROR red and CRITICAL bright red, and leaves DEBUG alone', () => {
    assert.ok(line(message('x', LOG_LEVELS.WARNING, ENGINE)).includes('\u001b[33mWARNING\u001b[39m'));
    assert.ok(line(message('x', LOG_LEVELS.ERROR, ENGINE)).includes('\u001b[31mERROR  \u001b[39m'));
    assert.ok(line(message('x', LOG_LEVELS.CRITICAL, ENGINE)).includes('\u001b[91mCRITICAL\u001b[39m'));
    assert.equal(line(message('x', LOG_LEVELS.DEBUG, ENGINE)), '15:07:10.015 | DEBUG   | flowrun.engine - x');
  });

  it('colours the flow run name magenta and the flow name bold magenta', () => {
    const text = line(FLOW_RUN_CREATED);
    assert.ok(text.includes("run \u001b[35m'mindful-tortoise'\u001b[39m for"), text);
    assert.ok(text.includes("flow \u001b[1m\u001b[35m'parallel-flow'\u001b[39m\u001b[22m"), text);
  });

  it('colours a Completed state name green', () => {
    assert.ok(
      line(finished(Completed({ message: 'All states completed.' }))).endsWith("Finished in state \u001b[32mCompleted\u001b[39m('All states completed.')"),
    );
  });

  it('colours a Failed state name red', () => {
    assert.ok(line(finished(Failed({ message: 'boom' }), TASK_RUN, LOG_LEVELS.ERROR)).endsWith("Finished in state \u001b[31mFailed\u001b[39m('boom')"));
  });

  it('colours TimedOut red, Crashed bright red, Cancelled yellow and Cached bright blue', () => {
    assert.ok(line(finished(TimedOut({ message: 't' }))).endsWith("\u001b[31mTimedOut\u001b[39m('t', type=FAILED)"));
    assert.ok(line(finished(Crashed({ message: 'c' }))).endsWith("\u001b[91mCrashed\u001b[39m('c')"));
    assert.ok(line(finished(Cancelled({ message: 'x' }))).endsWith("\u001b[33mCancelled\u001b[39m('x')"));
    assert.ok(line(finished(Cached())).endsWith('\u001b[94mCached\u001b[39m(type=COMPLETED)'));
  });

  it('prints no escape codes with the plain styles', () => {
    assert.ok(!plain(finished(Failed({ message: 'boom' }), FLOW_RUN, LOG_LEVELS.ERROR)).includes('\u001b['));
  });
});
