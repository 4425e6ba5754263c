import { createHash } from 'node:crypto';
import type { TaskCacheContext } from '../tasks/options.js';
import { isPlainObject } from '../util/is-plain-object.js';

// taskInputHash: the ready-made cacheKeyFn, as Prefect's task_input_hash: a
// hash of the task's key, its source and its arguments. Arguments that
// cannot be hashed (a function, a class instance) give no key: no caching.

const toHashable = (value: unknown): unknown => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') {
    return value;
  }
  if (value === undefined) {
    return { undefined: true };
  }
  if (value instanceof Date) {
    return { date: value.toISOString() };
  }
  if (Array.isArray(value)) {
    return value.map(toHashable);
  }
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, toHashable(value[key])]),
    );
  }
  throw new TypeError('unhashable');
};

/** The cache key of a call: task key + task source + arguments, or undefined if an argument cannot be hashed. */
export const taskInputHash = (context: TaskCacheContext, args: readonly unknown[]): string | undefined => {
  let hashable: unknown;
  try {
    hashable = toHashable([...args]);
  } catch {
    return undefined;
  }
  return createHash('sha256')
    .update(JSON.stringify([context.taskKey, context.taskSource, hashable]))
    .digest('hex');
};
