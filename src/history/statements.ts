import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { State, StateType } from '../states/state.js';
import type { HistoryDatabase } from './database.js';
import { makeDirs } from '../util/make-dirs.js';

// The recorder's writes, each a statement prepared once per database.

export interface FlowRunInsert {
  readonly id: string;
  readonly name: string;
  readonly flowName: string;
  readonly parentSeq: number | undefined;
  readonly flowFile: string | undefined;
  readonly flowExport: string | undefined;
  readonly parameters: string;
  readonly secretNames: string;
  readonly runner: string;
  readonly logLevel: number;
  readonly state: State;
  readonly runCount: number;
  readonly pid: number;
  readonly host: string;
  readonly position: number;
}

export interface LogRecordInsert {
  readonly flowRunSeq: number;
  readonly taskRunId: string | undefined;
  readonly sourceKind: string;
  readonly sourceName: string;
  readonly time: number;
  readonly level: number;
  readonly message: string;
  readonly position: number;
}

const usualNames = new Map<StateType, string>();

/** The name a state of this type has unless it says otherwise (`Completed`), which the history leaves out. */
export const usualStateName = (type: StateType): string => {
  let name = usualNames.get(type);
  if (name === undefined) {
    name = `${type.charAt(0)}${type.slice(1).toLowerCase()}`;
    usualNames.set(type, name);
  }
  return name;
};

export const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** A log record's values in the order of its table's insert (and of a batch's log record write). */
export const logRecordValues = (record: LogRecordInsert): unknown[] => [
  record.flowRunSeq,
  orNull(record.taskRunId),
  record.sourceKind,
  record.sourceName,
  record.time,
  record.level,
  record.message,
  record.position,
];

/** The columns of a task run's row, in the order of the values the writes below take. */
const TASK_RUN_COLUMNS = `seq, id, flow_run_seq, task_seq, dynamic_key, name, immediate, state_type, state_name, state_message,
  created, start_time, end_time, run_count, created_position, end_position, result_inputs, result_value, result_file, result_problem`;
export const TASK_RUN_VALUES = 20;
/** Rows a multi-row INSERT writes: one statement of 64 rows costs far less than 64 of one. */
export const ROWS_PER_INSERT = 64;

// Most task runs of a large run are plain: called once, Completed with no
// message, their result kept inline. Their rows are written by a statement
// that has those values as constants: binding 13 values a row rather than
// 20 made writing them about 15% cheaper.
const PLAIN_TASK_RUN_VALUES = `(?, ?, ?, ?, ?, ?, 0, 'COMPLETED', NULL, NULL, ?, ?, ?, 1, ?, ?, ?, ?, NULL, NULL)`;
/** The values a plain task run's row binds: seq, id, flow run, task, dynamic key, name, created, start, end, created and end positions, result inputs and value. */
export const PLAIN_TASK_RUN_BOUND = 13;

const placeholders = (rows: number, values: number): string =>
  Array.from({ length: rows }, () => `(${Array.from({ length: values }, () => '?').join(', ')})`).join(', ');

// `rows` rows of `width` values: ROWS_PER_INSERT through the statement of
// that many, fewer one by one through the statement of one.
const runGrouped = (grouped: Statement, single: Statement, values: readonly unknown[], rows: number, width: number): void => {
  if (rows === ROWS_PER_INSERT) {
    grouped.run(values);
    return;
  }
  for (let row = 0; row < rows; row += 1) {
    single.run(values.slice(row * width, (row + 1) * width));
  }
};

export class HistoryStatements {
  readonly #db: HistoryDatabase;
  readonly #insertFlowRun: Statement;
  readonly #startFlowRun: Statement;
  readonly #endFlowRun: Statement;
  readonly #insertTask: Statement;
  readonly #selectTask: Statement;
  readonly #nextTaskRunSeq: Statement;
  readonly #insertTaskRun: Statement;
  readonly #insertTaskRuns: Statement;
  readonly #insertPlainTaskRun: Statement;
  readonly #insertPlainTaskRuns: Statement;
  readonly #takeOverTaskRun: Statement;
  readonly #selectTaskRunSeq: Statement;
  readonly #updateTaskRun: Statement;
  readonly #insertStateChange: Statement;
  readonly #insertLogRecord: Statement;
  readonly #taskSeqs = new Map<string, number>();

  constructor(db: HistoryDatabase) {
    this.#db = db;
    this.#insertFlowRun = db.prepare(`
      INSERT INTO flow_runs (id, name, flow_name, parent_seq, flow_file, flow_export, parameters, secret_names, runner, log_level,
        state_type, state_name, state_message, created, run_count, pid, host, position)
      VALUES (@id, @name, @flowName, @parentSeq, @flowFile, @flowExport, @parameters, @secretNames, @runner, @logLevel,
        @stateType, @stateName, @stateMessage, @created, @runCount, @pid, @host, @position)
      ON CONFLICT (id) DO UPDATE SET
        state_type = excluded.state_type, state_name = excluded.state_name, state_message = excluded.state_message,
        parameters = excluded.parameters, runner = excluded.runner, log_level = excluded.log_level,
        start_time = NULL, end_time = NULL, run_count = excluded.run_count, pid = excluded.pid, host = excluded.host
      RETURNING seq`);
    this.#startFlowRun = db.prepare(`UPDATE flow_runs SET state_type = 'RUNNING', state_name = 'Running', state_message = NULL,
      start_time = ? WHERE seq = ?`);
    this.#endFlowRun = db.prepare(`UPDATE flow_runs SET state_type = ?, state_name = ?, state_message = ?, end_time = ? WHERE seq = ?`);
    this.#insertTask = db.prepare('INSERT OR IGNORE INTO tasks (key, name) VALUES (?, ?)');
    this.#selectTask = db.prepare('SELECT seq FROM tasks WHERE key = ?').pluck();
    // Task runs get their seqs from the writer, in a write transaction, so
    // that rows written many at once need not be read back for them.
    this.#nextTaskRunSeq = db.prepare('SELECT coalesce(max(seq), 0) + 1 FROM task_runs').pluck();
    this.#insertTaskRun = db.prepare(`INSERT INTO task_runs (${TASK_RUN_COLUMNS}) VALUES ${placeholders(1, TASK_RUN_VALUES)}`);
    this.#insertTaskRuns = db.prepare(`INSERT INTO task_runs (${TASK_RUN_COLUMNS}) VALUES ${placeholders(ROWS_PER_INSERT, TASK_RUN_VALUES)}`);
    this.#insertPlainTaskRun = db.prepare(`INSERT INTO task_runs (${TASK_RUN_COLUMNS}) VALUES ${PLAIN_TASK_RUN_VALUES}`);
    this.#insertPlainTaskRuns = db.prepare(
      `INSERT INTO task_runs (${TASK_RUN_COLUMNS}) VALUES ${Array.from({ length: ROWS_PER_INSERT }, () => PLAIN_TASK_RUN_VALUES).join(', ')}`,
    );
    // A retried flow run's task runs take the rows of the attempt before.
    this.#takeOverTaskRun = db.prepare(`
      INSERT INTO task_runs (${TASK_RUN_COLUMNS}) VALUES ${placeholders(1, TASK_RUN_VALUES)}
      ON CONFLICT (flow_run_seq, task_seq, dynamic_key) DO UPDATE SET id = excluded.id, name = excluded.name, immediate = excluded.immediate,
        state_type = excluded.state_type, state_name = excluded.state_name, state_message = excluded.state_message, created = excluded.created,
        start_time = excluded.start_time, end_time = excluded.end_time, run_count = excluded.run_count,
        created_position = excluded.created_position, end_position = excluded.end_position, result_inputs = excluded.result_inputs,
        result_value = excluded.result_value, result_file = excluded.result_file, result_problem = excluded.result_problem
      RETURNING seq`).pluck();
    this.#selectTaskRunSeq = db.prepare('SELECT seq FROM task_runs WHERE flow_run_seq = ? AND task_seq = ? AND dynamic_key = ?').pluck();
    this.#updateTaskRun = db.prepare(`
      UPDATE task_runs SET immediate = ?, state_type = ?, state_name = ?, state_message = ?, created = ?, start_time = ?, end_time = ?,
        run_count = ?, created_position = ?, end_position = ?, result_inputs = ?, result_value = ?, result_file = ?, result_problem = ?
      WHERE seq = ?`);
    this.#insertStateChange = db.prepare('INSERT INTO state_changes (flow_run_seq, task_run_seq, time, type, name, message) VALUES (?, ?, ?, ?, ?, ?)');
    this.#insertLogRecord = db.prepare(`INSERT INTO log_records (flow_run_seq, task_run_id, source_kind, source_name, time, level, message, position)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  get db(): HistoryDatabase {
    return this.#db;
  }

  /** Runs `write` in one BEGIN IMMEDIATE transaction (see database.ts). */
  inTransaction(write: () => void): void {
    this.#db.transaction(write).immediate();
  }

  /** Writes a flow run as it starts, at once, in its own transaction; a retried run's row is reused. */
  insertFlowRun(run: FlowRunInsert): number {
    let seq = 0;
    this.inTransaction(() => {
      const row = this.#insertFlowRun.get({
        ...run,
        parentSeq: orNull(run.parentSeq),
        flowFile: orNull(run.flowFile),
        flowExport: orNull(run.flowExport),
        stateType: run.state.type,
        stateName: run.state.name,
        stateMessage: orNull(run.state.message),
        created: run.state.timestamp,
      }) as { seq: number };
      seq = row.seq;
    });
    return seq;
  }

  startFlowRun(seq: number, time: number): void {
    this.#startFlowRun.run(time, seq);
  }

  endFlowRun(seq: number, state: State): void {
    this.#endFlowRun.run(state.type, state.name, orNull(state.message), state.timestamp, seq);
  }

  /** The seq the next task run written in this transaction may take. */
  nextTaskRunSeq(): number {
    return this.#nextTaskRunSeq.get() as number;
  }

  /** Inserts `rows` task runs, TASK_RUN_VALUES values each, seq first. */
  insertTaskRuns(values: readonly unknown[], rows: number): void {
    runGrouped(this.#insertTaskRuns, this.#insertTaskRun, values, rows, TASK_RUN_VALUES);
  }

  /** Inserts `rows` plain task runs, PLAIN_TASK_RUN_BOUND values each. */
  insertPlainTaskRuns(values: readonly unknown[], rows: number): void {
    runGrouped(this.#insertPlainTaskRuns, this.#insertPlainTaskRun, values, rows, PLAIN_TASK_RUN_BOUND);
  }

  /** Writes a retried flow run's task run over the earlier attempt's row, if any (its seq first, for a new row), and gives its seq. */
  takeOverTaskRun(values: readonly unknown[]): number {
    return this.#takeOverTaskRun.get(values) as number;
  }

  /** The seq of the row of this task run of this flow run, if it has one. */
  findTaskRunSeq(flowRunSeq: number, taskSeq: number, dynamicKey: number): number | undefined {
    return this.#selectTaskRunSeq.get(flowRunSeq, taskSeq, dynamicKey) as number | undefined;
  }

  /** Updates a task run's row from TASK_RUN_VALUES values as insertTaskRuns takes them (its id, flow run, task and key stay). */
  updateTaskRun(seq: number, values: readonly unknown[]): void {
    this.#updateTaskRun.run(...values.slice(6), seq);
  }

  /** Writes a large result's file under storeDir, whole or not at all: a retry never reads half a result. */
  writeResultFile(path: string, text: string): void {
    const absolute = join(dirname(this.#db.name), path);
    makeDirs(dirname(absolute));
    const temporary = `${absolute}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, absolute);
  }

  /** A state change: its flow run, its task run (null for the flow run's own), time, type, name and message. */
  insertStateChange(values: readonly unknown[]): void {
    this.#insertStateChange.run(values);
  }

  insertLogRecord(record: LogRecordInsert): void {
    this.#insertLogRecord.run(logRecordValues(record));
  }

  /** A log record as logRecordValues gives it. */
  insertLogRecordValues(values: readonly unknown[]): void {
    this.#insertLogRecord.run(values);
  }

  /** The row of the task of this key, made the first time (in a write transaction of its own unless in one). */
  taskSeq(key: string, name: string): number {
    const known = this.#taskSeqs.get(key);
    if (known !== undefined) {
      return known;
    }
    let seq = 0;
    const find = (): void => {
      this.#insertTask.run(key, name);
      seq = this.#selectTask.get(key) as number;
    };
    if (this.#db.inTransaction) {
      find();
    } else {
      this.inTransaction(find);
    }
    this.#taskSeqs.set(key, seq);
    return seq;
  }
}
