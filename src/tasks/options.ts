import type { State } from '../states/state.js';
import type { TaskRun } from '../engine/runs.js';
import { UsageError } from '../errors.js';
import { validateRetryDelaySeconds, type RetryDelaySeconds } from '../engine/retry.js';

/** Values a taskRunName template can use: the call's parameters by name and position. */
export type TaskRunNameParameters = Readonly<Record<string, unknown>>;

export type TaskHook = (run: TaskRun, state: State) => void | Promise<void>;

/** What a cacheKeyFn receives besides the arguments. */
export interface TaskCacheContext {
  readonly taskKey: string;
  readonly taskName: string;
  /** The source text of the task's function: a changed function gets new keys. */
  readonly taskSource: string;
  readonly flowRunName: string;
  /** The flow run's parameters. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** Options of `task(options, fn)` and `t.with(options)`, Prefect's camelCased. */
export interface TaskOptions<Args extends unknown[] = unknown[]> {
  /** The task's name in logs and run names. @default the function's name */
  readonly name?: string;
  readonly description?: string;
  /** Tags, for the config file's concurrencyLimits. @default [] */
  readonly tags?: readonly string[];
  /** How many times to retry a failed (or timed-out) run. @default 0 */
  readonly retries?: number;
  /**
   * Seconds between retries: a number, a list whose last value repeats, or a
   * function of the retry count such as exponentialBackoff(2). @default 0
   */
  readonly retryDelaySeconds?: RetryDelaySeconds;
  /** Random spread added to each delay, up to this fraction of it. */
  readonly retryJitterFactor?: number;
  /** Seconds after which a run ends TimedOut (on the parallel runner its worker is terminated). */
  readonly timeoutSeconds?: number;
  /**
   * The cache key of a call, or undefined for no caching (taskInputHash is the
   * ready-made one). A call whose key has a stored, unexpired result is not
   * run: it ends Cached with that result, across flow runs.
   */
  readonly cacheKeyFn?: (context: TaskCacheContext, args: Args) => string | undefined;
  /** How long a cached result stays valid. @default forever */
  readonly cacheExpirationSeconds?: number;
  /** Run even when a cached result exists, and replace it. @default false */
  readonly refreshCache?: boolean;
  /**
   * true: keep the result under storeDir (by run id) even without a cache key.
   * false: the run history does not keep it either, so `flow runs retry` runs the task again.
   * @default the run history keeps JSON results for `flow runs retry`
   */
  readonly persistResult?: boolean;
  /** Turn console.log and friends inside the run into INFO lines of the run. @default inherited from the flow */
  readonly logPrints?: boolean;
  /** The run name: a template such as 'fetch-{url}' or a function of the call's parameters. */
  readonly taskRunName?: string | ((parameters: TaskRunNameParameters) => string);
  /** Called with the run and its state when a run completes. */
  readonly onCompletion?: TaskHook | readonly TaskHook[];
  /** Called with the run and its state when a run fails (retries exhausted). */
  readonly onFailure?: TaskHook | readonly TaskHook[];
}

/** Options for a single submission, on top of the task's own. */
export interface SubmitOptions {
  /** Futures to wait for without using their values (Prefect's wait_for). */
  readonly waitFor?: readonly PromiseLike<unknown>[];
}

export interface ResolvedTaskOptions<Args extends unknown[] = unknown[]> extends TaskOptions<Args> {
  readonly name: string;
  readonly tags: readonly string[];
}

const expectNonNegativeNumber = (taskName: string, key: string, value: unknown): void => {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new UsageError(`task '${taskName}': option '${key}' must be a non-negative number, got ${JSON.stringify(value)}.`);
  }
};

// Checks the options once, where the task is defined, so a mistake is
// reported at import with the task's name rather than mid-run.
export const resolveTaskOptions = <Args extends unknown[]>(
  options: TaskOptions<Args>,
  fallbackName: string,
): ResolvedTaskOptions<Args> => {
  const name = options.name ?? fallbackName;
  if (typeof name !== 'string' || name.length === 0) {
    throw new UsageError(`task(): option 'name' must be a non-empty string, got ${JSON.stringify(name)}.`);
  }
  const tags: unknown = options.tags ?? [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) {
    throw new UsageError(`task '${name}': option 'tags' must be an array of strings.`);
  }
  if (options.retries !== undefined && (!Number.isInteger(options.retries) || options.retries < 0)) {
    throw new UsageError(`task '${name}': option 'retries' must be a non-negative integer, got ${JSON.stringify(options.retries)}.`);
  }
  expectNonNegativeNumber(name, 'timeoutSeconds', options.timeoutSeconds);
  validateRetryDelaySeconds(name, options.retryDelaySeconds);
  expectNonNegativeNumber(name, 'retryJitterFactor', options.retryJitterFactor);
  expectNonNegativeNumber(name, 'cacheExpirationSeconds', options.cacheExpirationSeconds);
  return Object.freeze({ ...options, name, tags: Object.freeze([...(tags as string[])]) });
};
