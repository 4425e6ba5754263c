import { UpstreamTaskError } from '../errors.js';
import type { State } from '../states/state.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { isTaskFuture, type TaskFuture } from './task-future.js';

// Finds the futures inside a task's arguments: alone, in arrays and in plain
// objects, at any depth. Class instances are not walked.
export const collectFutures = (value: unknown, found: TaskFuture<unknown>[] = []): TaskFuture<unknown>[] => {
  if (isTaskFuture(value)) {
    found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) {
      collectFutures(item, found);
    }
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) {
      collectFutures(item, found);
    }
  }
  return found;
};

// A copy of `value` with each future replaced by its result. Only called once
// every future in it is COMPLETED; the user's arrays and objects are not mutated.
export const replaceFutures = (value: unknown): unknown => {
  if (isTaskFuture(value)) {
    return value.state.data;
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
  | { readonly ok: true; readonly args: unknown[] }
  | { readonly ok: false; readonly error: UpstreamTaskError; readonly upstream: State };

// Waits for every upstream future, then either the arguments with results in
// place of futures, or the first upstream that did not complete (the task then
// never runs and ends NotReady).
export const resolveInputs = async (args: readonly unknown[], futures: readonly TaskFuture<unknown>[]): Promise<ResolvedInputs> => {
  if (futures.length === 0) {
    return { ok: true, args: [...args] };
  }
  const states = await Promise.all(futures.map((future) => future.wait()));
  for (const [index, state] of states.entries()) {
    if (state.type !== 'COMPLETED') {
      const name = futures[index]?.taskRun.name ?? 'unknown';
      const error = new UpstreamTaskError(`Upstream task run '${name}' did not reach a 'COMPLETED' state.`);
      return { ok: false, error, upstream: state };
    }
  }
  return { ok: true, args: args.map(replaceFutures) };
};
