import type { FlowRun, TaskRun } from '../engine/runs.js';
import type { State } from '../states/state.js';
import type { LogLevel } from './levels.js';
import type { LogRecord } from './records.js';
import type { RunReporter } from './reporter.js';

/** What a sink that fails is told to do: say why once, through the others. */
export type SinkFailureHandler = (sink: RunReporter, error: unknown) => void;

// The one stream of what happens in runs, read by any number of sinks (the
// console, the run history, later JSON lines and reports), each at its own
// level: a record reaches the sinks whose level lets it through, and every
// state change reaches every sink. The engine sees the lowest level of them
// all, so it builds no record that no sink would take.
//
// A sink that throws is dropped, once, and `onSinkFailure` is told: a full
// disk under the history must not end a run, nor change what the console
// shows.
export class RunEventStream implements RunReporter {
  readonly level: LogLevel;
  #sinks: readonly RunReporter[];
  readonly #onSinkFailure: SinkFailureHandler;

  constructor(sinks: readonly RunReporter[], onSinkFailure: SinkFailureHandler) {
    if (sinks.length === 0) {
      throw new TypeError('A RunEventStream needs at least one sink.');
    }
    this.#sinks = sinks;
    this.#onSinkFailure = onSinkFailure;
    this.level = Math.min(...sinks.map((sink) => sink.level)) as LogLevel;
  }

  log(record: LogRecord): void {
    for (const sink of this.#sinks) {
      if (record.level >= sink.level) {
        this.#guard(sink, () => sink.log(record));
      }
    }
  }

  taskRunStateChanged(run: TaskRun, state: State, previous: State | undefined): void {
    for (const sink of this.#sinks) {
      this.#guard(sink, () => sink.taskRunStateChanged(run, state, previous));
    }
  }

  flowRunStateChanged(run: FlowRun, state: State, previous: State | undefined): void {
    for (const sink of this.#sinks) {
      if (sink.flowRunStateChanged !== undefined) {
        this.#guard(sink, () => sink.flowRunStateChanged?.(run, state, previous));
      }
    }
  }

  beforeUserCode(): void {
    for (const sink of this.#sinks) {
      if (sink.beforeUserCode !== undefined) {
        this.#guard(sink, () => sink.beforeUserCode?.());
      }
    }
  }

  close(): void {
    for (const sink of this.#sinks) {
      this.#guard(sink, () => sink.close());
    }
  }

  #guard(sink: RunReporter, deliver: () => void): void {
    try {
      deliver();
    } catch (error) {
      if (!this.#sinks.includes(sink)) {
        return;
      }
      this.#sinks = this.#sinks.filter((other) => other !== sink);
      this.#onSinkFailure(sink, error);
    }
  }
}
