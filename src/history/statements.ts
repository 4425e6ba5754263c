import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { KeptResult } from './kept-result.js';
import type { State, StateType } from '../states/state.js';
import type { HistoryDatabase } from './database.js';

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

export interface TaskRunWrite {
  readonly id: string;
  readonly flowRunSeq: number;
  readonly taskKey: string;
  readonly taskName: string;
  readonly dynamicKey: number;
  readonly name: string;
  readonly immediate: boolean;
  readonly state: State;
  readonly created: number;
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly runCount: number;
  readonly createdPosition: number;
  readonly endPosition: number | undefined;
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

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

export class HistoryStatements {
  readonly #db: HistoryDatabase;
  readonly #insertFlowRun: Statement;
  readonly #startFlowRun: Statement;
  readonly #endFlowRun: Statement;
  readonly #insertTask: Statement;
  readonly #selectTask: Statement;
  readonly #insertTaskRun: Statement;
  readonly #upsertTaskRun: Statement;
  readonly #updateTaskRun: Statement;
  readonly #insertResult: Statement;
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
    this.#insertTaskRun = db.prepare(`
      INSERT INTO task_runs (id, flow_run_seq, task_seq, dynamic_key, name, immediate, state_type, state_name, state_message,
        created, start_time, end_time, run_count, created_position, end_position)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // A retried flow run's task runs take the rows of the attempt before.
    this.#upsertTaskRun = db.prepare(`
      INSERT INTO task_runs (id, flow_run_seq, task_seq, dynamic_key, name, immediate, state_type, state_name, state_message,
        created, start_time, end_time, run_count, created_position, end_position)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (flow_run_seq, task_seq, dynamic_key) DO UPDATE SET id = excluded.id, name = excluded.name, immediate = excluded.immediate,
        state_type = excluded.state_type, state_name = excluded.state_name, state_message = excluded.state_message, created = excluded.created,
        start_time = excluded.start_time, end_time = excluded.end_time, run_count = excluded.run_count,
        created_position = excluded.created_position, end_position = excluded.end_position
      RETURNING seq`);
    this.#insertResult = db.prepare('INSERT OR REPLACE INTO results (task_run_seq, inputs, value, file, problem) VALUES (?, ?, ?, ?, ?)');
    this.#updateTaskRun = db.prepare(`
      UPDATE task_runs SET immediate = ?, state_type = ?, state_name = ?, state_message = ?, created = ?, start_time = ?, end_time = ?,
        run_count = ?, created_position = ?, end_position = ? WHERE seq = ?`);
    this.#insertStateChange = db.prepare('INSERT INTO state_changes (flow_run_seq, task_run_seq, time, type, name, message) VALUES (?, ?, ?, ?, ?, ?)');
    this.#insertLogRecord = db.prepare(`INSERT INTO log_records (flow_run_seq, task_run_id, source_kind, source_name, time, level, message, position)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
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

  /**
   * Writes a task run's row: inserts it when `seq` is undefined (or, in a
   * retried flow run, takes the earlier attempt's row), and gives its seq;
   * updates it otherwise.
   */
  writeTaskRun(run: TaskRunWrite, seq: number | undefined, retried = false): number {
    const { state } = run;
    const stateName = state.name === usualStateName(state.type) ? null : state.name;
    if (seq !== undefined) {
      this.#updateTaskRun.run(
        run.immediate ? 1 : 0,
        state.type,
        stateName,
        orNull(state.message),
        run.created,
        orNull(run.startTime),
        orNull(run.endTime),
        run.runCount,
        run.createdPosition,
        orNull(run.endPosition),
        seq,
      );
      return seq;
    }
    const values = [
      run.id,
      run.flowRunSeq,
      this.#taskSeq(run.taskKey, run.taskName),
      run.dynamicKey,
      run.name,
      run.immediate ? 1 : 0,
      state.type,
      stateName,
      orNull(state.message),
      run.created,
      orNull(run.startTime),
      orNull(run.endTime),
      run.runCount,
      run.createdPosition,
      orNull(run.endPosition),
    ];
    return retried ? (this.#upsertTaskRun.get(...values) as { seq: number }).seq : Number(this.#insertTaskRun.run(...values).lastInsertRowid);
  }

  /** Keeps a completed task run's result; a large one goes to its file under storeDir first. */
  writeResult(taskRunSeq: number, kept: KeptResult): void {
    if (kept.file !== null) {
      const path = join(dirname(this.#db.name), kept.file.path);
      mkdirSync(dirname(path), { recursive: true });
      // Written whole or not at all: a retry never reads half a result.
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, kept.file.text);
      renameSync(temporary, path);
    }
    this.#insertResult.run(taskRunSeq, kept.inputs, kept.value, kept.file?.path ?? null, kept.problem);
  }

  insertStateChange(flowRunSeq: number, taskRunSeq: number | undefined, state: State): void {
    this.#insertStateChange.run(flowRunSeq, orNull(taskRunSeq), state.timestamp, state.type, state.name, orNull(state.message));
  }

  insertLogRecord(record: LogRecordInsert): void {
    this.#insertLogRecord.run(
      record.flowRunSeq,
      orNull(record.taskRunId),
      record.sourceKind,
      record.sourceName,
      record.time,
      record.level,
      record.message,
      record.position,
    );
  }

  #taskSeq(key: string, name: string): number {
    let seq = this.#taskSeqs.get(key);
    if (seq === undefined) {
      this.#insertTask.run(key, name);
      seq = this.#selectTask.get(key) as number;
      this.#taskSeqs.set(key, seq);
    }
    return seq;
  }
}
