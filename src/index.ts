// The public surface of 'flowrun': every export is listed by name.

export { z } from 'zod';
export { secret } from './settings/secret-schema.js';
export { SECRET_MASK } from './settings/secret.js';

export { flow, type Flow as FlowDefinition } from './flows/flow.js';
export type { FlowOptions, FlowHook } from './flows/options.js';

export { task, type Task as TaskDefinition, type MaybeFuture, type FuturableArgs, type MapArgs } from './tasks/task.js';
export type { TaskOptions, SubmitOptions, TaskHook, TaskCacheContext, TaskRunNameParameters } from './tasks/options.js';
export { unmapped, type Unmapped } from './tasks/unmapped.js';
export { exponentialBackoff, type RetryDelaySeconds } from './engine/retry.js';
export { taskInputHash } from './engine/cache.js';

export { TaskFuture, type TaskRunRef } from './futures/task-future.js';
export { allowFailure, type AllowFailure } from './futures/allow-failure.js';
export { wait, asCompleted, type DoneAndNotDone, type FinishedFuture } from './futures/wait.js';

export {
  Scheduled,
  Pending,
  Running,
  Completed,
  Cached,
  Failed,
  TimedOut,
  Crashed,
  Cancelled,
  Cancelling,
  Paused,
  AwaitingRetry,
  Retrying,
  NotReady,
  TriggerFailed,
  isFinal,
  type State,
  type StateType,
  type StateName,
} from './states/state.js';
export { formatState } from './states/format.js';

export { getRunLogger, getLogger } from './engine/loggers.js';
export type { RunLogger } from './logging/logger.js';
export { getRunContext, type RunContext, type FlowRunContext, type TaskRunContext } from './engine/context.js';
export type { FlowRun, TaskRun } from './engine/runs.js';
export type { FlowRunOutcome } from './engine/flow-engine.js';
export type { RunFlowOptions } from './flows/execute.js';

export { sh, ShellCommandError, type ShOptions } from './shell/sh.js';
export { shellTask, type ShellTaskOptions } from './shell/shell-task.js';

// The Prefect 1 API: static graphs.
export { Flow, type Edge } from './graph/flow-graph.js';
export { Parameter, type ParameterOptions } from './graph/parameter.js';
export { Task, type GraphTaskOptions } from './graph/graph-task.js';
export { GraphNode, type EdgeOptions } from './graph/node.js';
export { allSuccessful, allFinished, alwaysRun, anyFailed, anySuccessful, allFailed, type Trigger } from './graph/triggers.js';
export type { MaybeNode, NodeArgs } from './graph/maybe-node.js';

export { SequentialTaskRunner } from './runners/sequential.js';
export { ConcurrentTaskRunner } from './runners/concurrent.js';
export { ParallelTaskRunner, type ParallelTaskRunnerOptions } from './runners/parallel/parallel-runner.js';
export { DistributedTaskRunner, type DistributedTaskRunnerOptions } from './runners/distributed/distributed-runner.js';
export type { TaskRunner, TaskRunJob } from './runners/task-runner.js';
export type { RunnerName } from './runners/names.js';

export {
  FlowrunError,
  UsageError,
  ParameterError,
  ConfigError,
  UnknownFlowError,
  FlowLoadError,
  MissingContextError,
  UpstreamTaskError,
  FailedRunError,
  CrashedRunError,
  CancelledRunError,
  UnfinishedRunError,
  FinishedRunError,
} from './errors.js';
