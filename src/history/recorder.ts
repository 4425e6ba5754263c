import { hashInputsKey } from '../engine/cache.js';
import type { FlowRun, TaskRun } from '../engine/runs.js';
import { formatMessage } from '../logging/console-format.js';
import type { LogLevel } from '../logging/levels.js';
import type { LogRecord } from '../logging/records.js';
import type { RunReporter } from '../logging/reporter.js';
import { PLAIN_STYLES } from '../logging/styles.js';
import { hasRunEnded, type State } from '../states/state.js';
import type { HistoryDatabase } from './database.js';
import { EarlierAttemptLines } from './earlier-lines.js';
import { HistoryStatements } from './statements.js';
import { toJsonText } from './json-text.js';
import { keepResult, type KeptResult } from './kept-result.js';

// The run history's sink: it reads the record stream and writes the runs,
// their state changes and their log records to the database. Writing costs
// far more than running a trivial task, so it is batched: flow runs are
// written as they start and end (a run that had begun is listed even if its
// process is killed), and everything else waits in memory until a timer, a
// full batch or the end of a top-level flow run writes it in one
// transaction. Any failure of the database turns the recorder off for good,
// with one call of `onFailure`: the history never fails a run.

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
}

/** A task run's row while it is written: what its states alone do not say. */
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
  /** Its row id, once written. */
  seq: number | undefined;
}

interface StateChangeRow {
  readonly flowRunSeq: number;
  readonly taskRun: TaskRow | undefined;
  readonly state: State;
}

interface LogRow {
  readonly flowRunSeq: number;
  readonly record: LogRecord;
  readonly position: number;
}

// A batch this large is written at once rather than at the timer.
const MAX_PENDING = 20_000;

export class HistoryRecorder implements RunReporter {
  readonly level: LogLevel;
  readonly #options: RecorderOptions;
  readonly #statements: HistoryStatements;
  #off = false;
  // The place of each event in the stream, which orders the lines rebuilt
  // from rows among the stored ones.
  #position = 0;
  readonly #flowRunSeqs = new Map<string, number>();
  /** The flow runs that are retries (`flow runs retry`): their task runs take the earlier attempt's rows. */
  readonly #retriedSeqs = new Set<number>();
  // Prepared at the first retried task run's write: most runs are no retry.
  #earlierLines: EarlierAttemptLines | undefined;
  /** The newest top-level flow run: lines of no run (the CLI's own) go under it. */
  #topLevelSeq: number | undefined;
  readonly #orphanLines: LogRecord[] = [];
  /** The task runs not yet written with their final state, by id. */
  readonly #taskRows = new Map<string, TaskRow>();
  readonly #dirtyTaskRows = new Set<TaskRow>();
  #stateChanges: StateChangeRow[] = [];
  #logRows: LogRow[] = [];
  #pending = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RecorderOptions) {
    this.level = options.level;
    this.#options = options;
    this.#statements = new HistoryStatements(options.db);
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
        // Everything of the run is written with its end, so that a
        // `flow runs` straight after it sees it whole.
        this.#flush(() => this.#statements.endFlowRun(seq, this.#masked(state)));
        return;
      }
      if (state.type === 'RUNNING' && previous.type === 'PENDING') {
        this.#flush(() => this.#statements.startFlowRun(seq, state.timestamp));
        return;
      }
      this.#stateChanges.push({ flowRunSeq: seq, taskRun: undefined, state });
      this.#schedule(1);
    });
  }

  taskRunStateChanged(run: TaskRun, state: State, previous: State | undefined): void {
    if (this.#off) {
      return;
    }
    const position = (this.#position += 1);
    let row = this.#taskRows.get(run.id);
    if (previous === undefined || row === undefined) {
      const flowRunSeq = this.#flowRunSeqs.get(run.flowRunId);
      if (flowRunSeq === undefined) {
        return;
      }
      row = {
        run,
        flowRunSeq,
        created: state.timestamp,
        createdPosition: position,
        immediate: false,
        startTime: undefined,
        runCount: 0,
        endTime: undefined,
        endPosition: undefined,
        seq: undefined,
      };
      this.#taskRows.set(run.id, row);
    } else if (state.type === 'RUNNING') {
      row.runCount += 1;
      if (row.startTime === undefined) {
        row.startTime = state.timestamp;
      } else {
        this.#stateChanges.push({ flowRunSeq: row.flowRunSeq, taskRun: row, state });
      }
    } else if (hasRunEnded(state)) {
      row.endTime = state.timestamp;
      row.endPosition = position;
    } else {
      this.#stateChanges.push({ flowRunSeq: row.flowRunSeq, taskRun: row, state });
    }
    this.#dirtyTaskRows.add(row);
    this.#schedule(1);
  }

  log(record: LogRecord): void {
    if (this.#off) {
      return;
    }
    const position = (this.#position += 1);
    if (record.kind === 'task-run-created' || record.kind === 'task-run-submitted') {
      // Rebuilt from the task run's row, at the place and time of this line
      // (a runner may announce a run later than it was made).
      const row = this.#taskRows.get(record.taskRunId);
      if (row === undefined) {
        return;
      }
      if (record.kind === 'task-run-created') {
        row.created = record.time;
        row.createdPosition = position;
      } else {
        row.immediate = record.immediate;
      }
      return;
    }
    if (record.kind === 'finished' && record.source.kind === 'task-run') {
      // Rebuilt from the row too, at this line's place and time.
      const row = this.#taskRows.get(record.source.id);
      if (row !== undefined) {
        row.endTime = record.time;
        row.endPosition = position;
      }
      return;
    }
    const flowRunSeq = this.#flowRunSeqOf(record);
    if (flowRunSeq === undefined) {
      this.#orphanLines.push(record);
      return;
    }
    this.#logRows.push({ flowRunSeq, record, position });
    this.#schedule(1);
  }

  close(): void {
    if (this.#off) {
      return;
    }
    this.#safely(() => this.#flush());
    clearTimeout(this.#timer);
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
        this.#logRows.push({ flowRunSeq: seq, record, position: 0 });
      }
    }
  }

  #schedule(count: number): void {
    this.#pending += count;
    if (this.#pending >= MAX_PENDING) {
      this.#safely(() => this.#flush());
      return;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#safely(() => this.#flush());
      }, this.#options.flushAfterMs ?? 250);
      // Pending rows never keep the process alive: close() writes them.
      this.#timer.unref();
    }
  }

  /** Writes everything pending, and `also`, in one write transaction. */
  #flush(also?: () => void): void {
    const rows = [...this.#dirtyTaskRows];
    this.#dirtyTaskRows.clear();
    const stateChanges = this.#stateChanges;
    this.#stateChanges = [];
    const logRows = this.#logRows;
    this.#logRows = [];
    this.#pending = 0;
    this.#statements.inTransaction(() => {
      for (const row of rows) {
        const ended = hasRunEnded(row.run.state);
        const retried = this.#retriedSeqs.has(row.flowRunSeq);
        if (retried && row.seq === undefined) {
          this.#earlierLines ??= new EarlierAttemptLines(this.#options.db);
          for (const line of this.#earlierLines.of(row.flowRunSeq, row.run.taskKey, row.run.dynamicKey)) {
            this.#statements.insertLogRecord(line);
          }
        }
        row.seq = this.#statements.writeTaskRun({
          id: row.run.id,
          flowRunSeq: row.flowRunSeq,
          taskKey: row.run.taskKey,
          taskName: row.run.taskName,
          dynamicKey: row.run.dynamicKey,
          name: this.#options.mask(row.run.name),
          immediate: row.immediate,
          state: this.#masked(row.run.state),
          created: row.created,
          startTime: row.startTime,
          endTime: ended ? row.endTime : undefined,
          runCount: row.runCount,
          createdPosition: row.createdPosition,
          endPosition: ended ? row.endPosition : undefined,
        }, row.seq, retried);
        if (ended) {
          this.#taskRows.delete(row.run.id);
          this.#keepResult(row.seq, row.run);
        }
      }
      for (const change of stateChanges) {
        this.#statements.insertStateChange(change.flowRunSeq, change.taskRun?.seq, this.#masked(change.state));
      }
      for (const { flowRunSeq, record, position } of logRows) {
        const { source } = record;
        this.#statements.insertLogRecord({
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
      also?.();
    });
  }

  // A completed run's result, for `flow runs retry`. Never a secret: a
  // result that holds a secret parameter's value is not kept (the retry runs
  // its task again), and inputs that hold one are kept as a hash.
  #keepResult(seq: number, run: TaskRun): void {
    const { state } = run;
    const kept = state.type === 'COMPLETED' ? keepResult(run, state.data) : undefined;
    if (kept === undefined) {
      return;
    }
    const { mask } = this.#options;
    const text = kept.value ?? kept.file?.text;
    const safe: KeptResult =
      text !== undefined && mask(text) !== text
        ? { inputs: null, value: null, file: null, problem: "it holds a secret parameter's value" }
        : kept.inputs !== null && mask(kept.inputs) !== kept.inputs
          ? { ...kept, inputs: hashInputsKey(kept.inputs) }
          : kept;
    this.#statements.writeResult(seq, safe);
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
      try {
        this.#options.db.close();
      } catch {
        // closing a broken database may fail too; it is given up either way
      }
      this.#options.onFailure(error);
    }
  }
}
