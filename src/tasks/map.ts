import { UsageError } from '../errors.js';
import { isTaskFuture } from '../futures/task-future.js';
import { isUnmapped } from './unmapped.js';

// Which arguments of `.map()` are iterated over: arrays and other iterables,
// but not strings (as in Prefect) and not futures (a future's value is not
// known when .map() returns).
const isMappable = (value: unknown): value is Iterable<unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !isTaskFuture(value) &&
  !isUnmapped(value) &&
  typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';

// Turns the arguments of `t.map(a, b, unmapped(c))` into one argument list per
// run: the i-th item of each iterable, unmapped values and scalars whole.
export const expandMapArguments = (taskName: string, args: readonly unknown[]): unknown[][] => {
  const columns = args.map((value) => (isMappable(value) ? [...value] : undefined));
  const lengths = new Set(columns.filter((column) => column !== undefined).map((column) => column.length));
  if (lengths.size === 0) {
    throw new UsageError(`${taskName}.map() needs at least one array or iterable argument to map over; got none.`);
  }
  if (lengths.size > 1) {
    throw new UsageError(
      `${taskName}.map() got iterables of different lengths (${[...lengths].join(', ')}); give them the same length, or wrap constants in unmapped().`,
    );
  }
  const [length = 0] = lengths;
  return Array.from({ length }, (_, index) =>
    args.map((value, position) => {
      const column = columns[position];
      if (column !== undefined) {
        return column[index];
      }
      return isUnmapped(value) ? value.value : value;
    }),
  );
};
