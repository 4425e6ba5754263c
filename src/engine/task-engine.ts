import { resolveInputs } from '../futures/resolve.js';
import type { TaskFuture } from '../futures/task-future.js';
import { createLogger } from '../logging/logger.js';
import { LOG_LEVELS } from '../logging/levels.js';
import { errorToCrashedState, taskErrorToFailedState } from '../states/from-outcome.js';
import { Completed, NotReady, Running, type State } from '../states/state.js';
import { runInContext, type FlowRunContext, type TaskRunContext } from './context.js';
import { installPrintCapture } from './print-capture.js';
import type { TaskRun } from './runs.js';

// How a task run's state moves: Pending -> (inputs resolved) -> Running ->
// Completed | Failed, or NotReady when an upstream did not complete. Every
// runner ends up here; this is the only place task run states are set.
// Ordering matters: the state is set (and the spinner told) before the
// "Finished in state" line, so counts and lines never disagree.

/** What the engine needs of a task definition. */
export interface ExecutableTask {
  readonly name: string;
  readonly key: string;
  readonly fn: (...args: never[]) => unknown;
  readonly logPrints: boolean | undefined;
}

export const setTaskRunState = (flow: FlowRunContext, run: TaskRun, state: State): void => {
  run.state = state;
  flow.runtime.reporter.taskRunStateChanged(run, state);
};

// Sets the final state and prints `Finished in state ...` (ERROR unless it
// completed). Only the first final state counts: a run cancelled by a signal
// stays Cancelled when its function returns later.
export const finishTaskRun = (flow: FlowRunContext, run: TaskRun, state: State): State => {
  if (!flow.liveTaskRuns.delete(run)) {
    return run.state;
  }
  setTaskRunState(flow, run, state);
  const { reporter } = flow.runtime;
  const level = state.type === 'COMPLETED' ? LOG_LEVELS.INFO : LOG_LEVELS.ERROR;
  if (level >= reporter.level) {
    reporter.log({ kind: 'finished', time: flow.runtime.now(), level, source: { kind: 'task-run', name: run.name }, state });
  }
  return state;
};

// A failure of the machinery around the task (a runner that threw): Crashed.
export const crashTaskRun = (flow: FlowRunContext, run: TaskRun, error: unknown): State => {
  const state = errorToCrashedState(error);
  const { reporter } = flow.runtime;
  if (LOG_LEVELS.ERROR >= reporter.level) {
    reporter.log({
      kind: 'message',
      time: flow.runtime.now(),
      level: LOG_LEVELS.ERROR,
      source: { kind: 'task-run', name: run.name },
      text: `Crash detected! ${state.message ?? ''}`,
    });
  }
  return finishTaskRun(flow, run, state);
};

// Runs the task's function in its own run context, turning what it returns
// or throws into a final state. User errors become Failed, logged with stack.
const executeTaskFunction = async (
  flow: FlowRunContext,
  run: TaskRun,
  task: ExecutableTask,
  args: readonly unknown[],
): Promise<State> => {
  setTaskRunState(flow, run, Running({ timestamp: flow.runtime.now() }));
  const source = { kind: 'task-run', name: run.name } as const;
  const context: TaskRunContext = {
    kind: 'task',
    taskRun: run,
    flowContext: flow,
    logger: createLogger(flow.runtime, source),
    logPrints: task.logPrints ?? flow.logPrints,
  };
  if (context.logPrints) {
    installPrintCapture();
  }
  try {
    const fn = task.fn as (...values: unknown[]) => unknown;
    const result = await runInContext(context, () => fn(...args));
    return Completed({ data: result, timestamp: flow.runtime.now() });
  } catch (error) {
    const { reporter } = flow.runtime;
    if (LOG_LEVELS.ERROR >= reporter.level) {
      reporter.log({ kind: 'exception', time: flow.runtime.now(), level: LOG_LEVELS.ERROR, source, error });
    }
    return taskErrorToFailedState(error);
  }
};

// The whole life of a task run in this thread: wait for the upstream futures,
// then run the function, or end NotReady without running it.
export const runTaskRun = async (
  flow: FlowRunContext,
  run: TaskRun,
  task: ExecutableTask,
  args: readonly unknown[],
  upstreams: readonly TaskFuture<unknown>[],
): Promise<State> => {
  const inputs = await resolveInputs(args, upstreams);
  if (!inputs.ok) {
    return finishTaskRun(flow, run, NotReady({ message: inputs.error.message, error: inputs.error, timestamp: flow.runtime.now() }));
  }
  return finishTaskRun(flow, run, await executeTaskFunction(flow, run, task, inputs.args));
};
