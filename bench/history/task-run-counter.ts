import type { RunReporter } from '../../src/logging/reporter.js';
import { LOG_LEVELS } from '../../src/logging/levels.js';
import type { State } from '../../src/states/state.js';
import type { TaskRun } from '../../src/engine/runs.js';

// A sink beside the recorder that counts the task runs it was told of, so
// that the fixture can say what it holds without reading the recorder's tables.
export class TaskRunCounter implements RunReporter {
  // It takes no log records: the recorder's level alone decides what the engine builds.
  readonly level = LOG_LEVELS.CRITICAL;
  taskRuns = 0;

  log(): void {}

  taskRunStateChanged(_run: TaskRun, _state: State, previous: State | undefined): void {
    if (previous === undefined) {
      this.taskRuns += 1;
    }
  }

  close(): void {}
}
