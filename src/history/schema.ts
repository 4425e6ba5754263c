import type { Database } from 'better-sqlite3';

// The history's tables, after Prefect's (flow runs, task runs, their state
// changes, log records; persisted results, in their task runs' rows since
// version 3), and the migrations that build them, in order. The schema
// version is SQLite's `user_version`: migration N takes a database from
// version N-1 to N. A database of a version beyond the last one here was
// written by a newer flowrun, and is left alone.
//
// Rows refer to each other by SQLite's integer row ids (`seq`), not by their
// UUIDs: an integer key is a few bytes where a UUID is 36, in each row and in
// each index, and a 100,000-task run writes 100,000 task runs.
//
// What a task run's row says is not repeated in `state_changes`: its Pending
// (`created`), its first Running (`start_time`) and its final state
// (`state_*`, `end_time`). `state_changes` holds every other change (retries,
// waits), so that the history is whole at a row per plain task run. The same
// goes for log records: the lines the engine prints for every task run
// (created, submitted, finished) are rebuilt from its row, and only the
// others are stored, each with the number of its place in the stream
// (`position`), which orders the rebuilt lines among them as they were printed.

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE flow_runs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    flow_name TEXT NOT NULL,
    parent_seq INTEGER REFERENCES flow_runs(seq) ON DELETE CASCADE,
    -- where the flow was found, for flow runs retry: its file and export
    flow_file TEXT,
    flow_export TEXT,
    -- JSON, secrets masked; secret_names: JSON array of the parameters retry asks for again
    parameters TEXT NOT NULL,
    secret_names TEXT NOT NULL DEFAULT '[]',
    runner TEXT NOT NULL,
    log_level INTEGER NOT NULL,
    state_type TEXT NOT NULL,
    state_name TEXT NOT NULL,
    state_message TEXT,
    created INTEGER NOT NULL,
    start_time INTEGER,
    end_time INTEGER,
    run_count INTEGER NOT NULL DEFAULT 1,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    position INTEGER NOT NULL
  );
  CREATE INDEX flow_runs_by_created ON flow_runs(created);
  CREATE INDEX flow_runs_by_name ON flow_runs(name);
  CREATE INDEX flow_runs_by_parent ON flow_runs(parent_seq);
  CREATE INDEX flow_runs_unfinished ON flow_runs(end_time) WHERE end_time IS NULL;

  CREATE TABLE tasks (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
  );

  CREATE TABLE task_runs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    flow_run_seq INTEGER NOT NULL REFERENCES flow_runs(seq) ON DELETE CASCADE,
    task_seq INTEGER NOT NULL REFERENCES tasks(seq),
    dynamic_key INTEGER NOT NULL,
    name TEXT NOT NULL,
    -- 1 when the task was called rather than submitted ('Executing ... immediately')
    immediate INTEGER NOT NULL,
    state_type TEXT NOT NULL,
    -- NULL when it is the usual name of its type
    state_name TEXT,
    state_message TEXT,
    created INTEGER NOT NULL,
    start_time INTEGER,
    end_time INTEGER,
    run_count INTEGER NOT NULL,
    created_position INTEGER NOT NULL,
    end_position INTEGER,
    UNIQUE (flow_run_seq, task_seq, dynamic_key)
  );

  CREATE TABLE state_changes (
    flow_run_seq INTEGER NOT NULL REFERENCES flow_runs(seq) ON DELETE CASCADE,
    task_run_seq INTEGER,
    time INTEGER NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    message TEXT
  );
  CREATE INDEX state_changes_by_flow_run ON state_changes(flow_run_seq);

  CREATE TABLE log_records (
    flow_run_seq INTEGER NOT NULL REFERENCES flow_runs(seq) ON DELETE CASCADE,
    -- the task run the line is of, if any; source_name is the logger's name otherwise
    task_run_id TEXT,
    source_kind TEXT NOT NULL,
    source_name TEXT NOT NULL,
    time INTEGER NOT NULL,
    level INTEGER NOT NULL,
    message TEXT NOT NULL,
    position INTEGER NOT NULL
  );
  CREATE INDEX log_records_by_flow_run ON log_records(flow_run_seq);

  CREATE TABLE results (
    task_run_seq INTEGER PRIMARY KEY REFERENCES task_runs(seq) ON DELETE CASCADE,
    -- what the run was called with, as JSON, or a hash of it when long
    inputs TEXT NOT NULL,
    -- the result as JSON, or NULL when it is kept in a file under storeDir
    value TEXT,
    file TEXT
  );
  `,
  // The results flow runs retry reuses: kept inline as JSON (value, NULL for
  // undefined), in a file under storeDir when large (file, relative to
  // storeDir), or not at all, with why (problem: not JSON data, persistResult
  // false, inputs that cannot be compared), which the retry says at INFO.
  // Nothing wrote the table of version 1.
  `
  DROP TABLE results;
  CREATE TABLE results (
    task_run_seq INTEGER PRIMARY KEY REFERENCES task_runs(seq) ON DELETE CASCADE,
    inputs TEXT,
    value TEXT,
    file TEXT,
    problem TEXT
  );
  `,
  // A task run's kept result goes in its own row: a second row a task run
  // (and its index entry) cost a third of the time of recording a large run
  // and a quarter of its bytes. A row has a result when result_inputs or
  // result_problem is set (result_inputs NULL: its inputs could not be
  // compared, and result_problem says so).
  `
  ALTER TABLE task_runs ADD COLUMN result_inputs TEXT;
  ALTER TABLE task_runs ADD COLUMN result_value TEXT;
  ALTER TABLE task_runs ADD COLUMN result_file TEXT;
  ALTER TABLE task_runs ADD COLUMN result_problem TEXT;
  UPDATE task_runs SET result_inputs = r.inputs, result_value = r.value, result_file = r.file,
    result_problem = coalesce(r.problem, CASE WHEN r.inputs IS NULL THEN 'its inputs were not recorded' END)
    FROM results r WHERE r.task_run_seq = task_runs.seq;
  DROP TABLE results;
  `,
];

/** The schema version this flowrun writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export class HistoryTooNewError extends Error {}

const readVersion = (db: Database): number => db.pragma('user_version', { simple: true }) as number;

const refuseNewer = (version: number): void => {
  if (version > SCHEMA_VERSION) {
    throw new HistoryTooNewError(`it was written by a newer flowrun (schema version ${version}; this one knows up to ${SCHEMA_VERSION})`);
  }
};

/**
 * Brings the database to SCHEMA_VERSION (or `target`, an earlier version,
 * for tests of a migration), a migration per write transaction.
 * A database already there is only read; one from a newer flowrun throws
 * HistoryTooNewError and is not touched. The version is read again inside
 * each transaction: processes that start together on a new database would
 * otherwise each run the first migration.
 */
export const migrate = (db: Database, target = SCHEMA_VERSION): void => {
  const seen = readVersion(db);
  refuseNewer(seen);
  if (seen >= target) {
    return;
  }
  const step = db.transaction((): boolean => {
    const version = readVersion(db);
    refuseNewer(version);
    if (version >= target) {
      return false;
    }
    db.exec(MIGRATIONS[version] ?? '');
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (step.immediate()) {
    // one migration per transaction, until none is left
  }
};
