import { EarlierAttemptLines } from './earlier-lines.js';
import type { HistoryDatabase } from './database.js';
import { HistoryStatements, PLAIN_TASK_RUN_BOUND, ROWS_PER_INSERT, TASK_RUN_VALUES } from './statements.js';
import {
  LOG_RECORD,
  LOG_RECORD_SIZE,
  PLAIN_TASK_RUN,
  PLAIN_TASK_RUN_SIZE,
  STATE_CHANGE,
  STATE_CHANGE_SIZE,
  TAKE_OVER,
  TASK_RUN,
  TASK_RUN_AT,
  TASK_RUN_SIZE,
  UPDATE,
  type WriteBatch,
} from './write-batch.js';

// Writes batches (write-batch.ts) to the database, in the recorder's thread
// or in the writer thread (history-writer.ts). New task runs (their kept
// results in their rows) are inserted ROWS_PER_INSERT at a time, with seqs
// given here in the write transaction, which is what makes recording
// 100,000 task runs cheap; the rare rest (a run written again as it ends, a
// retried flow run's runs) row by row.

/** Writes a batch in transactions of at most this many writes, so that another writer (a flow run starting) never waits long. */
const WRITES_PER_TRANSACTION = 4096;

export class BatchWriter {
  readonly #statements: HistoryStatements;
  // The rows of task runs written while they went on, which are written again when they end.
  readonly #unfinished = new Map<string, number>();
  // Prepared at the first retried task run: most runs are no retry.
  #earlierLines: EarlierAttemptLines | undefined;
  readonly #taskRuns: unknown[] = [];
  #taskRunRows = 0;
  readonly #plainTaskRuns: unknown[] = [];
  #plainTaskRunRows = 0;

  constructor(db: HistoryDatabase) {
    this.#statements = new HistoryStatements(db);
  }

  get statements(): HistoryStatements {
    return this.#statements;
  }

  write(batch: WriteBatch): void {
    let index = 0;
    while (index < batch.length) {
      this.#statements.inTransaction(() => {
        let nextSeq = this.#statements.nextTaskRunSeq();
        // The task run the state changes that follow it are of.
        let lastSeq: number | null = null;
        for (let writes = 0; index < batch.length && writes < WRITES_PER_TRANSACTION; writes += 1) {
          const kind = batch[index];
          if (kind === TASK_RUN) {
            const seq = this.#writeTaskRun(batch, index, nextSeq);
            nextSeq = Math.max(nextSeq, seq + 1);
            lastSeq = seq;
            index += TASK_RUN_SIZE;
          } else if (kind === PLAIN_TASK_RUN) {
            lastSeq = nextSeq;
            this.#addPlainRow(batch, index, nextSeq);
            nextSeq += 1;
            index += PLAIN_TASK_RUN_SIZE;
          } else if (kind === STATE_CHANGE) {
            const ofTaskRun = batch[index + 2] === 1;
            this.#statements.insertStateChange([batch[index + 1], ofTaskRun ? lastSeq : null, ...batch.slice(index + 3, index + STATE_CHANGE_SIZE)]);
            index += STATE_CHANGE_SIZE;
          } else if (kind === LOG_RECORD) {
            this.#statements.insertLogRecordValues(batch.slice(index + 1, index + LOG_RECORD_SIZE));
            index += LOG_RECORD_SIZE;
          } else {
            throw new Error(`the history writer was given a write of unknown kind ${String(kind)}`);
          }
        }
        this.#writeGrouped();
      });
    }
  }

  // Gives the seq of the task run's row.
  #writeTaskRun(batch: WriteBatch, at: number, nextSeq: number): number {
    const id = batch[at + TASK_RUN_AT.id] as string;
    const flowRunSeq = batch[at + TASK_RUN_AT.flowRunSeq] as number;
    const mode = batch[at + TASK_RUN_AT.mode];
    const taskSeq = batch[at + TASK_RUN_AT.taskSeq] as number;
    const dynamicKey = batch[at + TASK_RUN_AT.dynamicKey] as number;
    const ended = batch[at + TASK_RUN_AT.endTime] !== null;
    const resultFile = batch[at + TASK_RUN_AT.resultFile] as string | null;
    if (resultFile !== null) {
      this.#statements.writeResultFile(resultFile, batch[at + TASK_RUN_AT.resultFileText] as string);
    }
    // A run written while it went on has a row to update (found by its
    // unique key when another writer wrote it: this thread's recorder before
    // the writer thread took over).
    const written = mode === UPDATE ? (this.#unfinished.get(id) ?? this.#statements.findTaskRunSeq(flowRunSeq, taskSeq, dynamicKey)) : undefined;
    const alone = written !== undefined || mode === TAKE_OVER;
    let seq: number;
    if (alone) {
      // Row by row, after the grouped rows, which these may depend on.
      this.#writeGrouped();
      const values = this.#rowValues(batch, at, nextSeq, flowRunSeq, taskSeq);
      if (written !== undefined) {
        seq = written;
        this.#statements.updateTaskRun(seq, values);
      } else {
        this.#earlierLines ??= new EarlierAttemptLines(this.#statements.db);
        for (const line of this.#earlierLines.of(flowRunSeq, taskSeq, dynamicKey)) {
          this.#statements.insertLogRecord(line);
        }
        seq = this.#statements.takeOverTaskRun(values);
      }
    } else {
      seq = nextSeq;
      this.#fillRowValues(this.#taskRuns, this.#taskRunRows * TASK_RUN_VALUES, batch, at, seq, flowRunSeq, taskSeq);
      this.#taskRunRows += 1;
      if (this.#taskRunRows === ROWS_PER_INSERT) {
        this.#writeGrouped();
      }
    }
    if (ended) {
      this.#unfinished.delete(id);
    } else {
      this.#unfinished.set(id, seq);
    }
    return seq;
  }

  #rowValues(batch: WriteBatch, at: number, seq: number, flowRunSeq: number, taskSeq: number): unknown[] {
    const values = new Array<unknown>(TASK_RUN_VALUES);
    this.#fillRowValues(values, 0, batch, at, seq, flowRunSeq, taskSeq);
    return values;
  }

  // The row's values in the order of statements.ts's TASK_RUN_COLUMNS.
  #fillRowValues(values: unknown[], offset: number, batch: WriteBatch, at: number, seq: number, flowRunSeq: number, taskSeq: number): void {
    values[offset] = seq;
    values[offset + 1] = batch[at + TASK_RUN_AT.id];
    values[offset + 2] = flowRunSeq;
    values[offset + 3] = taskSeq;
    // dynamic key, name, immediate, state type, name and message, created,
    // start, end, run count, created and end positions
    for (let column = 4; column < 16; column += 1) {
      values[offset + column] = batch[at + TASK_RUN_AT.dynamicKey + column - 4];
    }
    // the kept result: inputs, value, file and problem (not the file's text)
    values[offset + 16] = batch[at + TASK_RUN_AT.resultInputs];
    values[offset + 17] = batch[at + TASK_RUN_AT.resultValue];
    values[offset + 18] = batch[at + TASK_RUN_AT.resultFile];
    values[offset + 19] = batch[at + TASK_RUN_AT.resultProblem];
  }

  // A plain row's values in the order of statements.ts's plain insert,
  // written at once when ROWS_PER_INSERT of them wait.
  #addPlainRow(batch: WriteBatch, at: number, seq: number): void {
    const values = this.#plainTaskRuns;
    const offset = this.#plainTaskRunRows * PLAIN_TASK_RUN_BOUND;
    values[offset] = seq;
    for (let value = 1; value < PLAIN_TASK_RUN_BOUND; value += 1) {
      values[offset + value] = batch[at + value];
    }
    this.#plainTaskRunRows += 1;
    if (this.#plainTaskRunRows === ROWS_PER_INSERT) {
      this.#statements.insertPlainTaskRuns(values, ROWS_PER_INSERT);
      this.#plainTaskRunRows = 0;
    }
  }

  // The task runs waiting for a full group.
  #writeGrouped(): void {
    if (this.#plainTaskRunRows > 0) {
      this.#statements.insertPlainTaskRuns(this.#plainTaskRuns, this.#plainTaskRunRows);
      this.#plainTaskRunRows = 0;
    }
    if (this.#taskRunRows > 0) {
      this.#statements.insertTaskRuns(this.#taskRuns, this.#taskRunRows);
      this.#taskRunRows = 0;
    }
  }
}
