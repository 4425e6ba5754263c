import { LOG_LEVELS } from '../logging/levels.js';
import { Cached, type State } from '../states/state.js';
import { areScalars, keyTaskInputs, sameInputs } from './cache.js';
import type { FlowRunContext } from './context.js';
import { logTaskRun } from './run-log.js';
import type { KeepingDecision, TaskRun } from './runs.js';
import type { ExecutableTask } from './task-engine.js';

// `flow runs retry` runs a flow run again as the same run: its task runs and
// subflow runs keep their ids, and a task run that completed in the earlier
// attempt with the same inputs is not called again: its kept result comes
// back as Cached(type=COMPLETED). Prefect users complain that a retried flow
// re-runs the tasks that had succeeded (Prefect issues 9814, 7440).

/** A task run's result as an earlier attempt kept it. */
export type EarlierResult =
  | { readonly kind: 'kept'; readonly inputs: string; readonly read: () => unknown }
  /** It completed, but its result was not kept (the reason says why, for the INFO line). */
  | { readonly kind: 'not-kept'; readonly reason: string };

export interface EarlierTaskRun {
  readonly id: string;
  /** Undefined unless it completed. */
  readonly result: EarlierResult | undefined;
}

/** What an earlier attempt of a flow run left, as the history holds it. */
export interface EarlierAttempt {
  readonly flowRunId: string;
  readonly name: string;
  /** How many attempts the run has had so far: this one is the next. */
  readonly runCount: number;
  /** The task run the earlier attempt made as the `dynamicKey`th run of `taskKey`. */
  taskRun(taskKey: string, dynamicKey: number): EarlierTaskRun | undefined;
  /** The subflow run it made as its `ordinal`th run of the flow `flowName`. */
  subflowRun(flowName: string, ordinal: number): EarlierAttempt | undefined;
}

// How the result of a run that completes is kept for a later retry: the
// key of its inputs (which the retry compares) or why it cannot be kept.
const decideKeeping = (task: ExecutableTask, args: readonly unknown[]): KeepingDecision => {
  if (task.options.persistResult === false) {
    return { kind: 'not-kept', reason: `task '${task.name}' sets persistResult: false` };
  }
  const inputs = keyTaskInputs(args);
  return inputs === undefined ? { kind: 'not-kept', reason: 'its arguments cannot be compared (not plain data)' } : { kind: 'kept', inputs };
};

const describeAttempt = (count: number): string => `attempt ${count}`;

/**
 * Runs `execute` unless the earlier attempt of this flow run completed this
 * task run with the same inputs and kept its result. Called only where the
 * results are kept; it says on the run how its result is to be kept.
 */
export const runUnlessDoneEarlier = (
  flow: FlowRunContext,
  run: TaskRun,
  task: ExecutableTask,
  args: readonly unknown[],
  execute: () => State | Promise<State>,
): State | Promise<State> => {
  const earlier = flow.earlier?.taskRun(run.taskKey, run.dynamicKey)?.result;
  if (earlier === undefined || flow.earlier === undefined) {
    // Nothing to compare with: scalar arguments are keyed when the result
    // is written (runs.ts ResultKeeping).
    run.resultKeeping =
      task.options.persistResult === false || !areScalars(args) ? decideKeeping(task, args) : args.length === 1 && typeof args[0] === 'number' ? args[0] : args;
    return execute();
  }
  const keeping = decideKeeping(task, args);
  run.resultKeeping = keeping;
  const attempt = describeAttempt(flow.earlier.runCount);
  let why: string;
  if (earlier.kind === 'not-kept') {
    why = `its result was not kept (${earlier.reason})`;
  } else if (keeping.kind !== 'kept') {
    why = keeping.reason;
  } else if (!sameInputs(keeping.inputs, earlier.inputs)) {
    why = 'its inputs differ';
  } else {
    try {
      return Cached({ data: earlier.read(), timestamp: flow.runtime.now() });
    } catch (error) {
      why = `its kept result cannot be read (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  logTaskRun(flow, run, LOG_LEVELS.INFO, `Completed in ${attempt} but runs again: ${why}.`);
  return execute();
};
