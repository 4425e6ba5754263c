import { describeValue } from '../util/describe-value.js';

/**
 * JSON text of a value for the history: what JSON cannot hold (a bigint, a
 * function, a cycle) is kept as its description rather than failing the
 * write, since the history records a run and must never stop it.
 */
export const toJsonText = (value: unknown): string => {
  try {
    const text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${item}n` : item));
    if (text !== undefined) {
      return text;
    }
  } catch {
    // a cycle, or a toJSON that throws: described below
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return JSON.stringify(Object.fromEntries(Object.entries(value).map(([key, item]) => [key, describeJsonSafe(item)])));
  }
  return JSON.stringify(describeValue(value));
};

const describeJsonSafe = (value: unknown): unknown => {
  try {
    return JSON.stringify(value) === undefined ? describeValue(value) : value;
  } catch {
    return describeValue(value);
  }
};
