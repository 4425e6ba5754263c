import { resolveInputs } from '../futures/resolve.js';
import type { TaskFuture } from '../futures/task-future.js';
import { LOG_LEVELS, type LogLevel } from '../logging/levels.js';
import { errorToCrashedState, taskErrorToFailedState } from '../states/from-outcome.js';
import { Completed, Crashed, NotReady, Running, TimedOut, type State } from '../states/state.js';
import type { FlowRunContext } from './context.js';
import { invokeInThread, type InvocationOutcome, type TaskInvoker } from './invocation.js';
import type { TaskRun } from './runs.js';
import { raceTimeout } from './timeout.js';

// How a task run's state moves: Pending -> (inputs resolved) -> Running ->
// Completed | Failed, or NotReady when an upstream did not complete. Every
// runner ends up here; this is the only place task run states are set.
// Ordering matters: the state is set (and the spinner told) before the
// "Finished in state" line, so counts and lines never disagree.

/** What the engine needs of a task definition. */
export interface ExecutableTask {
  readonly name: string;
  readonly key: string;
  /** The key a worker thread finds the task by, in the module that defined it. */
  readonly registryKey: string;
  /** The module that defined the task (a file URL), for runners that rebuild it elsewhere. */
  readonly moduleUrl: string | undefined;
  readonly fn: (...args: never[]) => unknown;
  readonly logPrints: boolean | undefined;
  readonly timeoutSeconds: number | undefined;
  /** Why a worker thread could not rebuild this task (defined inside a run), if it could not. */
  readonly unshippableReason: string | undefined;
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

const NEVER_ABORTED = new AbortController();

const logRecord = (flow: FlowRunContext, run: TaskRun, level: LogLevel, text: string): void => {
  const { reporter } = flow.runtime;
  if (level >= reporter.level) {
    reporter.log({ kind: 'message', time: flow.runtime.now(), level, source: { kind: 'task-run', name: run.name }, text });
  }
};

// A failure of the machinery around the task (a runner that threw): Crashed.
export const crashTaskRun = (flow: FlowRunContext, run: TaskRun, error: unknown): State => {
  const state = errorToCrashedState(error);
  logRecord(flow, run, LOG_LEVELS.ERROR, `Crash detected! ${state.message ?? ''}`);
  return finishTaskRun(flow, run, state);
};

// What an invocation's outcome means for the run: returned -> Completed,
// threw -> Failed (logged with its stack), crashed -> Crashed.
const outcomeToState = (flow: FlowRunContext, run: TaskRun, outcome: InvocationOutcome): State => {
  switch (outcome.kind) {
    case 'returned':
      return Completed({ data: outcome.value, timestamp: flow.runtime.now() });
    case 'threw': {
      const { reporter } = flow.runtime;
      if (LOG_LEVELS.ERROR >= reporter.level) {
        const source = { kind: 'task-run', name: run.name } as const;
        reporter.log({ kind: 'exception', time: flow.runtime.now(), level: LOG_LEVELS.ERROR, source, error: outcome.error });
      }
      return taskErrorToFailedState(outcome.error);
    }
    case 'crashed':
      logRecord(flow, run, LOG_LEVELS.ERROR, `Crash detected! ${outcome.reason}`);
      return Crashed({ message: outcome.reason, timestamp: flow.runtime.now() });
  }
};

// Runs the task's function through the runner's invoker, within its
// timeout, and turns what came of it into a final state.
const executeTask = async (
  flow: FlowRunContext,
  run: TaskRun,
  task: ExecutableTask,
  args: readonly unknown[],
  invoke: TaskInvoker,
): Promise<State> => {
  setTaskRunState(flow, run, Running({ timestamp: flow.runtime.now() }));
  const seconds = task.timeoutSeconds;
  // Only a run with a deadline can be aborted (for now): the others share one signal.
  const controller = seconds === undefined ? NEVER_ABORTED : new AbortController();
  const raced = await raceTimeout(seconds, controller, () =>
    invoke({ flow, run, task, args, logPrints: task.logPrints ?? flow.logPrints, signal: controller.signal }),
  );
  if (!raced.timedOut) {
    return outcomeToState(flow, run, raced.value);
  }
  // The work may still finish (an in-thread task that ignored the signal):
  // its result is discarded, and said so at DEBUG.
  void raced.late.then((outcome) =>
    logRecord(flow, run, LOG_LEVELS.DEBUG, `Discarded the ${outcome.kind === 'returned' ? 'result' : 'outcome'} of the run, which ended after its timeout.`),
  );
  const message = `Task run exceeded timeout of ${seconds ?? 0} second(s)`;
  logRecord(flow, run, LOG_LEVELS.ERROR, message);
  return TimedOut({ message, error: controller.signal.reason, timestamp: flow.runtime.now() });
};

// The whole life of a task run in this thread: wait for the upstream futures,
// then run the function, or end NotReady without running it.
export const runTaskRun = async (
  flow: FlowRunContext,
  run: TaskRun,
  task: ExecutableTask,
  args: readonly unknown[],
  upstreams: readonly TaskFuture<unknown>[],
  invoke: TaskInvoker = invokeInThread,
): Promise<State> => {
  const inputs = await resolveInputs(args, upstreams);
  if (!inputs.ok) {
    return finishTaskRun(flow, run, NotReady({ message: inputs.error.message, error: inputs.error, timestamp: flow.runtime.now() }));
  }
  return finishTaskRun(flow, run, await executeTask(flow, run, task, inputs.args, invoke));
};
