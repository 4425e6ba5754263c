import { formatLine, formatMessage } from '../../src/logging/console-format.js';
import { LOG_LEVELS, type LogLevel } from '../../src/logging/levels.js';
import type { LogRecord } from '../../src/logging/records.js';
import type { RunReporter } from '../../src/logging/reporter.js';
import { PLAIN_STYLES } from '../../src/logging/styles.js';
import type { Runtime } from '../../src/engine/runtime.js';
import type { State } from '../../src/states/state.js';

// A reporter that keeps every record and state change in memory, so tests
// can assert exact lines without spawning a process.
export class MemoryReporter implements RunReporter {
  readonly level: LogLevel;
  readonly records: LogRecord[] = [];
  /** `at`: when it was reported, by the real clock (the runtime's is fake), for tests that compare durations. */
  readonly stateChanges: { readonly run: string; readonly state: State; readonly at: number }[] = [];
  closed = false;

  constructor(level: LogLevel = LOG_LEVELS.DEBUG) {
    this.level = level;
  }

  log(record: LogRecord): void {
    this.records.push(record);
  }

  taskRunStateChanged(run: { readonly name: string }, state: State): void {
    this.stateChanges.push({ run: run.name, state, at: Date.now() });
  }

  close(): void {
    this.closed = true;
  }

  /** `<who> - <message>` for every record, without time or level. */
  get messages(): string[] {
    return this.records.map((record) => formatLine(record, PLAIN_STYLES).replace(/^.{12} \| .{7,8} \| /, ''));
  }

  /** The message text alone of the records about one run. */
  messagesOf(runName: string): string[] {
    return this.records.filter((record) => record.source.name === runName).map((record) => formatMessage(record, PLAIN_STYLES));
  }
}

let clock = Date.UTC(2026, 0, 1, 12, 0, 0);

// A runtime with a memory reporter, a clock that ticks 1 ms per reading and a
// fixed random source (so the flow run is always named the same).
export const createTestRuntime = (reporter = new MemoryReporter()): Runtime & { reporter: MemoryReporter } => ({
  reporter,
  now: () => (clock += 1),
  random: () => 0.5,
});
