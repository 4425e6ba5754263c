import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FlowrunError } from '../errors.js';
import { describeType } from '../util/describe-value.js';
import { isPlainObject } from '../util/is-plain-object.js';

// Results kept on disk under storeDir, one JSON file each, so that a second
// `flow run` finds what the first computed. A file is written to a unique
// temporary name and renamed into place: a run killed mid-write leaves no
// half-written entry, and two runs writing at once each leave a whole one.

export interface StoredResult {
  readonly key: string;
  readonly taskKey: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** Milliseconds since the epoch after which the entry is stale, if it expires. */
  readonly expiresAt: number | undefined;
  readonly value: unknown;
}

/** A result that cannot be stored as JSON (a function, a Map, a class instance...). */
export class UnpersistableResultError extends FlowrunError {
  constructor(message: string) {
    super('FLOWRUN_UNPERSISTABLE_RESULT', message);
  }
}
UnpersistableResultError.prototype.name = 'UnpersistableResultError';

// Where in `value` something is not plain JSON data, or undefined if it all is.
const findNonJson = (value: unknown, path: string): string | undefined => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return undefined;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : `${path} is ${String(value)}`;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = findNonJson(item, `${path}[${index}]`);
      if (problem !== undefined) {
        return problem;
      }
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const problem = item === undefined ? undefined : findNonJson(item, `${path}.${key}`);
      if (problem !== undefined) {
        return problem;
      }
    }
    return undefined;
  }
  return `${path} is ${value === undefined ? 'undefined' : `a ${describeType(value)}`}`;
};

const entryPath = (storeDir: string, key: string): string =>
  join(storeDir, 'results', `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);

/** The stored result of `key`, if there is one that has not expired. */
export const readStoredResult = async (storeDir: string, key: string, now: number): Promise<StoredResult | undefined> => {
  let text: string;
  try {
    text = await readFile(entryPath(storeDir, key), 'utf8');
  } catch {
    return undefined;
  }
  let entry: StoredResult;
  try {
    entry = JSON.parse(text) as StoredResult;
  } catch {
    return undefined;
  }
  if (entry.key !== key || (entry.expiresAt !== undefined && entry.expiresAt <= now)) {
    return undefined;
  }
  return entry;
};

/** Stores a result atomically; throws UnpersistableResultError for a value JSON cannot hold. */
export const writeStoredResult = async (storeDir: string, entry: StoredResult, taskName: string): Promise<void> => {
  const problem = entry.value === undefined ? undefined : findNonJson(entry.value, 'the result');
  if (problem !== undefined) {
    throw new UnpersistableResultError(
      `Cannot persist the result of task '${taskName}': ${problem}. Cached and persisted results are stored as JSON: return plain data (objects, arrays, strings, numbers, booleans, null), or drop cacheKeyFn/persistResult for this task.`,
    );
  }
  const path = entryPath(storeDir, entry.key);
  await mkdir(join(storeDir, 'results'), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(entry));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
};
