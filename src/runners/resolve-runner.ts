import { UsageError } from '../errors.js';
import { ConcurrentTaskRunner } from './concurrent.js';
import { ParallelTaskRunner } from './parallel/parallel-runner.js';
import { SequentialTaskRunner } from './sequential.js';
import type { RunnerName, TaskRunner } from './task-runner.js';

export const RUNNER_NAMES: readonly RunnerName[] = ['sequential', 'concurrent', 'parallel'];

export const isTaskRunner = (value: unknown): value is TaskRunner =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as TaskRunner).submit === 'function' &&
  typeof (value as TaskRunner).duplicate === 'function';

export interface RunnerSettings {
  /** Worker threads of the parallel runner. */
  readonly workers?: number | undefined;
}

// A runner name or instance to a fresh, unstarted runner. Instances are
// duplicated so that one given in flow options can serve many runs.
export const resolveRunner = (runner: RunnerName | TaskRunner, source = 'the flow options', settings: RunnerSettings = {}): TaskRunner => {
  if (isTaskRunner(runner)) {
    return runner.duplicate();
  }
  switch (runner) {
    case 'sequential':
      return new SequentialTaskRunner();
    case 'concurrent':
      return new ConcurrentTaskRunner();
    case 'parallel':
      return new ParallelTaskRunner(settings.workers === undefined ? {} : { workers: settings.workers });
    default:
      throw new UsageError(
        `unknown runner ${JSON.stringify(runner)} (from ${source}); expected one of ${RUNNER_NAMES.map((name) => `'${name}'`).join(', ')}.`,
      );
  }
};
