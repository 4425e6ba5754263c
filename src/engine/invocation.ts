import type { RunLogger } from '../logging/logger.js';
import { createLogger } from './loggers.js';
import { runInContext, type FlowRunContext, type TaskRunContext } from './context.js';
import { taskRunSource } from './run-log.js';
import { installPrintCapture } from './print-capture.js';
import { hasRunEnded, type State } from '../states/state.js';
import type { TaskRun } from './runs.js';
import type { ExecutableTask } from './task-engine.js';

// One call of a task's function, and what came of it. The task engine owns
// the states; an invoker only decides where the function runs: in this
// thread (every runner's default) or on a worker thread (the parallel
// runner). Outcomes are data, so each runner's are turned into states by
// the same code.

export interface TaskInvocation {
  readonly flow: FlowRunContext;
  readonly run: TaskRun;
  readonly task: ExecutableTask;
  readonly args: readonly unknown[];
  readonly logPrints: boolean;
  /** Aborted when the run times out or is cancelled; tasks may honour it. */
  readonly signal: AbortSignal;
}

export type InvocationOutcome =
  /** The function returned (or its promise resolved) with a value. */
  | { readonly kind: 'returned'; readonly value: unknown }
  /** User code threw: the run is Failed and the error logged with its stack. */
  | { readonly kind: 'threw'; readonly error: unknown }
  /** The machinery failed (a worker died, a value could not be sent): the run is Crashed. */
  | { readonly kind: 'crashed'; readonly reason: string };

/** A function that returned a plain value gives its outcome at once: no promise, no tick. */
export type TaskInvoker = (invocation: TaskInvocation) => InvocationOutcome | Promise<InvocationOutcome>;

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';

const returned = (value: unknown): InvocationOutcome => ({ kind: 'returned', value });
const threw = (error: unknown): InvocationOutcome => ({ kind: 'threw', error });

// The run context of a task called in this thread. A class, so that the
// logger, made on first use (most tasks never log), costs no closure per
// call: this is made for every task run.
class InThreadTaskContext implements TaskRunContext {
  readonly kind = 'task';
  readonly taskRun: TaskRun;
  readonly flowContext: FlowRunContext;
  readonly logPrints: boolean;
  readonly signal: AbortSignal;
  #logger: RunLogger | undefined;

  constructor(flow: FlowRunContext, run: TaskRun, logPrints: boolean, signal: AbortSignal) {
    this.flowContext = flow;
    this.taskRun = run;
    this.logPrints = logPrints;
    this.signal = signal;
  }

  get logger(): RunLogger {
    this.#logger ??= createLogger(this.flowContext.runtime, taskRunSource(this.taskRun), () => this.endedState() !== undefined || this.signal.aborted);
    return this.#logger;
  }

  endedState(): State | undefined {
    return hasRunEnded(this.taskRun.state) ? this.taskRun.state : undefined;
  }
}

// Runs the function here, in its own run context (for getRunLogger(),
// logPrints and the abort signal).
export const invokeInThread: TaskInvoker = ({ flow, run, task, args, logPrints, signal }) => {
  const context = new InThreadTaskContext(flow, run, logPrints, signal);
  if (logPrints) {
    installPrintCapture();
  }
  flow.runtime.reporter.beforeUserCode?.();
  let result: unknown;
  try {
    const fn = task.fn as (...values: unknown[]) => unknown;
    result = runInContext(context, () => fn(...args));
  } catch (error) {
    return threw(error);
  }
  return isThenable(result) ? Promise.resolve(result).then(returned, threw) : returned(result);
};
