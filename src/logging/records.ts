import type { TaskRun } from '../engine/runs.js';
import type { State } from '../states/state.js';
import type { LogLevel } from './levels.js';

// Every line a run prints starts as one of these records. The console
// formatter has one entry per `kind` (a mapped type), so a new kind does not
// compile until it knows how to print itself; a JSON format can come later
// from the same records.

/**
 * Who a line is about: a flow run, a task run (each by name, for the line,
 * and by id, for sinks that file it under its run), or a named logger.
 */
export type LogSource =
  | { readonly kind: 'flow-run'; readonly name: string; readonly id: string }
  | { readonly kind: 'task-run'; readonly name: string; readonly id: string; readonly flowRunId: string }
  | { readonly kind: 'logger'; readonly name: string };

// A task run's created and submitted lines carry the engine's run itself
// (`taskRun`), for a sink that keeps its own state on it (the history, which
// would otherwise need a map of every run by id); lines rebuilt from the
// history have none.

interface RecordBase {
  readonly time: number;
  readonly level: LogLevel;
  readonly source: LogSource;
}

export type LogRecord =
  | (RecordBase & { readonly kind: 'flow-run-created'; readonly flowRunId: string; readonly flowRunName: string; readonly flowName: string; readonly subflow: boolean })
  | (RecordBase & { readonly kind: 'runner-started'; readonly runnerName: string; readonly concurrency: string })
  | (RecordBase & { readonly kind: 'task-run-created'; readonly taskRunId: string; readonly taskRunName: string; readonly taskName: string; readonly taskRun?: TaskRun })
  | (RecordBase & { readonly kind: 'task-run-submitted'; readonly taskRunId: string; readonly taskRunName: string; readonly immediate: boolean; readonly taskRun?: TaskRun })
  | (RecordBase & { readonly kind: 'exception'; readonly error: unknown })
  | (RecordBase & { readonly kind: 'finished'; readonly state: State })
  | (RecordBase & { readonly kind: 'message'; readonly text: string });

export type LogRecordKind = LogRecord['kind'];
