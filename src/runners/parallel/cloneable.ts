import { types } from 'node:util';
import { isPlainObject } from '../../util/is-plain-object.js';

// Structured clone sends data, not behaviour: it throws on functions and
// symbols, and quietly turns a class instance into a plain object without
// its methods. Values that would be lost or mangled are refused here, with
// the path to the culprit, before anything crosses to a worker.

const isCloneableBuiltIn = (value: object): boolean =>
  value instanceof Date ||
  value instanceof RegExp ||
  value instanceof Error ||
  value instanceof ArrayBuffer ||
  ArrayBuffer.isView(value) ||
  types.isBoxedPrimitive(value) ||
  (typeof Blob !== 'undefined' && value instanceof Blob);

const describeClass = (value: object): string => {
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return name ? `an instance of ${name}` : 'an object with a custom prototype';
};

/** Where in `value` something cannot be sent to a worker thread and why, or undefined if all can. */
export const findUnsendable = (value: unknown, path: string, seen?: Set<object>): string | undefined => {
  if (typeof value === 'function') {
    return `${path} is a function${value.name ? ` (${value.name})` : ''}`;
  }
  if (typeof value === 'symbol') {
    return `${path} is a symbol`;
  }
  if (typeof value !== 'object' || value === null || seen?.has(value) === true) {
    return undefined;
  }
  // Made only for values with objects in them: this runs for every call on a worker.
  seen ??= new Set<object>();
  seen.add(value);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = findUnsendable(item, `${path}[${index}]`, seen);
      if (problem !== undefined) {
        return problem;
      }
    }
    return undefined;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) {
      const problem = findUnsendable(key, `a key of ${path}`, seen) ?? findUnsendable(item, `${path}.get(${String(key)})`, seen);
      if (problem !== undefined) {
        return problem;
      }
    }
    return undefined;
  }
  if (value instanceof Set) {
    for (const item of value) {
      const problem = findUnsendable(item, `an item of ${path}`, seen);
      if (problem !== undefined) {
        return problem;
      }
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const problem = findUnsendable(item, `${path}.${key}`, seen);
      if (problem !== undefined) {
        return problem;
      }
    }
    return undefined;
  }
  return isCloneableBuiltIn(value) ? undefined : `${path} is ${describeClass(value)}, which would arrive without its class and methods`;
};
