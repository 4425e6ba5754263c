import type { FlowRun, TaskRun } from '../engine/runs.js';
import type { State } from '../states/state.js';
import type { LogLevel } from './levels.js';
import type { LogRecord } from './records.js';

// Where the engine sends what happens: log records, and every task run state
// change (the spinner counts those). The console reporter is the real one;
// tests pass one that keeps records in memory.
export interface RunReporter {
  /** The lowest level that is printed; the engine builds no record below it. */
  readonly level: LogLevel;
  log(record: LogRecord): void;
  /** A task run's state changed from `previous` (undefined for a new run) to `state`. */
  taskRunStateChanged(run: TaskRun, state: State, previous: State | undefined): void;
  /** A flow run's state changed from `previous` (undefined for a new run) to `state`. */
  flowRunStateChanged?(run: FlowRun, state: State, previous: State | undefined): void;
  /**
   * Task code is about to run in this thread and may hold it: a reporter
   * that holds lines back to write them together writes them now.
   */
  beforeUserCode?(): void;
  /** Stops the spinner, if any, leaving nothing behind on the terminal. */
  close(): void;
}
