import type { State } from '../states/state.js';

// The records of runs the engine keeps while a flow runs. Futures read their
// state from them; the reporter is told of each change.

export interface FlowRun {
  readonly id: string;
  readonly name: string;
  readonly flowName: string;
  /** The flow run this one is a subflow run of; undefined for a top-level run. */
  readonly parentId: string | undefined;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The flow's zod schema of its parameters, if it has one: sinks read which of them are secret. */
  readonly parametersSchema: unknown;
  /** The runner's name, as its first line gives it (`ConcurrentTaskRunner`). */
  readonly runnerName: string;
  /** 1 for a new run; one more for each `flow runs retry` of it. */
  readonly runCount: number;
  state: State;
}

/** What a task's own code can know of its run (all a worker thread is sent). */
export interface TaskRunInfo {
  readonly id: string;
  readonly name: string;
  readonly taskName: string;
  readonly taskKey: string;
  readonly flowRunId: string;
  readonly tags: readonly string[];
  /** The task runs whose results it was given. */
  readonly upstreamIds: readonly string[];
}

/** Arguments that are all strings, numbers, booleans or null. */
export type ScalarArguments = readonly (string | number | boolean | null)[];

/** Whether the result of a task run that completes is kept for `flow runs retry`. */
export type KeepingDecision =
  /** Kept, with the key of the inputs it was computed from. */
  | { readonly kind: 'kept'; readonly inputs: string }
  | { readonly kind: 'not-kept'; readonly reason: string };

/** How the result of a task run that completes is kept for `flow runs retry`. */
export type ResultKeeping =
  | KeepingDecision
  /**
   * Kept, computed from these arguments, whose key is made when the result
   * is written (cache.ts keyTaskInputs): scalars cannot change meanwhile,
   * and a large .map() then keeps no key per run in flight (nor, for a lone
   * number, anything).
   */
  | ScalarArguments
  /** As ScalarArguments, of a lone number argument (a .map() over numbers), kept as itself rather than in an array. */
  | number;

/**
 * Where the run history (history/recorder.ts) keeps its record of a task run
 * while it writes it: a field of the run, as a map of 100,000 runs costs
 * more than the rest of recording them. A symbol: JSON.stringify of a run
 * (which a task may reach through getRunContext) leaves it out.
 */
export const HISTORY_ROW: unique symbol = Symbol('flowrun.historyRow');

export interface TaskRun extends TaskRunInfo {
  /** Its place among its flow run's runs of the same task (0, 1, ...): with the task key, it names the run within its flow run. */
  readonly dynamicKey: number;
  state: State;
  /** Set when it starts, where the run history records results; undefined otherwise. */
  resultKeeping?: ResultKeeping;
  /** The run history's record of it while it is being written (see HISTORY_ROW). */
  [HISTORY_ROW]?: unknown;
}
