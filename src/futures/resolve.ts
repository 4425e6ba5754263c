import { FailedRunError, UpstreamTaskError } from '../errors.js';
import { isAllowFailure } from './allow-failure.js';
import { hasRunEnded, type State } from '../states/state.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { isTaskFuture, type TaskFuture } from './task-future.js';

/** A future a task run waits for, and whether it may fail without stopping it. */
export interface Upstream {
  readonly future: TaskFuture<unknown>;
  readonly mayFail: boolean;
}

// Finds the futures inside a task's arguments: alone, in arrays and in plain
// objects, at any depth, and those wrapped in allowFailure(). Class
// instances are not walked.
export const collectUpstreams = (value: unknown, found: Upstream[] = []): Upstream[] => {
  if (isTaskFuture(value)) {
    found.push({ future: value, mayFail: false });
  } else if (isAllowFailure(value)) {
    found.push({ future: value.future, mayFail: true });
  } else if (Array.isArray(value)) {
    for (const item of value) {
      collectUpstreams(item, found);
    }
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) {
      collectUpstreams(item, found);
    }
  }
  return found;
};

// What a failed upstream passed through allowFailure() gives: its error.
const getFailureValue = (state: State): unknown =>
  state.type === 'COMPLETED' ? state.data : (state.error ?? new FailedRunError(state.message ?? `The upstream run ended ${state.name}.`));

// A copy of `value` with each future replaced by its result. Only called once
// every future in it is COMPLETED; the user's arrays and objects are not mutated.
export const replaceFutures = (value: unknown): unknown => {
  if (isTaskFuture(value)) {
    return value.state.data;
  }
  if (isAllowFailure(value)) {
    return getFailureValue(value.future.state);
  }
  if (Array.isArray(value)) {
    return value.map(replaceFutures);
  }
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = Object.getPrototypeOf(value) === null ? (Object.create(null) as Record<string, unknown>) : {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = replaceFutures(item);
    }
    return copy;
  }
  return value;
};

export type ResolvedInputs =
  | { readonly ok: true; readonly args: readonly unknown[] }
  | { readonly ok: false; readonly error: UpstreamTaskError; readonly upstream: State };

// Waits for every upstream future, then either the arguments with results in
// place of futures, or the first upstream that did not complete (the task then
// never runs and ends NotReady).
export const resolveInputs = async (args: readonly unknown[], upstreams: readonly Upstream[]): Promise<ResolvedInputs> => {
  if (upstreams.length === 0) {
    return { ok: true, args };
  }
  // One upstream at a time, and only those that have not ended: runs
  // submitted together end together, so once the first has, the others
  // mostly have too. One reaction in all rather than one per upstream (a
  // fan-in may have a hundred thousand).
  const states: State[] = [];
  for (const { future } of upstreams) {
    const { state } = future;
    states.push(hasRunEnded(state) ? state : await future.wait());
  }
  for (const [index, state] of states.entries()) {
    const upstream = upstreams[index];
    if (state.type !== 'COMPLETED' && upstream?.mayFail !== true) {
      const name = upstream?.future.taskRun.name ?? 'unknown';
      const error = new UpstreamTaskError(`Upstream task run '${name}' did not reach a 'COMPLETED' state.`);
      return { ok: false, error, upstream: state };
    }
  }
  return { ok: true, args: args.map(replaceFutures) };
};
