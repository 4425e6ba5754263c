import { CancelledRunError, CrashedRunError, FailedRunError, UnfinishedRunError } from '../errors.js';
import type { State } from '../states/state.js';

const FUTURE_BRAND = Symbol.for('flowrun.TaskFuture');

/** What a future tells about its task run. */
export interface TaskRunRef {
  readonly id: string;
  readonly name: string;
}

/** The live record of a task run that a future reads its state from. */
export interface TaskRunStateSource {
  readonly id: string;
  readonly name: string;
  readonly state: State;
}

/**
 * The handle `.submit()` returns at once. Awaiting it gives the task's result
 * or throws its error; `.wait()` gives the final State and never throws.
 */
export class TaskFuture<T> implements PromiseLike<T> {
  readonly #run: TaskRunStateSource;
  readonly #final: Promise<State<T>>;

  /** @internal Futures are made by `.submit()` and `.map()`, never by users. */
  constructor(run: TaskRunStateSource, final: Promise<State<T>>) {
    this.#run = run;
    this.#final = final;
  }

  /** The task run's id and name. */
  get taskRun(): TaskRunRef {
    return { id: this.#run.id, name: this.#run.name };
  }

  /** The run's current state (Pending, Running... then a final one). */
  get state(): State<T> {
    return this.#run.state as State<T>;
  }

  /** Resolves to the final State once the run is over; never rejects. */
  wait(): Promise<State<T>> {
    return this.#final;
  }

  /** Resolves to the result, or rejects with the task's error (or why it has none). */
  async result(): Promise<T> {
    return getStateResult(await this.#final);
  }

  then<TResult1 = T, TResult2 = never>(
    onFulfilled?: ((value: T) => TResult1 | PromiseLike<TResult1>) | null,
    onRejected?: ((reason: unknown) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return this.result().then(onFulfilled, onRejected);
  }

  get [Symbol.toStringTag](): string {
    return `TaskFuture ${this.#run.name}`;
  }

  static {
    Object.defineProperty(TaskFuture.prototype, FUTURE_BRAND, { value: true });
  }
}

// True for futures of any copy of flowrun loaded in the process.
export const isTaskFuture = (value: unknown): value is TaskFuture<unknown> =>
  typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FUTURE_BRAND] === true;

// What `result()` gives for a final state: the data, or the reason there is none.
export const getStateResult = <T>(state: State<T>): T => {
  switch (state.type) {
    case 'COMPLETED':
      return state.data as T;
    case 'FAILED':
      // The task's own error, whatever the user threw.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw state.error ?? new FailedRunError(state.message ?? 'The run failed.');
    case 'CRASHED':
      throw new CrashedRunError(state.message ?? 'The run crashed.');
    case 'CANCELLED':
      throw new CancelledRunError(state.message ?? 'The run was cancelled.');
    default:
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw state.error ??
        new UnfinishedRunError(`Run is in ${state.type} state, its result is not available.`);
  }
};
