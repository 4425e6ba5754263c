import type { State } from '../states/state.js';
import type { KeptResult } from './kept-result.js';
import { logRecordValues, orNull, usualStateName, type LogRecordInsert } from './statements.js';

// What the recorder hands to the database writer: a batch of writes as one
// flat array of values. Flat, because a batch may cross to the writer thread
// (history-writer.ts), and copying an array of strings and numbers between
// threads costs a fraction of copying as many objects, and because the rows
// of a batch it writes 64 at a time are arrays of values too.
//
// Each write begins with its kind, then a fixed number of values.

export type WriteBatch = unknown[];

export const TASK_RUN = 1;
export const STATE_CHANGE = 2;
export const LOG_RECORD = 3;
/**
 * A new task run's row that is plain (statements.ts): Completed with no
 * message at its first try, called by submission, its result inline or
 * none. Most of a large run's are, and they cross with 12 values, not 21.
 */
export const PLAIN_TASK_RUN = 4;

/** How a task run's row is written. */
export const INSERT = 0;
/** It was written before, in progress: its row is updated. */
export const UPDATE = 1;
/** The first write of a task run of a retried flow run: it takes over the earlier attempt's row. */
export const TAKE_OVER = 2;
export type TaskRunMode = typeof INSERT | typeof UPDATE | typeof TAKE_OVER;

/** Where each value of a task run's write is, from its kind. */
export const TASK_RUN_AT = {
  id: 1,
  flowRunSeq: 2,
  mode: 3,
  taskSeq: 4,
  /** Then the row's columns from dynamic_key to end_position (statements.ts), in order. */
  dynamicKey: 5,
  name: 6,
  immediate: 7,
  stateType: 8,
  stateName: 9,
  stateMessage: 10,
  created: 11,
  startTime: 12,
  endTime: 13,
  runCount: 14,
  createdPosition: 15,
  endPosition: 16,
  resultInputs: 17,
  resultValue: 18,
  resultFile: 19,
  resultFileText: 20,
  resultProblem: 21,
} as const;
export const TASK_RUN_SIZE = 22;
/** A plain task run's write: its kind, then id, flow run seq, task seq, dynamic key, name, created, start, end, created and end positions, result inputs and value. */
export const PLAIN_TASK_RUN_SIZE = 13;
export const STATE_CHANGE_SIZE = 7;
export const LOG_RECORD_SIZE = 9;

export interface TaskRunWrite {
  readonly id: string;
  readonly flowRunSeq: number;
  readonly mode: TaskRunMode;
  /** Its task's row (HistoryStatements.taskSeq). */
  readonly taskSeq: number;
  readonly dynamicKey: number;
  readonly name: string;
  readonly immediate: boolean;
  readonly state: State;
  readonly created: number;
  readonly startTime: number | undefined;
  /** Undefined while the run goes on: its row is written again when it ends. */
  readonly endTime: number | undefined;
  readonly runCount: number;
  readonly createdPosition: number;
  readonly endPosition: number | undefined;
  readonly result: KeptResult | undefined;
}

export const pushTaskRun = (batch: WriteBatch, run: TaskRunWrite): void => {
  const { state, result } = run;
  if (
    run.mode === INSERT &&
    state.type === 'COMPLETED' &&
    state.message === undefined &&
    state.name === usualStateName(state.type) &&
    !run.immediate &&
    run.runCount === 1 &&
    run.endTime !== undefined &&
    (result === undefined || (result.file === null && result.problem === null))
  ) {
    batch.push(
      PLAIN_TASK_RUN,
      run.id,
      run.flowRunSeq,
      run.taskSeq,
      run.dynamicKey,
      run.name,
      run.created,
      orNull(run.startTime),
      run.endTime,
      run.createdPosition,
      orNull(run.endPosition),
      result?.inputs ?? null,
      result?.value ?? null,
    );
    return;
  }
  batch.push(
    TASK_RUN,
    run.id,
    run.flowRunSeq,
    run.mode,
    run.taskSeq,
    run.dynamicKey,
    run.name,
    run.immediate ? 1 : 0,
    state.type,
    // The usual name of its type is left out of the row.
    state.name === usualStateName(state.type) ? null : state.name,
    orNull(state.message),
    run.created,
    orNull(run.startTime),
    orNull(run.endTime),
    run.runCount,
    run.createdPosition,
    orNull(run.endPosition),
    result?.inputs ?? null,
    result?.value ?? null,
    result?.file?.path ?? null,
    result?.file?.text ?? null,
    result?.problem ?? null,
  );
};

/** A state change of a flow run, or (`ofTaskRun`) of the task run written just before it in the batch. */
export const pushStateChange = (batch: WriteBatch, flowRunSeq: number, ofTaskRun: boolean, state: State): void => {
  batch.push(STATE_CHANGE, flowRunSeq, ofTaskRun ? 1 : 0, state.timestamp, state.type, state.name, orNull(state.message));
};

export const pushLogRecord = (batch: WriteBatch, record: LogRecordInsert): void => {
  batch.push(LOG_RECORD, ...logRecordValues(record));
};
