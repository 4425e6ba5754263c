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
export const findNonJson = (value: unknown, path: string): string | undefined => {
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

/** Where the entry of `key` is kept. */
export const storedResultPath = (storeDir: string, key: string): string =>
  join(storeDir, 'results', `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);

/** What the store holds for a key: a result, nothing, or an entry that cannot be used. */
export type StoredResultLookup =
  | { readonly kind: 'hit'; readonly entry: StoredResult }
  /** No entry, or one that expired: the normal miss. */
  | { readonly kind: 'miss'; readonly file: string; readonly why: 'no entry' | 'expired' | 'another key' }
  /** An entry is there and cannot be read: the caller says so, then goes on as on a miss. */
  | { readonly kind: 'unreadable'; readonly file: string; readonly problem: string };

// Why a file of the store cannot be read, as a user would fix it.
const describeReadFailure = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
      return 'cannot be read: a part of its path is a file, not a directory';
    default:
      return `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  }
};

/** The stored result of `key`, if there is one that has not expired. */
export const readStoredResult = async (storeDir: string, key: string, now: number): Promise<StoredResultLookup> => {
  const file = storedResultPath(storeDir, key);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { kind: 'miss', file, why: 'no entry' } : { kind: 'unreadable', file, problem: describeReadFailure(error) };
  }
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch (error) {
    return { kind: 'unreadable', file, problem: `is not valid JSON (${(error as Error).message})` };
  }
  if (!isPlainObject(entry) || typeof entry.key !== 'string') {
    return { kind: 'unreadable', file, problem: 'is not a stored result: it has no key' };
  }
  const stored = entry as unknown as StoredResult;
  // Another key's entry can only be a hash collision: it is not this key's.
  if (stored.key !== key) {
    return { kind: 'miss', file, why: 'another key' };
  }
  if (typeof stored.expiresAt === 'number' && stored.expiresAt <= now) {
    return { kind: 'miss', file, why: 'expired' };
  }
  return { kind: 'hit', entry: stored };
};

/** Stores a result atomically; throws UnpersistableResultError for a value JSON cannot hold. */
export const writeStoredResult = async (storeDir: string, entry: StoredResult, taskName: string): Promise<void> => {
  const problem = entry.value === undefined ? undefined : findNonJson(entry.value, 'the result');
  if (problem !== undefined) {
    throw new UnpersistableResultError(
      `Cannot persist the result of task '${taskName}': ${problem}. Cached and persisted results are stored as JSON: return plain data (objects, arrays, strings, numbers, booleans, null), or drop cacheKeyFn/persistResult for this task.`,
    );
  }
  const path = storedResultPath(storeDir, entry.key);
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
