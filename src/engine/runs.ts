import type { State } from '../states/state.js';

// The records of runs the engine keeps while a flow runs. Futures read their
// state from them; the reporter is told of each change.

export interface FlowRun {
  readonly id: string;
  readonly name: string;
  readonly flowName: string;
  readonly parameters: Readonly<Record<string, unknown>>;
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

export interface TaskRun extends TaskRunInfo {
  state: State;
}
