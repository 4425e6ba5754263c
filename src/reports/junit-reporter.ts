import { renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FlowRun, TaskRun } from '../engine/runs.js';
import { LOG_LEVELS, type LogLevel } from '../logging/levels.js';
import type { LogRecord } from '../logging/records.js';
import type { RunReporter } from '../logging/reporter.js';
import { hasRunEnded, type State } from '../states/state.js';
import { formatExceptionWithStack } from '../states/from-outcome.js';
import { renderJUnit, type CaseRun, type SuiteRun } from './junit-report.js';
import { makeDirs } from '../util/make-dirs.js';

// `flow run --junit PATH`: a sink of the record stream that follows the flow
// runs and task runs, and writes their JUnit report when the stream closes,
// which every end of `flow run` does: completed, failed, cancelled by a
// signal, or cut short by process.exit() in task code. Written whole (a
// temporary file, then a rename), so CI never reads half a report.

export class JUnitReporter implements RunReporter {
  // Exceptions are logged at ERROR: the stacks of failures come from them, whatever the console's level.
  readonly level: LogLevel = LOG_LEVELS.ERROR;
  readonly #path: string;
  readonly #mask: (text: string) => string;
  readonly #suites = new Map<string, SuiteRun>();
  readonly #cases = new Map<string, CaseRun>();
  #written = false;

  constructor(path: string, mask: (text: string) => string = (text) => text) {
    this.#path = path;
    this.#mask = mask;
  }

  log(record: LogRecord): void {
    if (record.kind !== 'exception') {
      return;
    }
    const { source } = record;
    const run = source.kind === 'task-run' ? this.#cases.get(source.id) : source.kind === 'flow-run' ? this.#suites.get(source.id) : undefined;
    if (run !== undefined) {
      run.stack = formatExceptionWithStack(record.error);
    }
  }

  taskRunStateChanged(run: TaskRun, state: State): void {
    let entry = this.#cases.get(run.id);
    if (entry === undefined) {
      entry = { id: run.id, name: run.name, state: undefined, start: undefined, end: undefined, stack: undefined };
      this.#cases.set(run.id, entry);
      this.#suites.get(run.flowRunId)?.cases.push(entry);
    }
    follow(entry, state);
  }

  flowRunStateChanged(run: FlowRun, state: State): void {
    let suite = this.#suites.get(run.id);
    if (suite === undefined) {
      suite = { id: run.id, name: run.name, flowName: run.flowName, created: state.timestamp, state: undefined, start: undefined, end: undefined, stack: undefined, cases: [] };
      this.#suites.set(run.id, suite);
    }
    follow(suite, state);
  }

  close(): void {
    if (this.#written || this.#suites.size === 0) {
      return;
    }
    this.#written = true;
    makeDirs(dirname(this.#path));
    const temporary = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(temporary, renderJUnit([...this.#suites.values()], this.#mask));
    renameSync(temporary, this.#path);
  }
}

const follow = (run: { state: State | undefined; start: number | undefined; end: number | undefined }, state: State): void => {
  run.state = state;
  if (state.type === 'RUNNING' && run.start === undefined) {
    run.start = state.timestamp;
  }
  if (hasRunEnded(state)) {
    run.end = state.timestamp;
  }
};
