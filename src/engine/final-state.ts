import { isTaskFuture } from '../futures/task-future.js';
import { aggregateStates } from '../states/from-outcome.js';
import { Completed, STATE_TYPES, type State } from '../states/state.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { getEndedState, type ChildRun } from './context.js';

const isState = (value: unknown): value is State =>
  isPlainObject(value) &&
  typeof value['name'] === 'string' &&
  typeof value['timestamp'] === 'number' &&
  (STATE_TYPES as readonly unknown[]).includes(value['type']);

// The futures and states a flow returned: alone, in an array, or as the values of a plain object.
const collectReturnedStates = async (value: unknown): Promise<State[] | undefined> => {
  const items = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : [value];
  const found = items.filter((item) => isTaskFuture(item) || isState(item));
  if (found.length === 0) {
    return undefined;
  }
  return Promise.all(found.map((item) => (isTaskFuture(item) ? item.wait() : Promise.resolve(item))));
};

/**
 * Prefect 2's final-state rule, so that cron and CI never miss a failure:
 * - returned a state it made: that state;
 * - returned futures or states (a future alone, or in an array or object): they decide;
 * - returned nothing: every task and subflow run of the flow decides;
 * - returned anything else: Completed().
 * The flow engine calls this only after every child run is final.
 */
export const returnValueToState = async (value: unknown, children: readonly ChildRun[]): Promise<State> => {
  if (value === undefined) {
    const ended = children.map(getEndedState);
    return aggregateStates(ended.every((state) => state !== undefined) ? ended : await Promise.all(children.map((child) => child.wait())));
  }
  // A state made by the flow itself (`return Failed({ message })`) is the
  // final state as it is, as in Prefect.
  if (isState(value)) {
    return value;
  }
  const returned = await collectReturnedStates(value);
  if (returned !== undefined) {
    const state = aggregateStates(returned);
    // The return value stays the run's result (its futures replaced by their results later).
    return state.type === 'COMPLETED' ? { ...state, data: value } : state;
  }
  return Completed({ data: value });
};
