import { setTimeout as sleep } from 'node:timers/promises';
import { resolveInputs, type Upstream } from '../futures/resolve.js';
import { LOG_LEVELS } from '../logging/levels.js';
import { errorToCrashedState, taskErrorToFailedState } from '../states/from-outcome.js';
import { runningAt } from '../states/shared-states.js';
import { AwaitingRetry, Cancelled, Completed, Crashed, hasRunEnded, NotReady, Retrying, TimedOut, type State } from '../states/state.js';
import { runWithCache } from './cached-run.js';
import { runUnlessDoneEarlier } from './earlier-attempt.js';
import { logTaskRun, taskRunSource } from './run-log.js';
import type { ResolvedTaskOptions } from '../tasks/options.js';
import { runHooks } from './hooks.js';
import { formatRetryMessage, getRetryDelay } from './retry.js';
import type { FlowRunContext } from './context.js';
import { invokeInThread, type InvocationOutcome, type TaskInvoker } from './invocation.js';
import type { TaskRun } from './runs.js';
import { describeAbortReason, followAbort, raceAbort, RunTimeoutError } from './timeout.js';

// How a task run's state moves: Pending -> (inputs resolved) -> Running ->
// Completed | Failed, or NotReady when an upstream did not complete. Every
// runner ends up here; this is the only place task run states are set.
// Ordering matters: the state is set (and the spinner told) before the
// "Finished in state" line, so counts and lines never disagree.

/**
 * Decides from the upstream runs' final states whether a run may start: a
 * state to end it with instead (a Prefect 1 trigger that does not hold), or
 * undefined to run it.
 */
export type TaskGate = (upstreams: readonly State[]) => State | undefined;

/** What the engine needs of a task definition. */
export interface ExecutableTask {
  readonly name: string;
  readonly key: string;
  /** The key a worker thread finds the task by, in the module that defined it. */
  readonly registryKey: string;
  /** The module that defined the task (a file URL), for runners that rebuild it elsewhere. */
  readonly moduleUrl: string | undefined;
  readonly fn: (...args: never[]) => unknown;
  readonly options: ResolvedTaskOptions<never>;
  /** Why a worker thread could not rebuild this task (defined inside a run), if it could not. */
  readonly unshippableReason: string | undefined;
}

export const setTaskRunState = (flow: FlowRunContext, run: TaskRun, state: State): void => {
  const previous = run.state;
  run.state = state;
  flow.runtime.reporter.taskRunStateChanged(run, state, previous);
};

// Sets the final state and prints `Finished in state ...` (ERROR unless it
// completed). Only the first final state counts: a run cancelled by a signal
// stays Cancelled when its function returns later.
export const finishTaskRun = (flow: FlowRunContext, run: TaskRun, state: State): State => {
  if (hasRunEnded(run.state)) {
    return run.state;
  }
  setTaskRunState(flow, run, state);
  const { reporter } = flow.runtime;
  const level = state.type === 'COMPLETED' ? LOG_LEVELS.INFO : LOG_LEVELS.ERROR;
  if (level >= reporter.level) {
    reporter.log({ kind: 'finished', time: flow.runtime.now(), level, source: taskRunSource(run), state });
  }
  return state;
};



// A failure of the machinery around the task (a runner that threw): Crashed.
export const crashTaskRun = (flow: FlowRunContext, run: TaskRun, error: unknown): State => {
  const state = errorToCrashedState(error);
  logTaskRun(flow, run, LOG_LEVELS.ERROR, `Crash detected! ${state.message ?? ''}`);
  return finishTaskRun(flow, run, state);
};

type Attempt =
  /** Completed, crashed, or stopped from outside (the run has been ended by whoever stopped it). */
  | { readonly kind: 'completed' | 'crashed' | 'stopped'; readonly state: State }
  /** User code threw, or the attempt passed its deadline: a retry may follow. */
  | { readonly kind: 'failed'; readonly state: State; readonly error: unknown; readonly logStack: boolean };

// One call of the function through the runner's invoker, within the task's
// timeout. Crashes and timeouts are logged as they happen; a thrown error is
// logged by the caller, which knows whether a retry follows. A run without a
// deadline whose function returned a plain value is settled at once: this
// runs for every task, and each promise and tick shows at scale. Its signal
// is its flow run's: nothing else ever aborts it.
const attemptTask = (flow: FlowRunContext, run: TaskRun, task: ExecutableTask, args: readonly unknown[], invoke: TaskInvoker): Attempt | Promise<Attempt> => {
  const seconds = task.options.timeoutSeconds;
  if (seconds === undefined) {
    const outcome = invoke({ flow, run, task, args, logPrints: task.options.logPrints ?? flow.logPrints, signal: flow.signal });
    return outcome instanceof Promise ? outcome.then((settled) => toAttempt(flow, run, settled)) : toAttempt(flow, run, outcome);
  }
  return attemptWithDeadline(flow, run, task, args, invoke, seconds);
};

// An attempt with a signal of its own, aborted at its deadline or with its
// flow run's. The deadline counts from the start of the call, synchronous
// code included: a function that holds the thread past it and then returns
// has timed out, and what it returned is discarded (on the parallel runner
// the worker is terminated at the deadline instead).
const attemptWithDeadline = async (
  flow: FlowRunContext,
  run: TaskRun,
  task: ExecutableTask,
  args: readonly unknown[],
  invoke: TaskInvoker,
  seconds: number,
): Promise<Attempt> => {
  const controller = new AbortController();
  const stopFollowing = followAbort(flow.signal, controller);
  try {
    const raced = await raceAbort(
      controller,
      seconds,
      () => new RunTimeoutError('Task', seconds),
      () => invoke({ flow, run, task, args, logPrints: task.options.logPrints ?? flow.logPrints, signal: controller.signal }),
    );
    if (raced.kind === 'settled') {
      return toAttempt(flow, run, raced.value);
    }
    // The work may still finish (in-thread code that ignored the signal):
    // its outcome is discarded, and said so at DEBUG.
    void raced.late.then((outcome) =>
      logTaskRun(flow, run, LOG_LEVELS.DEBUG, `Discarded the ${outcome.kind === 'returned' ? 'result' : 'outcome'} of the run, which ended after it was stopped.`),
    );
    if (raced.kind === 'aborted') {
      return stoppedAttempt(flow, run, raced.reason);
    }
    const message = describeAbortReason(raced.reason);
    logTaskRun(flow, run, LOG_LEVELS.ERROR, message);
    const error: unknown = raced.reason;
    return { kind: 'failed', state: TimedOut({ message, error, timestamp: flow.runtime.now() }), error, logStack: false };
  } finally {
    stopFollowing();
  }
};

// A try whose flow run was stopped while it ran: the run has been ended
// (Cancelled) by whoever stopped it, and what the try came to is not its end.
const stoppedAttempt = (flow: FlowRunContext, run: TaskRun, reason: unknown): Attempt => ({
  kind: 'stopped',
  state: hasRunEnded(run.state) ? run.state : Cancelled({ message: describeAbortReason(reason), timestamp: flow.runtime.now() }),
});

const toAttempt = (flow: FlowRunContext, run: TaskRun, outcome: InvocationOutcome): Attempt => {
  if (flow.signal.aborted) {
    // Stopping may itself end the call (the parallel runner terminates its
    // workers): that is no crash of the run's.
    return stoppedAttempt(flow, run, flow.signal.reason);
  }
  switch (outcome.kind) {
    case 'returned':
      return { kind: 'completed', state: Completed({ data: outcome.value, timestamp: flow.runtime.now() }) };
    case 'threw':
      return { kind: 'failed', state: taskErrorToFailedState(outcome.error), error: outcome.error, logStack: true };
    case 'crashed':
      logTaskRun(flow, run, LOG_LEVELS.ERROR, `Crash detected! ${outcome.reason}`);
      return { kind: 'crashed', state: Crashed({ message: outcome.reason, timestamp: flow.runtime.now() }) };
  }
};

const NO_SLOTS = (): void => undefined;

const needsSlots = (flow: FlowRunContext, run: TaskRun): boolean => flow.concurrencyLimits !== undefined && run.tags.length > 0;

// The slots of the run's limited tags, waited for if need be (said at DEBUG).
const acquireSlots = (flow: FlowRunContext, run: TaskRun): Promise<() => void> | (() => void) => {
  const limits = flow.concurrencyLimits;
  return limits === undefined || run.tags.length === 0
    ? NO_SLOTS
    : limits.acquire(run.tags, (tag, limit) =>
        logTaskRun(flow, run, LOG_LEVELS.DEBUG, `Waiting for a concurrency slot: the limit of ${limit} for the '${tag}' tag has been reached`),
      );
};

// What a try ends in: its final state, or undefined when a retry follows.
// The error of the last failed try is logged with its stack.
const concludeAttempt = (flow: FlowRunContext, run: TaskRun, attempt: Attempt, retry: number, retries: number): State | undefined => {
  if (attempt.kind !== 'failed') {
    return attempt.state;
  }
  if (retry < retries) {
    return undefined;
  }
  if (attempt.logStack && LOG_LEVELS.ERROR >= flow.runtime.reporter.level) {
    const source = taskRunSource(run);
    flow.runtime.reporter.log({ kind: 'exception', time: flow.runtime.now(), level: LOG_LEVELS.ERROR, source, error: attempt.error });
  }
  return attempt.state;
};

// Runs the task until it completes, crashes, or fails with no retries left:
// Running -> (failed: AwaitingRetry -> Retrying -> ...) -> a final state.
// A first try that needs no slot and whose function returned a plain value
// ends here and now, without a promise: this runs for every task, and each
// promise costs an async hook and a property array on top of itself.
const executeTask = (flow: FlowRunContext, run: TaskRun, task: ExecutableTask, args: readonly unknown[], invoke: TaskInvoker): State | Promise<State> => {
  if (needsSlots(flow, run)) {
    return executeTries(flow, run, task, args, invoke, undefined);
  }
  setTaskRunState(flow, run, runningAt(flow.runtime.now()));
  const first = attemptTask(flow, run, task, args, invoke);
  if (first instanceof Promise) {
    return executeTries(flow, run, task, args, invoke, first);
  }
  return concludeAttempt(flow, run, first, 0, task.options.retries ?? 0) ?? executeTries(flow, run, task, args, invoke, first);
};

// The tries of executeTask, the first of which it may have started already.
const executeTries = async (
  flow: FlowRunContext,
  run: TaskRun,
  task: ExecutableTask,
  args: readonly unknown[],
  invoke: TaskInvoker,
  firstTry: Attempt | Promise<Attempt> | undefined,
): Promise<State> => {
  const { options } = task;
  const retries = options.retries ?? 0;
  for (let retry = 0; ; retry += 1) {
    let attempt: Attempt;
    if (retry === 0 && firstTry !== undefined) {
      attempt = await firstTry;
    } else {
      const slots = acquireSlots(flow, run);
      const release = slots === NO_SLOTS ? NO_SLOTS : await slots;
      // Ended while it waited for a slot or its retry (its flow run was
      // stopped): it does not run again.
      if (hasRunEnded(run.state)) {
        release();
        return run.state;
      }
      const now = flow.runtime.now();
      setTaskRunState(flow, run, retry === 0 ? runningAt(now) : Retrying({ timestamp: now }));
      try {
        const pending = attemptTask(flow, run, task, args, invoke);
        attempt = pending instanceof Promise ? await pending : pending;
      } finally {
        release();
      }
    }
    const ended = concludeAttempt(flow, run, attempt, retry, retries);
    if (ended !== undefined) {
      return ended;
    }
    // Only a failed try is retried.
    const error = attempt.kind === 'failed' ? attempt.error : undefined;
    const delay = getRetryDelay(options.retryDelaySeconds, retries, retry, options.retryJitterFactor, flow.runtime.random);
    logTaskRun(flow, run, LOG_LEVELS.INFO, formatRetryMessage(error, retry, retries, delay));
    if (delay > 0) {
      setTaskRunState(flow, run, AwaitingRetry({ timestamp: flow.runtime.now() }));
      await sleep(delay * 1000, undefined, { signal: flow.signal }).catch(() => undefined);
    }
  }
};

// The whole life of a task run in this thread: wait for the upstream futures,
// then run the function, or end NotReady without running it. The promise
// never rejects: a failure of the machinery around the task (not of the
// task) ends the run Crashed here, so runners need no guard of their own.
export const runTaskRun = (
  flow: FlowRunContext,
  run: TaskRun,
  task: ExecutableTask,
  args: readonly unknown[],
  upstreams: readonly Upstream[],
  invoke: TaskInvoker = invokeInThread,
  gate?: TaskGate,
): Promise<State> =>
  // A run without upstreams (most of them) has nothing to wait for.
  upstreams.length === 0 && gate === undefined
    ? runWithInputs(flow, run, task, args, invoke)
    : runAfterUpstreams(flow, run, task, args, upstreams, invoke, gate).catch((error: unknown) => crashTaskRun(flow, run, error));

const runAfterUpstreams = async (
  flow: FlowRunContext,
  run: TaskRun,
  task: ExecutableTask,
  args: readonly unknown[],
  upstreams: readonly Upstream[],
  invoke: TaskInvoker,
  gate: TaskGate | undefined,
): Promise<State> => {
  const inputs = await resolveInputs(args, upstreams);
  if (!inputs.ok) {
    return finishTaskRun(flow, run, NotReady({ message: inputs.error.message, error: inputs.error, timestamp: flow.runtime.now() }));
  }
  const gated = gate?.(upstreams.map(({ future }) => future.state));
  if (gated !== undefined) {
    return finishTaskRun(flow, run, gated);
  }
  return runWithInputs(flow, run, task, inputs.args, invoke);
};

// No async frame of its own, and one reaction for both outcomes: a flow may
// have a hundred thousand runs in flight, and what each keeps alive until it
// finishes shows in memory and in garbage collection.
// (The reaction is made apart from the call, whose closure holds the
// arguments: one function's closures share one context, and the reaction
// would keep them alive too.)
const runWithInputs = (flow: FlowRunContext, run: TaskRun, task: ExecutableTask, args: readonly unknown[], invoke: TaskInvoker): Promise<State> => {
  // Ended before its turn came (its flow run was stopped while the run
  // waited for its upstreams or in a runner's queue): it never starts.
  if (hasRunEnded(run.state)) {
    return Promise.resolve(run.state);
  }
  let executed: State | Promise<State>;
  try {
    const execute = (): State | Promise<State> => runWithCache(flow, run, task, args, () => executeTask(flow, run, task, args, invoke));
    executed = flow.keepsResults ? runUnlessDoneEarlier(flow, run, task, args, execute) : execute();
  } catch (error) {
    return crashLater(flow, run, error);
  }
  return settleTaskRun(flow, run, task, executed);
};

// A run that ended at once still finishes in a later job, as one that
// awaited would: its Finished line comes after the lines of the runs
// submitted with it, as in Prefect.
const SETTLED = Promise.resolve();

const settleTaskRun = (flow: FlowRunContext, run: TaskRun, task: ExecutableTask, executed: State | Promise<State>): Promise<State> =>
  executed instanceof Promise
    ? executed.then(
        (state) => endTaskRun(flow, run, task, state),
        (error: unknown) => crashTaskRun(flow, run, error),
      )
    : SETTLED.then(() => endTaskRun(flow, run, task, executed));

const crashLater = (flow: FlowRunContext, run: TaskRun, error: unknown): Promise<State> => SETTLED.then(() => crashTaskRun(flow, run, error));

const endTaskRun = (flow: FlowRunContext, run: TaskRun, task: ExecutableTask, state: State): State | Promise<State> => {
  const hooks = state.type === 'COMPLETED' ? task.options.onCompletion : state.type === 'FAILED' ? task.options.onFailure : undefined;
  if (hooks === undefined) {
    return finishTaskRun(flow, run, state);
  }
  return runHooks(flow.runtime, taskRunSource(run), hooks, run, state).then(
    () => finishTaskRun(flow, run, state),
    (error: unknown) => crashTaskRun(flow, run, error),
  );
};
