import type { ResultKeeping, ScalarArguments, TaskRun } from '../engine/runs.js';
import { keyTaskInputs } from '../engine/cache.js';
import { findNonJson } from '../engine/result-store.js';

// How the history keeps a completed task run's result for `flow runs
// retry`: as JSON in its row when small, in a file under storeDir when
// large (a row of megabytes would slow every read of the table), or not at
// all, with why. Only plain JSON data is kept: JSON.stringify would turn a
// Map into {} and a Date into a string, and a retry would hand the next
// task something else than the first attempt did.

/** What the history keeps of one task run's result (the result_* columns of its row). */
export interface KeptResult {
  /** The key of its inputs; null when they cannot be compared. */
  readonly inputs: string | null;
  /** JSON; null for undefined, for a result in a file, and for one not kept. */
  readonly value: string | null;
  /** A large result's JSON, written to `file` (relative to storeDir). */
  readonly file: { readonly path: string; readonly text: string } | null;
  /** Why the result is not kept. */
  readonly problem: string | null;
}

/** Results whose JSON is longer than this go to a file. */
export const MAX_INLINE_RESULT = 64 * 1024;

// (Array.isArray does not tell TypeScript that a readonly array is one.)
const isScalarArguments = (keeping: ResultKeeping): keeping is ScalarArguments => Array.isArray(keeping);

/** What to keep of `run`'s result `data`, or undefined when nothing is kept for it (the history does not track its results). */
export const keepResult = (run: TaskRun, data: unknown): KeptResult | undefined => {
  const keeping = run.resultKeeping;
  if (keeping === undefined) {
    return undefined;
  }
  let inputs: string | null;
  if (typeof keeping === 'number') {
    inputs = keyTaskInputs([keeping]) ?? null;
  } else if (isScalarArguments(keeping)) {
    inputs = keyTaskInputs(keeping) ?? null;
  } else if (keeping.kind === 'not-kept') {
    return { inputs: null, value: null, file: null, problem: keeping.reason };
  } else {
    inputs = keeping.inputs;
  }
  if (data === undefined) {
    return { inputs, value: null, file: null, problem: null };
  }
  // Scalars, the most common results, need no walk.
  const problem = typeof data === 'object' || typeof data === 'number' ? findNonJson(data, 'the result') : typeof data === 'string' || typeof data === 'boolean' ? undefined : `the result is a ${typeof data}`;
  if (problem !== undefined) {
    return { inputs, value: null, file: null, problem: `${problem}, not JSON data` };
  }
  const text = JSON.stringify(data);
  if (text.length > MAX_INLINE_RESULT) {
    return { inputs, value: null, file: { path: `results/runs/${run.id}.json`, text }, problem: null };
  }
  return { inputs, value: text, file: null, problem: null };
};
