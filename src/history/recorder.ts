import { dirname } from 'node:path';
import { hashInputsKey } from '../engine/cache.js';
import { HISTORY_ROW, type FlowRun, type TaskRun } from '../engine/runs.js';
import { formatMessage } from '../logging/console-format.js';
import type { LogLevel } from '../logging/levels.js';
import type { LogRecord } from '../logging/records.js';
import type { RunReporter } from '../logging/reporter.js';
import { PLAIN_STYLES } from '../logging/styles.js';
import { hasRunEnded, type State } from '../states/state.js';
import { BatchWriter } from './batch-writer.js';
import type { HistoryDatabase } from './database.js';
import { HistoryWriterThread } from './history-writer.js';
import { toJsonText } from './json-text.js';
import { keepResult, type KeptResult } from './kept-result.js';
import type { HistoryStatements } from './statements.js';
import { INSERT, pushLogRecord, pushStateChange, pushTaskRun, TAKE_OVER, UPDATE, type WriteBatch } from './write-batch.js';

// The run history's sink: it reads the record stream and writes the runs,
// their state changes and their log records to the database. Writing costs
// more than running a trivial task, so it is kept off the flow run's way:
// - flow runs are written at once as they start and end (a run that had
//   begun is listed even if its process is killed);
// - a task run is written once, when it ends, unless it is still going at
//   the second tick of the timer (then also while it goes on);
// - writes wait in a batch until the timer, a full batch or the end of a
//   top-level flow run, and a large run's batches are written by a thread
//   of their own (history-writer.ts) while the run goes on.
// Any failure of the database turns the recorder off for good, with one
// call of `onFailure`: the history never fails a run.

/** What the history keeps of a flow run's parameters, its secrets masked. */
export interface RecordedParameters {
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly secretNames: readonly string[];
}

export interface RecorderOptions {
  readonly db: HistoryDatabase;
  /** The run's log level: records below it are not kept. */
  readonly level: LogLevel;
  /** The top-level flow's file and export, which `flow runs retry` loads again. */
  readonly flowFile: string | undefined;
  readonly flowExport: string | undefined;
  readonly describeParameters: (run: FlowRun) => RecordedParameters;
  /** Masks the values of secret parameters in the text it keeps (names, messages). */
  readonly mask: (text: string) => string;
  readonly pid: number;
  readonly host: string;
  readonly onFailure: (error: unknown) => void;
  /** How long changes may wait in memory. @default 250 */
  readonly flushAfterMs?: number;
  /** Task runs written in this thread before the writer thread takes over. @default 2000 */
  readonly threadAfterTaskRuns?: number;
}

/**
 * A task run while it is not written with its end: what its states alone
 * do not say. Its times are milliseconds since the recorder began (see
 * #since): small integers are kept in the row itself, whereas times since
 * 1970 would each take a number object of their own, a million of them
 * for a million runs in flight.
 */
interface TaskRow {
  readonly run: TaskRun;
  readonly flowRunSeq: number;
  /** When its Pending began, or, where it was printed, its 'Created task run' line. */
  created: number;
  createdPosition: number;
  /** Called rather than submitted ('Executing ... immediately'). */
  immediate: boolean;
  startTime: number | undefined;
  runCount: number;
  /** When its final state began, or, where it was printed, its 'Finished in state' line. */
  endTime: number | undefined;
  endPosition: number | undefined;
  /** It has a row (written while it went on). */
  written: boolean;
  /** Changed since its row was written. */
  changed: boolean;
  /** Its state changes beyond Pending, Running and the end (a retry's), written beside its row. */
  changes: State[] | undefined;
}

// A batch this large is written at once rather than at the timer: soon
// enough that the writer thread writes while the run goes on.
const MAX_PENDING = 4096;

export class HistoryRecorder implements RunReporter {
  readonly level: LogLevel;
  readonly #options: RecorderOptions;
  readonly #writer: BatchWriter;
  readonly #statements: HistoryStatements;
  #thread: HistoryWriterThread | undefined;
  #taskRunsWrittenHere = 0;
  #off = false;
  // The place of each event in the stream, which orders the lines rebuilt
  // from rows among the stored ones.
  #position = 0;
  readonly #flowRunSeqs = new Map<string, number>();
  /** The flow runs that are retries (`flow runs retry`). */
  readonly #retriedSeqs = new Set<number>();
  /** The newest top-level flow run: lines of no run (the CLI's own) go under it. */
  #topLevelSeq: number | undefined;
  readonly #orphanLines: LogRecord[] = [];
  // The task runs not yet written with their end are found by their run
  // objects (HISTORY_ROW), which their created and submitted lines carry; a
  // finished line comes straight after its run's final state.
  /** Task runs in flight, for the thread's start. */
  #inFlight = 0;
  /** The rows begun since the last tick, and in the tick before: written at the next tick if still going and unwritten. */
  #young: TaskRow[] = [];
  #aging: TaskRow[] = [];
  /** Those that ended since the last write. */
  #ended: TaskRow[] = [];
  /** Those written while going on that changed since. */
  #changed: TaskRow[] = [];
  #batch: WriteBatch = [];
  #pending = 0;
  /** What the task rows' times are counted from. */
  readonly #epoch = Date.now();
  #timer: NodeJS.Timeout | undefined;
  /** MAX_PENDING writes wait: the next state change writes them. */
  #full = false;

  constructor(options: RecorderOptions) {
    this.level = options.level;
    this.#options = options;
    this.#writer = new BatchWriter(options.db);
    this.#statements = this.#writer.statements;
  }

  flowRunStateChanged(run: FlowRun, state: State, previous: State | undefined): void {
    if (this.#off) {
      return;
    }
    const position = (this.#position += 1);
    this.#safely(() => {
      if (previous === undefined) {
        this.#startFlowRun(run, state, position);
        return;
      }
      const seq = this.#flowRunSeqs.get(run.id);
      if (seq === undefined) {
        return;
      }
      if (hasRunEnded(state)) {
        if (run.parentId === undefined) {
          // Everything of the run is written before its end, so that a
          // `flow runs` straight after it sees it whole.
          this.#flush('all');
          this.#thread?.drain(false);
        } else {
          // A subflow run's rows follow it: its parent goes on at once.
          this.#flush('due');
        }
        this.#statements.inTransaction(() => this.#statements.endFlowRun(seq, this.#masked(state)));
        return;
      }
      if (state.type === 'RUNNING' && previous.type === 'PENDING') {
        this.#statements.inTransaction(() => this.#statements.startFlowRun(seq, state.timestamp));
        return;
      }
      pushStateChange(this.#batch, seq, false, this.#masked(state));
      this.#schedule();
    });
  }

  taskRunStateChanged(run: TaskRun, state: State, previous: State | undefined): void {
    if (this.#off) {
      return;
    }
    if (this.#full) {
      this.#safely(() => this.#flush('due'));
    }
    const position = (this.#position += 1);
    const row = run[HISTORY_ROW] as TaskRow | undefined;
    if (previous === undefined || row === undefined) {
      const flowRunSeq = this.#flowRunSeqs.get(run.flowRunId);
      if (flowRunSeq !== undefined) {
        const created: TaskRow = {
          run,
          flowRunSeq,
          created: this.#since(state.timestamp),
          createdPosition: position,
          immediate: false,
          startTime: undefined,
          runCount: 0,
          endTime: undefined,
          endPosition: undefined,
          written: false,
          changed: false,
          changes: undefined,
        };
        run[HISTORY_ROW] = created;
        this.#young.push(created);
        this.#inFlight += 1;
        // It is written while it goes on if it lasts past a tick.
        this.#startTimer();
        if (this.#thread === undefined && this.#inFlight >= this.#threadAfter) {
          // Many runs at once: the writer thread starts while they run.
          this.#safely(() => this.#startThread());
        }
      }
      return;
    }
    if (hasRunEnded(state)) {
      row.endTime = this.#since(state.timestamp);
      row.endPosition = position;
      this.#ended.push(row);
      this.#schedule();
      return;
    }
    if (state.type === 'RUNNING') {
      row.runCount += 1;
      if (row.startTime === undefined) {
        row.startTime = this.#since(state.timestamp);
      } else {
        (row.changes ??= []).push(state);
      }
    } else {
      (row.changes ??= []).push(state);
    }
    this.#touch(row);
  }

  log(record: LogRecord): void {
    if (this.#off) {
      return;
    }
    const position = (this.#position += 1);
    if (record.kind === 'task-run-created' || record.kind === 'task-run-submitted') {
      // Rebuilt from the task run's row, at the place and time of this line
      // (a runner may announce a run later than it was made).
      const row = record.taskRun?.[HISTORY_ROW] as TaskRow | undefined;
      if (row === undefined) {
        return;
      }
      if (record.kind === 'task-run-created') {
        row.created = this.#since(record.time);
        row.createdPosition = position;
      } else {
        row.immediate = record.immediate;
      }
      this.#touch(row);
      return;
    }
    if (record.kind === 'finished' && record.source.kind === 'task-run') {
      // Rebuilt from the row too, at this line's place and time (it comes
      // straight after the final state, before the row is written).
      const ended = this.#ended.at(-1);
      const row = ended?.run.id === record.source.id ? ended : undefined;
      if (row !== undefined) {
        row.endTime = this.#since(record.time);
        row.endPosition = position;
      }
      return;
    }
    const flowRunSeq = this.#flowRunSeqOf(record);
    if (flowRunSeq === undefined) {
      this.#orphanLines.push(record);
      return;
    }
    this.#pushLogRecord(flowRunSeq, record, position);
    this.#schedule();
  }

  close(): void {
    if (this.#off) {
      return;
    }
    this.#safely(() => {
      this.#flush('all');
      this.#thread?.drain(true);
    });
    clearTimeout(this.#timer);
    if (this.#off) {
      return;
    }
    this.#off = true;
    this.#options.db.close();
  }

  #flowRunSeqOf(record: LogRecord): number | undefined {
    const { source } = record;
    if (source.kind === 'flow-run') {
      return this.#flowRunSeqs.get(source.id);
    }
    if (source.kind === 'task-run') {
      return this.#flowRunSeqs.get(source.flowRunId);
    }
    if (record.kind === 'flow-run-created') {
      return this.#flowRunSeqs.get(record.flowRunId);
    }
    return this.#topLevelSeq;
  }

  #pushLogRecord(flowRunSeq: number, record: LogRecord, position: number): void {
    const { source } = record;
    pushLogRecord(this.#batch, {
      flowRunSeq,
      taskRunId: source.kind === 'task-run' ? source.id : undefined,
      sourceKind: source.kind,
      time: record.time,
      level: record.level,
      sourceName: this.#options.mask(source.name),
      message: this.#options.mask(formatMessage(record, PLAIN_STYLES)),
      position,
    });
  }

  #startFlowRun(run: FlowRun, state: State, position: number): void {
    const parentSeq = run.parentId === undefined ? undefined : this.#flowRunSeqs.get(run.parentId);
    const { parameters, secretNames } = this.#options.describeParameters(run);
    const seq = this.#statements.insertFlowRun({
      id: run.id,
      name: this.#options.mask(run.name),
      flowName: run.flowName,
      parentSeq,
      flowFile: parentSeq === undefined ? this.#options.flowFile : undefined,
      flowExport: parentSeq === undefined ? this.#options.flowExport : undefined,
      parameters: toJsonText(parameters),
      secretNames: JSON.stringify(secretNames),
      runner: run.runnerName,
      logLevel: this.level,
      state: this.#masked(state),
      runCount: run.runCount,
      pid: this.#options.pid,
      host: this.#options.host,
      position,
    });
    this.#flowRunSeqs.set(run.id, seq);
    if (run.runCount > 1) {
      this.#retriedSeqs.add(seq);
    }
    if (run.parentId === undefined) {
      this.#topLevelSeq = seq;
      // The CLI's own lines from before the run (settings warnings) go under it.
      for (const record of this.#orphanLines.splice(0)) {
        this.#pushLogRecord(seq, record, 0);
      }
    }
  }

  // A change of a task run already written is written at the next flush.
  #touch(row: TaskRow): void {
    if (row.written && !row.changed) {
      row.changed = true;
      this.#changed.push(row);
      this.#schedule();
    }
  }

  #schedule(): void {
    this.#pending += 1;
    if (this.#pending >= MAX_PENDING) {
      // At the next state change rather than now: the records that come
      // with this one (a final state's 'Finished in state' line) change the
      // rows to write. (Not in a microtask: while a chain of promises runs
      // 100,000 task runs, it would wait for all of them.)
      this.#full = true;
      return;
    }
    this.#startTimer();
  }

  #since(time: number): number {
    return time - this.#epoch;
  }

  #startTimer(): void {
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#safely(() => this.#flush('tick'));
      }, this.#options.flushAfterMs ?? 250);
      // Pending rows never keep the process alive: close() writes them.
      this.#timer.unref();
    }
  }

  /**
   * Writes what waits: the task runs that ended, those that changed, and
   * those going on that are due (at a 'tick': those begun before the last
   * one; 'all': every one).
   */
  #flush(going: 'due' | 'tick' | 'all'): void {
    const batch = this.#batch;
    const taskRuns = this.#ended.length + this.#changed.length;
    for (const row of this.#ended) {
      this.#pushTaskRow(batch, row, true);
      row.run[HISTORY_ROW] = undefined;
      this.#inFlight -= 1;
    }
    this.#ended = [];
    for (const row of this.#changed) {
      if (row.endTime === undefined) {
        this.#pushTaskRow(batch, row, false);
      }
    }
    this.#changed = [];
    if (going !== 'due') {
      // A row still going that is not written is among the young or aging:
      // the aging are due at a tick, both at the end.
      for (const row of going === 'all' ? [...this.#aging, ...this.#young] : this.#aging) {
        if (!row.written && row.endTime === undefined) {
          this.#pushTaskRow(batch, row, false);
        }
      }
      this.#aging = going === 'all' ? [] : this.#young;
      this.#young = [];
    }
    const waiting = this.#aging.length > 0;
    this.#batch = [];
    this.#pending = 0;
    this.#full = false;
    if (waiting) {
      // Those begun in the last tick are due at the next.
      this.#startTimer();
    }
    if (batch.length === 0) {
      return;
    }
    this.#taskRunsWrittenHere += taskRuns;
    if (this.#thread === undefined && this.#taskRunsWrittenHere >= this.#threadAfter) {
      this.#startThread();
    }
    if (this.#thread === undefined) {
      this.#writer.write(batch);
      return;
    }
    const failure = this.#thread.failure();
    if (failure !== undefined) {
      throw failure;
    }
    this.#thread.write(batch);
  }

  #startThread(): void {
    this.#thread = new HistoryWriterThread(dirname(this.#options.db.name));
  }

  get #threadAfter(): number {
    return this.#options.threadAfterTaskRuns ?? 2000;
  }

  #pushTaskRow(batch: WriteBatch, row: TaskRow, ended: boolean): void {
    const { run } = row;
    pushTaskRun(batch, {
      id: run.id,
      flowRunSeq: row.flowRunSeq,
      // A retried flow run's task run takes over the earlier attempt's row.
      mode: row.written ? UPDATE : this.#retriedSeqs.has(row.flowRunSeq) ? TAKE_OVER : INSERT,
      taskSeq: this.#statements.taskSeq(run.taskKey, run.taskName),
      dynamicKey: run.dynamicKey,
      name: this.#options.mask(run.name),
      immediate: row.immediate,
      state: this.#masked(run.state),
      created: row.created + this.#epoch,
      startTime: row.startTime === undefined ? undefined : row.startTime + this.#epoch,
      endTime: ended && row.endTime !== undefined ? row.endTime + this.#epoch : undefined,
      runCount: row.runCount,
      createdPosition: row.createdPosition,
      endPosition: ended ? row.endPosition : undefined,
      result: ended ? this.#keptResult(run) : undefined,
    });
    for (const state of row.changes ?? []) {
      pushStateChange(batch, row.flowRunSeq, true, this.#masked(state));
    }
    row.changes = undefined;
    row.written = true;
    row.changed = false;
  }

  // A completed run's result, for `flow runs retry`. Never a secret: a
  // result that holds a secret parameter's value is not kept (the retry runs
  // its task again), and inputs that hold one are kept as a hash.
  #keptResult(run: TaskRun): KeptResult | undefined {
    const { state } = run;
    const kept = state.type === 'COMPLETED' ? keepResult(run, state.data) : undefined;
    // Read once, as the run is written: a run of a large .map() that its
    // futures keep holds nothing more for the history.
    run.resultKeeping = undefined;
    if (kept === undefined) {
      return undefined;
    }
    const { mask } = this.#options;
    const text = kept.value ?? kept.file?.text;
    return text !== undefined && mask(text) !== text
      ? { inputs: null, value: null, file: null, problem: "it holds a secret parameter's value" }
      : kept.inputs !== null && mask(kept.inputs) !== kept.inputs
        ? { ...kept, inputs: hashInputsKey(kept.inputs) }
        : kept;
  }

  // A state as the history keeps it: its message may quote a secret.
  #masked(state: State): State {
    return state.message === undefined ? state : { ...state, message: this.#options.mask(state.message) };
  }

  #safely(write: () => void): void {
    if (this.#off) {
      return;
    }
    try {
      write();
    } catch (error) {
      this.#off = true;
      clearTimeout(this.#timer);
      this.#thread?.stop();
      try {
        this.#options.db.close();
      } catch {
        // closing a broken database may fail too; it is given up either way
      }
      this.#options.onFailure(error);
    }
  }
}
