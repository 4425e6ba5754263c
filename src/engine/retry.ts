import { UsageError } from '../errors.js';
import { pythonRepr } from '../util/python-repr.js';

// When a failed task run tries again: the delay schedule (a number, a list
// whose last value repeats, or a function of the retry count such as
// exponentialBackoff), with jitter, and the line Prefect prints.

export type RetryDelaySeconds = number | readonly number[] | ((retries: number) => readonly number[]);

const MAX_RETRY_DELAYS = 50;

/**
 * Delays that double each retry, `backoffFactor * 2 ** n` seconds (Prefect's
 * exponential_backoff): `retryDelaySeconds: exponentialBackoff(10)` waits 10,
 * 20, 40... seconds.
 */
export const exponentialBackoff =
  (backoffFactor: number): ((retries: number) => number[]) =>
  (retries) =>
    Array.from({ length: Math.min(retries, MAX_RETRY_DELAYS) }, (_, retry) => backoffFactor * 2 ** retry);

const isDelay = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

// Checked where the task is defined, so a bad schedule is an error at import.
export const validateRetryDelaySeconds = (taskName: string, value: unknown): void => {
  if (value === undefined || isDelay(value) || typeof value === 'function') {
    return;
  }
  if (Array.isArray(value) && value.length > 0 && value.length <= MAX_RETRY_DELAYS && value.every(isDelay)) {
    return;
  }
  throw new UsageError(
    `task '${taskName}': option 'retryDelaySeconds' must be a non-negative number, a list of 1 to ${MAX_RETRY_DELAYS} of them, or a function such as exponentialBackoff(2); got ${JSON.stringify(value)}.`,
  );
};

/** Seconds to wait before retry number `retry` (0 for the first retry). */
export const getRetryDelay = (
  schedule: RetryDelaySeconds | undefined,
  retries: number,
  retry: number,
  jitterFactor: number | undefined,
  random: () => number,
): number => {
  const delays = typeof schedule === 'function' ? schedule(retries) : schedule;
  const base = typeof delays === 'number' ? delays : (delays?.[Math.min(retry, delays.length - 1)] ?? 0);
  // Jitter spreads retries of many runs apart: up to `jitterFactor` times the delay more.
  return jitterFactor === undefined || base === 0 ? base : base * (1 + random() * jitterFactor);
};

// `Error('attempt 1 failed')`: the exception as Python's repr shows it.
export const reprException = (error: unknown): string =>
  error instanceof Error ? `${error.name}(${pythonRepr(error.message)})` : pythonRepr(String(error));

const formatSeconds = (seconds: number): string => String(Math.round(seconds * 1000) / 1000);

// `Task run failed with exception: Error('boom') - Retry 1/2 will start 0.1 second(s) from now`
export const formatRetryMessage = (error: unknown, retry: number, retries: number, delay: number): string =>
  `Task run failed with exception: ${reprException(error)} - Retry ${retry + 1}/${retries} will start ${delay > 0 ? `${formatSeconds(delay)} second(s) from now` : 'immediately'}`;
