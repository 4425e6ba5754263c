import type { State } from '../states/state.js';
import type { TaskFuture } from './task-future.js';

export interface DoneAndNotDone<T> {
  readonly done: TaskFuture<T>[];
  readonly notDone: TaskFuture<T>[];
}

/**
 * Waits for futures to be final, for at most `timeoutSeconds` if given
 * (Prefect's wait): which are done and which are not.
 */
export const wait = async <T>(futures: readonly TaskFuture<T>[], timeoutSeconds?: number): Promise<DoneAndNotDone<T>> => {
  const finished = new Set<TaskFuture<T>>();
  const all = Promise.all(futures.map((future) => future.wait().then(() => finished.add(future))));
  if (timeoutSeconds === undefined) {
    await all;
  } else {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, timeoutSeconds * 1000)))]);
    clearTimeout(timer);
  }
  return { done: futures.filter((future) => finished.has(future)), notDone: futures.filter((future) => !finished.has(future)) };
};

/** A future whose run is final, and that final state. */
export interface FinishedFuture<T> {
  readonly future: TaskFuture<T>;
  readonly state: State<T>;
}

/**
 * Yields each future with its final state as soon as its run ends, first
 * finished first (Prefect's as_completed):
 * `for await (const { future, state } of asCompleted(futures)) { ... }`.
 * The future comes in an object because a future is thenable: `for await`
 * would otherwise take its result, or throw its error.
 */
export const asCompleted = <T>(futures: readonly TaskFuture<T>[]): AsyncIterableIterator<FinishedFuture<T>> => {
  const pending = new Map<TaskFuture<T>, Promise<FinishedFuture<T>>>(
    futures.map((future) => [future, future.wait().then((state) => ({ future, state }))]),
  );
  const iterator: AsyncIterableIterator<FinishedFuture<T>> = {
    next: async () => {
      if (pending.size === 0) {
        return { done: true, value: undefined };
      }
      const finished = await Promise.race(pending.values());
      pending.delete(finished.future);
      return { done: false, value: finished };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
};
