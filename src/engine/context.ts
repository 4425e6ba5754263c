import { AsyncLocalStorage } from 'node:async_hooks';
import { FinishedRunError, MissingContextError } from '../errors.js';
import type { RunLogger } from '../logging/logger.js';
import type { TaskRunner } from '../runners/task-runner.js';
import { formatState } from '../states/format.js';
import { hasRunEnded, type State } from '../states/state.js';
import { getGlobalSingleton } from '../util/global-singleton.js';
import type { TagLimits } from './concurrency-limits.js';
import type { EarlierAttempt } from './earlier-attempt.js';
import type { LiveTaskRuns } from './live-task-runs.js';
import type { FlowRun, TaskRunInfo } from './runs.js';
import type { Runtime } from './runtime.js';
import { describeAbortReason } from './timeout.js';

/** Anything a flow run must wait for before it ends: a task future, a subflow run. */
export interface ChildRun {
  wait(): Promise<State>;
  /** Its current state, when it can be read without waiting (a task future's). */
  readonly state?: State;
}

/**
 * A child's final state if it has ended, read without waiting: a flow may have
 * a hundred thousand, and a promise reaction for each is not free.
 */
export const getEndedState = (child: ChildRun): State | undefined => {
  const { state } = child;
  return state !== undefined && hasRunEnded(state) ? state : undefined;
};

export interface FlowRunContext {
  readonly kind: 'flow';
  readonly flowRun: FlowRun;
  readonly runtime: Runtime;
  readonly runner: TaskRunner;
  readonly logger: RunLogger;
  readonly logPrints: boolean;
  readonly parent: FlowRunContext | undefined;
  /** How many runs of each task key this flow run made: the `-<n>` of task run names. */
  readonly taskRunCounts: Map<string, number>;
  /** Every task run and subflow run started in this flow run, in order. */
  readonly children: ChildRun[];
  /** Task runs not yet final, for cancellation. */
  readonly liveTaskRuns: LiveTaskRuns;
  /** Where cached and persisted results are kept (an absolute path). */
  readonly storeDir: string;
  /** Whether the results of its task runs are kept (the run history records them), so that a retry can reuse them. */
  readonly keepsResults: boolean;
  /** The earlier attempt of this flow run, when `flow runs retry` runs it again. */
  readonly earlier: EarlierAttempt | undefined;
  /** How many subflow runs of each flow this flow run made: which of the earlier attempt's each one is. */
  readonly subflowRunCounts: Map<string, number>;
  /** Tag concurrency limits, shared with subflow runs; undefined when none are set. */
  readonly concurrencyLimits: TagLimits | undefined;
  /**
   * Aborted when this try of the flow run is over: past its timeout, by a
   * termination signal, with its parent, or at its end. The signal of every
   * task run it starts follows it.
   */
  readonly signal: AbortSignal;
}

export interface TaskRunContext {
  readonly kind: 'task';
  readonly taskRun: TaskRunInfo;
  /** The flow run it belongs to; undefined on a worker thread, where only the task runs. */
  readonly flowContext: FlowRunContext | undefined;
  readonly logger: RunLogger;
  readonly logPrints: boolean;
  /**
   * Aborted when this try of the run is over: at its timeout, or with its
   * flow run (timed out, cancelled, ended). Long work can stop early.
   */
  readonly signal: AbortSignal;
  /** @internal The run's final state once it has one (known only where the flow run lives). */
  endedState?(): State | undefined;
}

export type RunContext = FlowRunContext | TaskRunContext;

// One store for the whole process, shared by every copy of flowrun (see global-singleton).
const storage = getGlobalSingleton('context', () => new AsyncLocalStorage<RunContext>());

export const getRunContext = (): RunContext | undefined => storage.getStore();

export const runInContext = <T>(context: RunContext, fn: () => T): T => storage.run(context, fn);

// The flow run that owns the current code, whether it runs in the flow body or in a task.
export const getFlowRunContext = (): FlowRunContext | undefined => {
  const context = storage.getStore();
  return context?.kind === 'task' ? context.flowContext : context;
};

const stoppedBecause = (signal: AbortSignal): string => describeAbortReason(signal.reason);

/**
 * Why code running in `context` may no longer start runs: its flow run has
 * finished or was stopped, or its task run's try is over (past its timeout,
 * or the run has ended while its code went on). Undefined while it may.
 */
export const whyRunIsOver = (context: RunContext): string | undefined => {
  const flow = context.kind === 'task' ? context.flowContext : context;
  if (flow !== undefined) {
    const { flowRun } = flow;
    if (hasRunEnded(flowRun.state)) {
      return `flow run '${flowRun.name}' has already finished in state ${formatState(flowRun.state)}`;
    }
    if (flow.signal.aborted) {
      return `flow run '${flowRun.name}' has been stopped (${stoppedBecause(flow.signal)})`;
    }
  }
  if (context.kind === 'task') {
    const ended = context.endedState?.();
    if (ended !== undefined) {
      return `task run '${context.taskRun.name}' has already finished in state ${formatState(ended)}`;
    }
    if (context.signal.aborted) {
      return `task run '${context.taskRun.name}' has been stopped (${stoppedBecause(context.signal)})`;
    }
  }
  return undefined;
};

export const requireFlowRunContext = (what: string, taskName: string): FlowRunContext => {
  const context = storage.getStore();
  const flow = context?.kind === 'task' ? context.flowContext : context;
  if (flow === undefined && context?.kind === 'task') {
    throw new MissingContextError(
      `${what} inside a task running on a worker thread is not supported: the flow run lives in the main thread. Call the task directly instead (await ${taskName}(...)), or run the flow with --runner concurrent.`,
    );
  }
  if (context === undefined || flow === undefined) {
    throw new MissingContextError(`${what} must be called inside a flow run; call it from a function passed to flow().`);
  }
  refuseIfRunIsOver(context, what);
  return flow;
};

/** Throws FinishedRunError into code that tries to start a run after its own run is over. */
export const refuseIfRunIsOver = (context: RunContext, what: string): void => {
  const why = whyRunIsOver(context);
  if (why !== undefined) {
    throw new FinishedRunError(
      `${why}; ${what} cannot start a run from code that went on after that (such work can stop when getRunContext().signal is aborted).`,
    );
  }
};
