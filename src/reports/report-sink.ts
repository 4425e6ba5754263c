import { renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FlowRun } from '../engine/runs.js';
import { openHistory } from '../history/database.js';
import { formatDateTime, formatDuration } from '../history/present.js';
import { findFlowRun } from '../history/queries.js';
import { LOG_LEVELS, type LogLevel } from '../logging/levels.js';
import type { RunReporter } from '../logging/reporter.js';
import { collectRunReport } from './run-report-data.js';
import { buildRunReport } from './run-report.js';
import { makeDirs } from '../util/make-dirs.js';

// `flow run --report PATH`: when the record stream closes, after the run
// history has written the whole run (this sink comes after the recorder),
// the run's page (run-report.ts) is built from the history and written,
// whole (a temporary file, then a rename), whatever the run's end. (This
// module is loaded only for --report.)

export class RunReportSink implements RunReporter {
  // It reads no records: the history holds them.
  readonly level: LogLevel = LOG_LEVELS.CRITICAL;
  readonly #path: string;
  readonly #storeDir: string;
  readonly #warn: (text: string) => void;
  #flowRunId: string | undefined;
  #written = false;

  constructor(path: string, storeDir: string, warn: (text: string) => void) {
    this.#path = path;
    this.#storeDir = storeDir;
    this.#warn = warn;
  }

  log(): void {
    // nothing: see level
  }

  taskRunStateChanged(): void {
    // nothing: the history has them
  }

  flowRunStateChanged(run: FlowRun): void {
    if (run.parentId === undefined) {
      this.#flowRunId ??= run.id;
    }
  }

  close(): void {
    if (this.#written || this.#flowRunId === undefined) {
      return;
    }
    this.#written = true;
    try {
      this.#write(this.#flowRunId);
    } catch (error) {
      this.#warn(`The run report ${this.#path} could not be written: ${error instanceof Error ? error.message : String(error)}.`);
    }
  }

  // At once: the CLI exits as soon as the stream is closed.
  #write(flowRunId: string): void {
    const db = openHistory(this.#storeDir, { create: false });
    if (db === undefined) {
      throw new Error('the run history holds no run');
    }
    try {
      const found = findFlowRun(db, flowRunId);
      if (found.kind !== 'found') {
        throw new Error('the run history does not hold this run (did it stop recording?)');
      }
      makeDirs(dirname(this.#path));
      const temporary = `${this.#path}.${process.pid}.tmp`;
      writeFileSync(temporary, buildRunReport(collectRunReport(db, found.run), formatDateTime, formatDuration));
      renameSync(temporary, this.#path);
    } finally {
      db.close();
    }
  }
}
