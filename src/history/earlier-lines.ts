import type { Statement } from 'better-sqlite3';
import { formatMessage } from '../logging/console-format.js';
import type { LogLevel } from '../logging/levels.js';
import { PLAIN_STYLES } from '../logging/styles.js';
import type { HistoryDatabase } from './database.js';
import { rebuildTaskRunLines, TASK_RUN_COLUMNS, toTaskRunRow, type RawTaskRun } from './queries.js';
import type { LogRecordInsert } from './statements.js';

// A retried flow run's task runs take over the rows of the attempt before,
// and a task run's created, submitted and finished lines are not stored but
// rebuilt from its row (see schema.ts). So before a row is taken over, the
// lines it stood for are stored as log records: `flow runs logs` then shows
// each attempt as the console printed it, the earlier one's
// `Finished in state Failed(...)` included.

export class EarlierAttemptLines {
  readonly #select: Statement;

  constructor(db: HistoryDatabase) {
    this.#select = db.prepare(`SELECT ${TASK_RUN_COLUMNS} WHERE t.flow_run_seq = ? AND t.task_seq = ? AND t.dynamic_key = ?`);
  }

  /** The lines of the earlier attempt's row of this task run, if it has one, as log records to store. */
  of(flowRunSeq: number, taskSeq: number, dynamicKey: number): LogRecordInsert[] {
    const raw = this.#select.get(flowRunSeq, taskSeq, dynamicKey) as RawTaskRun | undefined;
    if (raw === undefined) {
      return [];
    }
    return rebuildTaskRunLines(toTaskRunRow(raw), raw.flow_run_log_level as LogLevel).map(({ record, position }) => ({
      flowRunSeq,
      // Its created and submitted lines are the flow run's, but of this task run: `logs --task` finds them.
      taskRunId: raw.id,
      sourceKind: record.source.kind,
      sourceName: record.source.name,
      time: record.time,
      level: record.level,
      message: formatMessage(record, PLAIN_STYLES),
      position,
    }));
  }
}
