import type { TaskInvoker } from '../engine/invocation.js';
import type { TaskRun } from '../engine/runs.js';
import type { TagLimits } from '../engine/concurrency-limits.js';
import type { State } from '../states/state.js';

// Runners decide WHERE and WHEN a task run executes; the task engine decides
// how its state moves. A runner never sets a state itself: it calls
// `job.announce()` when it accepts the run and `job.run()` to execute it, and
// hands back the final State that run() produced. The parallel and distributed
// runners implement this same interface.

/** A task run handed to a runner. */
export interface TaskRunJob {
  readonly taskRun: TaskRun;
  /** `await t(x)` rather than `t.submit(x)`: announced as executing immediately on every runner. */
  readonly direct: boolean;
  /**
   * Called from inside another task run of this flow run. A runner that
   * queues runs must start it at once: the caller may be waiting for it while
   * holding the runner's only slot.
   */
  readonly nested: boolean;
  /**
   * Logs `Created task run ...` and then `Executing ... immediately...`
   * (immediate) or `Submitted task run ... for execution.`.
   */
  announce(immediate: boolean): void;
  /**
   * Resolves the inputs and takes the run through the task engine, which
   * calls the function through `invoke` (default: in this thread).
   */
  run(invoke?: TaskInvoker): Promise<State>;
}

export interface TaskRunner {
  /** The class name Prefect prints: `Starting 'ConcurrentTaskRunner'; ...`. */
  readonly name: string;
  /** `submitted tasks will be run <concurrency>...` */
  readonly concurrency: 'sequentially' | 'concurrently' | 'in parallel';
  /** A line said after the `Starting` line, where the runner has more to say (how many workers). */
  readonly startDetail?: string;
  /**
   * Makes the runner ready. `signal` is its flow run's: once it is aborted
   * (the run timed out, was cancelled or has ended) nothing the runner still
   * runs matters, and a runner may stop it at once (the parallel one
   * terminates its workers).
   */
  start(signal?: AbortSignal): Promise<void>;
  /** Accepts a task run; resolves to its final State. Throws if the runner is not started. */
  submit(job: TaskRunJob): Promise<State>;
  /** Waits for nothing; frees what start() took. A stopped runner can be started again. */
  shutdown(): Promise<void>;
  /**
   * Where the flow run's tag concurrency limits are kept, for a runner whose
   * task runs share them with other processes (the distributed runner keeps
   * them in Redis, across every worker of its queue); by default, in the
   * flow run's process.
   */
  tagLimits?(limits: Readonly<Record<string, number>>): TagLimits;
  /** A fresh, unstarted runner of the same kind and options (for subflows and reruns). */
  duplicate(): TaskRunner;
  [Symbol.asyncDispose](): Promise<void>;
}

export class RunnerNotStartedError extends Error {
  constructor(runnerName: string) {
    super(`${runnerName}.submit() was called before start(); start the runner first (flow runs do this for you).`);
  }
}
RunnerNotStartedError.prototype.name = 'RunnerNotStartedError';
