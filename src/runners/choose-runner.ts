import { UsageError } from '../errors.js';
import { ConcurrentTaskRunner } from './concurrent.js';
import { DEFAULT_RUNNER, quoteRunnerNames, RUNNER_NAMES, type RunnerName } from './names.js';
import { DistributedTaskRunner } from './distributed/distributed-runner.js';
import { ParallelTaskRunner } from './parallel/parallel-runner.js';
import { SequentialTaskRunner } from './sequential.js';
import type { TaskRunner } from './task-runner.js';

// Where a flow run's runner is chosen: the CLI for the run it starts, a
// flow's call and execute() for the others (scripts, subflows). Each run
// chooses once, here, and the engine is handed the runner.

export interface RunnerSettings {
  /** Worker threads of the parallel runner. */
  readonly workers?: number | undefined;
  /** The Redis server and queue of the distributed runner. */
  readonly redis?: string | undefined;
  readonly queue?: string | undefined;
}

// Every name makes its runner: a name without one does not compile.
const RUNNERS: { readonly [Name in RunnerName]: (settings: RunnerSettings) => TaskRunner } = {
  sequential: () => new SequentialTaskRunner(),
  concurrent: () => new ConcurrentTaskRunner(),
  parallel: ({ workers }) => new ParallelTaskRunner(workers === undefined ? {} : { workers }),
  distributed: ({ redis, queue }) => new DistributedTaskRunner({ ...(redis === undefined ? {} : { redis }), ...(queue === undefined ? {} : { queue }) }),
};

export const isTaskRunner = (value: unknown): value is TaskRunner =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as TaskRunner).submit === 'function' &&
  typeof (value as TaskRunner).duplicate === 'function';

const isRunnerName = (value: unknown): value is RunnerName => (RUNNER_NAMES as readonly unknown[]).includes(value);

// A name or an instance to a fresh, unstarted runner. Instances are
// duplicated so that one given in a flow's options can serve many runs.
const makeRunner = (runner: unknown, source: string, settings: RunnerSettings): TaskRunner => {
  if (isTaskRunner(runner)) {
    return runner.duplicate();
  }
  if (isRunnerName(runner)) {
    return RUNNERS[runner](settings);
  }
  throw new UsageError(`unknown runner ${JSON.stringify(runner)} (from ${source}); expected one of ${quoteRunnerNames()}.`);
};

/** A runner named or given for one run, and where that came from (for the error if it names none). */
export interface GivenRunner {
  readonly runner: RunnerName | TaskRunner;
  readonly source: string;
}

export interface RunnerRequest {
  /** Chosen for this run over the flow's own option: a flag, FLOW_RUNNER, the flow's config entry, execute()'s option. */
  readonly override?: GivenRunner | undefined;
  /** The flow's own taskRunner option. */
  readonly flowRunner?: RunnerName | TaskRunner | undefined;
  readonly flowName: string;
  /** The runner of the flow run this one is a subflow of. */
  readonly parentRunner?: TaskRunner | undefined;
  /** Used when nothing above chose: the config file's top level, or the default. */
  readonly fallback?: GivenRunner | undefined;
  readonly settings?: RunnerSettings;
}

/**
 * The runner of a flow run, highest precedence first: an override, the
 * flow's own option, its parent's kind (a subflow), the fallback, then the
 * default (concurrent).
 */
export const chooseRunner = (request: RunnerRequest): TaskRunner => {
  const settings = request.settings ?? {};
  if (request.override !== undefined) {
    return makeRunner(request.override.runner, request.override.source, settings);
  }
  if (request.flowRunner !== undefined) {
    return makeRunner(request.flowRunner, `the taskRunner option of flow '${request.flowName}'`, settings);
  }
  if (request.parentRunner !== undefined) {
    return request.parentRunner.duplicate();
  }
  const fallback = request.fallback ?? { runner: DEFAULT_RUNNER, source: 'default' };
  return makeRunner(fallback.runner, fallback.source, settings);
};
