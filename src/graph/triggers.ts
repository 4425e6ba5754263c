import type { State } from '../states/state.js';

// Prefect 1's triggers: whether a node runs, given its upstreams' final
// states. A trigger that does not hold ends the node TriggerFailed (type
// FAILED) and it does not run.

export interface Trigger {
  readonly name: string;
  /** Whether the node may run. */
  readonly holds: (upstreams: readonly State[]) => boolean;
  /** Why not, in Prefect 1's words. */
  readonly failure: string;
}

const succeeded = (state: State): boolean => state.type === 'COMPLETED';

export const allSuccessful: Trigger = {
  name: 'all_successful',
  holds: (states) => states.every(succeeded),
  failure: 'Trigger was "all_successful" but some of the upstream tasks failed.',
};

export const allFinished: Trigger = {
  name: 'all_finished',
  holds: () => true,
  failure: 'Trigger was "all_finished" but some of the upstream tasks were not finished.',
};

/** Runs whatever happened upstream (an alias of allFinished). */
export const alwaysRun: Trigger = { ...allFinished, name: 'always_run' };

export const anyFailed: Trigger = {
  name: 'any_failed',
  holds: (states) => states.some((state) => !succeeded(state)),
  failure: 'Trigger was "any_failed" but none of the upstream tasks failed.',
};

export const anySuccessful: Trigger = {
  name: 'any_successful',
  holds: (states) => states.some(succeeded),
  failure: 'Trigger was "any_successful" but none of the upstream tasks succeeded.',
};

export const allFailed: Trigger = {
  name: 'all_failed',
  holds: (states) => states.every((state) => !succeeded(state)),
  failure: 'Trigger was "all_failed" but some of the upstream tasks succeeded.',
};
