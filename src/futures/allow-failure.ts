import type { TaskFuture } from './task-future.js';

/** A future whose failure does not stop the task it is passed to. */
export class AllowFailure<T> {
  readonly future: TaskFuture<T>;

  /** @internal Made by allowFailure(). */
  constructor(future: TaskFuture<T>) {
    this.future = future;
  }

  static {
    Object.defineProperty(AllowFailure.prototype, Symbol.for('flowrun.AllowFailure'), { value: true });
  }
}

/**
 * Passes a future to a task even if its run fails (Prefect's allow_failure):
 * the task runs, and receives the upstream's error in place of its result.
 */
export const allowFailure = <T>(future: TaskFuture<T>): AllowFailure<T> => new AllowFailure(future);

export const isAllowFailure = (value: unknown): value is AllowFailure<unknown> =>
  typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[Symbol.for('flowrun.AllowFailure')] === true;
