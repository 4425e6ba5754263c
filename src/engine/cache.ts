import { createHash } from 'node:crypto';
import type { TaskCacheContext } from '../tasks/options.js';
import type { ScalarArguments } from './runs.js';
import { describeType } from '../util/describe-value.js';
import { isPlainObject } from '../util/is-plain-object.js';

// taskInputHash: the ready-made cacheKeyFn, as Prefect's task_input_hash: a
// hash of the task's key, its source and its arguments. Arguments that
// cannot be hashed (a function, a class instance) give no key: no caching,
// and the cache layer says why (explainUnhashableArguments).

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

const isScalar = (value: unknown): boolean =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number';

/** Whether every argument is a string, number, boolean or null. */
export const areScalars = (args: readonly unknown[]): args is ScalarArguments => args.every(isScalar);

// Inputs keys longer than this are kept as a hash of themselves.
const MAX_INLINE_INPUTS = 64;

/**
 * What a task run was called with, as `flow runs retry` compares it: the
 * arguments as canonical JSON, or a hash of that when it is long; undefined
 * when an argument is not plain data.
 */
export const keyTaskInputs = (args: readonly unknown[]): string | undefined => {
  const [first] = args;
  if (args.length === 1 && typeof first === 'number' && Number.isFinite(first)) {
    // A .map() over numbers: JSON.stringify([first]) without its walk.
    return `[${first}]`;
  }
  let text: string;
  try {
    // Scalars, the most common arguments (a mapped task's), are their own
    // canonical form: no copy to make.
    text = JSON.stringify(args.every(isScalar) ? args : toHashable([...args]));
  } catch {
    return undefined;
  }
  return text.length <= MAX_INLINE_INPUTS ? text : hashInputsKey(text);
};

/** An inputs key as a hash: for long inputs, and for those the history must not show (a secret's value). */
export const hashInputsKey = (text: string): string => `sha256:${createHash('sha256').update(text).digest('base64url')}`;

/** Whether an inputs key matches one kept earlier, which may be its hash. */
export const sameInputs = (key: string, kept: string): boolean => key === kept || (!key.startsWith('sha256:') && hashInputsKey(key) === kept);

// Every copy of flowrun in the process recognises the built-in cacheKeyFn.
const TASK_INPUT_HASH_BRAND = Symbol.for('flowrun.taskInputHash');

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
Object.defineProperty(taskInputHash, TASK_INPUT_HASH_BRAND, { value: true });

/** Whether `fn` is taskInputHash (of this copy of flowrun or another). */
export const isTaskInputHash = (fn: unknown): boolean =>
  typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[TASK_INPUT_HASH_BRAND] === true;

// The same walk as toHashable, run only once it has failed: it keeps the
// path to the culprit, which hashing itself has no need to pay for.
const findUnhashable = (value: unknown, path: string, ancestors: Set<object>): string | undefined => {
  if (value === null || value === undefined || value instanceof Date || ['string', 'boolean', 'number'].includes(typeof value)) {
    return undefined;
  }
  if (typeof value === 'function') {
    return `${path} is a function${value.name ? ` (${value.name})` : ''}`;
  }
  if (typeof value !== 'object') {
    return `${path} is a ${typeof value}`;
  }
  if (!Array.isArray(value) && !isPlainObject(value)) {
    return `${path} is an instance of ${describeType(value)}`;
  }
  if (ancestors.has(value)) {
    return `${path} refers back to an object that contains it (a circular reference)`;
  }
  ancestors.add(value);
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [`${path}[${index}]`, item])
    : Object.keys(value).map((key) => [`${path}.${key}`, value[key]]);
  for (const [itemPath, item] of entries) {
    const problem = findUnhashable(item, itemPath, ancestors);
    if (problem !== undefined) {
      return problem;
    }
  }
  ancestors.delete(value);
  return undefined;
};

/** Why taskInputHash gave these arguments no key: 'argument 1 is an instance of Client'. */
export const explainUnhashableArguments = (args: readonly unknown[]): string => {
  try {
    for (const [index, arg] of args.entries()) {
      const problem = findUnhashable(arg, `argument ${index + 1}`, new Set());
      if (problem !== undefined) {
        return problem;
      }
    }
  } catch {
    // A getter that throws, as it did while hashing.
  }
  return 'an argument cannot be read';
};
