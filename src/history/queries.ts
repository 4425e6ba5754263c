import type { LogLevel } from '../logging/levels.js';
import { LOG_LEVELS } from '../logging/levels.js';
import type { LogRecord, LogSource } from '../logging/records.js';
import type { StateName, StateType } from '../states/state.js';
import type { HistoryDatabase } from './database.js';
import { usualStateName } from './statements.js';

// What `flow runs` reads from the history: flow runs, a flow run's task runs
// and subflow runs, and its log records, with the lines that the recorder
// did not store (a task run's created, submitted and finished lines) rebuilt
// from the task runs' rows.

export interface RecordedState {
  readonly type: StateType;
  readonly name: StateName;
  readonly message: string | undefined;
}

export interface FlowRunRow {
  readonly seq: number;
  readonly id: string;
  readonly name: string;
  readonly flowName: string;
  readonly parentId: string | undefined;
  readonly flowFile: string | undefined;
  readonly flowExport: string | undefined;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly secretNames: readonly string[];
  readonly runner: string;
  readonly logLevel: LogLevel;
  readonly state: RecordedState;
  readonly created: number;
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly runCount: number;
  readonly pid: number;
  readonly host: string;
}

export interface TaskRunRow {
  readonly seq: number;
  readonly id: string;
  readonly name: string;
  readonly taskName: string;
  readonly flowRunId: string;
  readonly flowRunName: string;
  readonly immediate: boolean;
  readonly state: RecordedState;
  readonly created: number;
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly runCount: number;
  readonly createdPosition: number;
  readonly endPosition: number | undefined;
}

interface RawFlowRun {
  seq: number;
  id: string;
  name: string;
  flow_name: string;
  parent_id: string | null;
  flow_file: string | null;
  flow_export: string | null;
  parameters: string;
  secret_names: string;
  runner: string;
  log_level: number;
  state_type: StateType;
  state_name: string;
  state_message: string | null;
  created: number;
  start_time: number | null;
  end_time: number | null;
  run_count: number;
  pid: number;
  host: string;
}

const parseJson = <T>(text: string, fallback: T): T => {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

const FLOW_RUN_COLUMNS = `f.seq, f.id, f.name, f.flow_name, p.id AS parent_id, f.flow_file, f.flow_export, f.parameters, f.secret_names,
  f.runner, f.log_level, f.state_type, f.state_name, f.state_message, f.created, f.start_time, f.end_time, f.run_count, f.pid, f.host
  FROM flow_runs f LEFT JOIN flow_runs p ON p.seq = f.parent_seq`;

const toFlowRun = (raw: RawFlowRun): FlowRunRow => ({
  seq: raw.seq,
  id: raw.id,
  name: raw.name,
  flowName: raw.flow_name,
  parentId: orUndefined(raw.parent_id),
  flowFile: orUndefined(raw.flow_file),
  flowExport: orUndefined(raw.flow_export),
  parameters: parseJson<Record<string, unknown>>(raw.parameters, {}),
  secretNames: parseJson<string[]>(raw.secret_names, []),
  runner: raw.runner,
  logLevel: raw.log_level as LogLevel,
  state: { type: raw.state_type, name: raw.state_name as StateName, message: orUndefined(raw.state_message) },
  created: raw.created,
  startTime: orUndefined(raw.start_time),
  endTime: orUndefined(raw.end_time),
  runCount: raw.run_count,
  pid: raw.pid,
  host: raw.host,
});

export interface ListFilter {
  readonly flow?: string | undefined;
  /** A state type or name, any case: `failed`, `TimedOut`. */
  readonly state?: string | undefined;
  readonly limit: number;
}

/** Flow runs, newest first. */
export const listFlowRuns = (db: HistoryDatabase, filter: ListFilter): FlowRunRow[] => {
  const where: string[] = [];
  const values: unknown[] = [];
  if (filter.flow !== undefined) {
    where.push('f.flow_name = ?');
    values.push(filter.flow);
  }
  if (filter.state !== undefined) {
    where.push('(upper(f.state_type) = upper(?) OR upper(f.state_name) = upper(?))');
    values.push(filter.state, filter.state);
  }
  const sql = `SELECT ${FLOW_RUN_COLUMNS} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY f.created DESC, f.seq DESC LIMIT ?`;
  return (db.prepare(sql).all(...values, filter.limit) as RawFlowRun[]).map(toFlowRun);
};

export type RunLookup =
  | { readonly kind: 'found'; readonly run: FlowRunRow }
  | { readonly kind: 'none' }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly FlowRunRow[] };

/** The shortest id prefix `flow runs` accepts. */
export const MIN_PREFIX = 4;

/**
 * A flow run by its id, a unique prefix of it (4 characters or more), or its
 * name (the newest run of that name).
 */
export const findFlowRun = (db: HistoryDatabase, reference: string): RunLookup => {
  const exact = db.prepare(`SELECT ${FLOW_RUN_COLUMNS} WHERE f.id = ?`).get(reference) as RawFlowRun | undefined;
  if (exact !== undefined) {
    return { kind: 'found', run: toFlowRun(exact) };
  }
  if (reference.length >= MIN_PREFIX && /^[0-9a-f-]+$/i.test(reference)) {
    // The id is the UNIQUE index's key: a range over it finds the prefix.
    const prefix = reference.toLowerCase();
    const matches = (
      db.prepare(`SELECT ${FLOW_RUN_COLUMNS} WHERE f.id >= ? AND f.id < ? ORDER BY f.created DESC LIMIT 11`).all(prefix, `${prefix}\uffff`) as RawFlowRun[]
    ).map(toFlowRun);
    if (matches.length === 1 && matches[0] !== undefined) {
      return { kind: 'found', run: matches[0] };
    }
    if (matches.length > 1) {
      return { kind: 'ambiguous', candidates: matches };
    }
  }
  const named = db.prepare(`SELECT ${FLOW_RUN_COLUMNS} WHERE f.name = ? ORDER BY f.created DESC, f.seq DESC LIMIT 1`).get(reference) as RawFlowRun | undefined;
  return named === undefined ? { kind: 'none' } : { kind: 'found', run: toFlowRun(named) };
};

/** The flow runs closest to a reference that matched none: the newest runs whose name or id starts like it. */
export const suggestFlowRuns = (db: HistoryDatabase, reference: string): FlowRunRow[] =>
  (
    db.prepare(`SELECT ${FLOW_RUN_COLUMNS} WHERE f.name LIKE ? ESCAPE '\\' OR f.id LIKE ? ESCAPE '\\' ORDER BY f.created DESC LIMIT 5`).all(
      `${escapeLike(reference.slice(0, 3))}%`,
      `${escapeLike(reference.slice(0, 2))}%`,
    ) as RawFlowRun[]
  ).map(toFlowRun);

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (match) => `\\${match}`);

/** A flow run's subflow runs, all the way down, in order of creation. */
export const subflowRunsOf = (db: HistoryDatabase, seq: number): FlowRunRow[] =>
  (
    db
      .prepare(
        `WITH RECURSIVE tree(seq) AS (SELECT seq FROM flow_runs WHERE parent_seq = ? UNION ALL SELECT f.seq FROM flow_runs f JOIN tree t ON f.parent_seq = t.seq)
         SELECT ${FLOW_RUN_COLUMNS} WHERE f.seq IN (SELECT seq FROM tree) ORDER BY f.created, f.seq`,
      )
      .all(seq) as RawFlowRun[]
  ).map(toFlowRun);

export interface RawTaskRun {
  seq: number;
  id: string;
  name: string;
  task_name: string;
  flow_run_id: string;
  flow_run_name: string;
  flow_run_log_level: number;
  immediate: number;
  state_type: StateType;
  state_name: string | null;
  state_message: string | null;
  created: number;
  start_time: number | null;
  end_time: number | null;
  run_count: number;
  created_position: number;
  end_position: number | null;
}

// A task run's row with the names its lines need (its task's, its flow run's).
export const TASK_RUN_COLUMNS = `t.seq, t.id, t.name, k.name AS task_name, f.id AS flow_run_id, f.name AS flow_run_name, f.log_level AS flow_run_log_level,
  t.immediate, t.state_type, t.state_name, t.state_message, t.created, t.start_time, t.end_time, t.run_count, t.created_position, t.end_position
  FROM task_runs t JOIN tasks k ON k.seq = t.task_seq JOIN flow_runs f ON f.seq = t.flow_run_seq`;

export const toTaskRunRow = (raw: RawTaskRun): TaskRunRow => ({
  seq: raw.seq,
  id: raw.id,
  name: raw.name,
  taskName: raw.task_name,
  flowRunId: raw.flow_run_id,
  flowRunName: raw.flow_run_name,
  immediate: raw.immediate === 1,
  state: { type: raw.state_type, name: (raw.state_name ?? usualStateName(raw.state_type)) as StateName, message: orUndefined(raw.state_message) },
  created: raw.created,
  startTime: orUndefined(raw.start_time),
  endTime: orUndefined(raw.end_time),
  runCount: raw.run_count,
  createdPosition: raw.created_position,
  endPosition: orUndefined(raw.end_position),
});

/** The task runs of these flow runs, in order of creation. */
export const taskRunsOf = (db: HistoryDatabase, flowRunSeqs: readonly number[]): TaskRunRow[] => {
  const select = db.prepare(`SELECT ${TASK_RUN_COLUMNS} WHERE t.flow_run_seq = ? ORDER BY t.created, t.created_position`);
  const rows = flowRunSeqs.flatMap((seq) => select.all(seq) as RawTaskRun[]);
  return rows.map(toTaskRunRow).sort((a, b) => a.created - b.created || a.createdPosition - b.createdPosition);
};

interface RawLogRecord {
  flow_run_id: string;
  task_run_id: string | null;
  task_flow_run_id: string | null;
  source_kind: LogSource['kind'];
  source_name: string;
  time: number;
  level: number;
  message: string;
  position: number;
}

export interface LogFilter {
  /** The lowest level shown. */
  readonly level: LogLevel;
  /** Only the lines of the task runs of this name (a task's name or a task run's). */
  readonly task?: string | undefined;
}

export interface OrderedRecord {
  readonly record: LogRecord;
  readonly position: number;
}

/**
 * The log records of flow runs (a run and its subflow runs), in the order
 * they were printed: by time, then by their place in the stream.
 */
export const logRecordsOf = (db: HistoryDatabase, runs: readonly FlowRunRow[], filter: LogFilter): LogRecord[] => {
  const select = db.prepare(`SELECT f.id AS flow_run_id, l.task_run_id, l.source_kind, l.source_name, l.time, l.level, l.message, l.position
    FROM log_records l JOIN flow_runs f ON f.seq = l.flow_run_seq WHERE l.flow_run_seq = ?`);
  const matchesTask = (taskRunName: string, taskName: string): boolean =>
    filter.task === undefined || filter.task === taskRunName || filter.task === taskName;
  const taskRuns = taskRunsOf(
    db,
    runs.map((run) => run.seq),
  );
  const taskNameOfRun = new Map(taskRuns.map((run) => [run.id, run] as const));
  const ordered: OrderedRecord[] = [];
  for (const run of runs) {
    for (const raw of select.all(run.seq) as RawLogRecord[]) {
      const source = toSource(raw);
      if (filter.task !== undefined) {
        const taskRun = raw.task_run_id === null ? undefined : taskNameOfRun.get(raw.task_run_id);
        if (taskRun === undefined || !matchesTask(taskRun.name, taskRun.taskName)) {
          continue;
        }
      }
      ordered.push({ record: { kind: 'message', time: raw.time, level: raw.level as LogLevel, source, text: raw.message }, position: raw.position });
    }
  }
  const levelOf = new Map(runs.map((run) => [run.id, run.logLevel] as const));
  for (const taskRun of taskRuns) {
    if (!matchesTask(taskRun.name, taskRun.taskName)) {
      continue;
    }
    ordered.push(...rebuildTaskRunLines(taskRun, levelOf.get(taskRun.flowRunId) ?? LOG_LEVELS.INFO));
  }
  return ordered
    .filter(({ record }) => record.level >= filter.level)
    .sort((a, b) => a.record.time - b.record.time || a.position - b.position)
    .map(({ record }) => record);
};

const toSource = (raw: RawLogRecord): LogSource => {
  switch (raw.source_kind) {
    case 'flow-run':
      return { kind: 'flow-run', name: raw.source_name, id: raw.flow_run_id };
    case 'task-run':
      return { kind: 'task-run', name: raw.source_name, id: raw.task_run_id ?? '', flowRunId: raw.flow_run_id };
    default:
      return { kind: 'logger', name: raw.source_name };
  }
};

// The lines the engine printed for a task run, which its row holds: created
// and submitted (at INFO) and finished (INFO, or ERROR unless it
// completed), where the run's log level let them through.
export const rebuildTaskRunLines = (run: TaskRunRow, runLevel: LogLevel): OrderedRecord[] => {
  const flowRun: LogSource = { kind: 'flow-run', name: run.flowRunName, id: run.flowRunId };
  const lines: OrderedRecord[] = [];
  if (LOG_LEVELS.INFO >= runLevel) {
    lines.push(
      { record: { kind: 'task-run-created', time: run.created, level: LOG_LEVELS.INFO, source: flowRun, taskRunId: run.id, taskRunName: run.name, taskName: run.taskName }, position: run.createdPosition },
      { record: { kind: 'task-run-submitted', time: run.created, level: LOG_LEVELS.INFO, source: flowRun, taskRunId: run.id, taskRunName: run.name, immediate: run.immediate }, position: run.createdPosition + 0.5 },
    );
  }
  if (run.endTime !== undefined && run.endPosition !== undefined) {
    const level = run.state.type === 'COMPLETED' ? LOG_LEVELS.INFO : LOG_LEVELS.ERROR;
    if (level >= runLevel) {
      const source: LogSource = { kind: 'task-run', name: run.name, id: run.id, flowRunId: run.flowRunId };
      lines.push({ record: { kind: 'finished', time: run.endTime, level, source, state: { ...run.state, timestamp: run.endTime } }, position: run.endPosition });
    }
  }
  return lines;
};
