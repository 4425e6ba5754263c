import { types } from 'node:util';
import { isPlainObject } from '../../util/is-plain-object.js';
import { findKnownErrorClass, isKnownErrorPrototype } from './known-errors.js';

// What a task threw, made into data that can cross from a worker thread to
// the main thread. Structured clone alone keeps little of an Error (its class
// and custom fields are lost) and refuses functions and symbols outright, so
// the thrown value is walked once into nodes that clone safely, and
// deserialize.ts rebuilds it:
// - an Error keeps its class when the main thread has it (a built-in such as
//   TypeError, or one of flowrun's such as ShellCommandError); a user's own
//   subclass comes back as a subclass of its nearest such ancestor with the
//   same name. Either way it keeps its name, message, stack, own fields
//   (`status`, `code`, `exitCode`...), cause and an AggregateError's errors.
// - any other value stays what it was: a string a string, a number a number,
//   a plain object a deep-equal plain object, shared and circular references
//   included.
// - what structured clone cannot carry is described, never a crash of the
//   reply: a function inside a field is dropped, a symbol comes back as a
//   symbol with the same description, a class instance as a plain object of
//   its fields (or of its toJSON()), and what lies deeper than MAX_DEPTH or
//   past MAX_VALUES values as a '[Truncated: ...]' string.

type Primitive = string | number | boolean | bigint | null | undefined;

export type SerializedField = readonly [key: string, value: SerializedError];

/** An Error, its class named by the nearest ancestor the main thread has. */
export interface SerializedErrorInstance {
  readonly kind: 'error';
  readonly id: number;
  /** The `name` of the known class (built-in or flowrun's) nearest in its prototype chain. */
  readonly base: string;
  /** The name of its own class when that is not `base` (a user's subclass). */
  readonly className: string | undefined;
  readonly name: string;
  readonly message: string | undefined;
  readonly stack: string | undefined;
  /** Own enumerable fields (a user's `status`, ShellCommandError's `exitCode`). */
  readonly fields: readonly SerializedField[];
  /** Own non-enumerable fields other than message and stack: `cause`, an AggregateError's `errors`. */
  readonly hidden: readonly SerializedField[];
}

/** What a worker sends for the value its task threw (an Error or anything else). */
export type SerializedError =
  | { readonly kind: 'primitive'; readonly value: Primitive }
  /** Values structured clone carries whole: Dates, RegExps, typed arrays, boxed primitives. */
  | { readonly kind: 'cloned'; readonly value: object }
  | { readonly kind: 'buffer'; readonly bytes: Uint8Array }
  | { readonly kind: 'symbol'; readonly description: string | undefined; readonly registeredKey: string | undefined }
  /** A thrown function (never one in a field: those are dropped), so that its message reads the same. */
  | { readonly kind: 'function'; readonly name: string; readonly source: string }
  /** Stands for what could not be sent, as a text saying why. */
  | { readonly kind: 'described'; readonly text: string }
  /** A value met before in the same walk (shared or circular). */
  | { readonly kind: 'ref'; readonly id: number }
  | { readonly kind: 'array'; readonly id: number; readonly items: readonly SerializedError[] }
  | { readonly kind: 'object'; readonly id: number; readonly nullPrototype: boolean; readonly fields: readonly SerializedField[] }
  | { readonly kind: 'map'; readonly id: number; readonly entries: readonly (readonly [SerializedError, SerializedError])[] }
  | { readonly kind: 'set'; readonly id: number; readonly items: readonly SerializedError[] }
  | SerializedErrorInstance;

// Deep enough for any real cause chain or API payload; bounded, so that a
// value reaching into a socket or a whole framework cannot take the reply down.
export const MAX_DEPTH = 32;
export const MAX_VALUES = 10_000;

const isError = (value: object): value is Error => value instanceof Error || types.isNativeError(value);

const isClonedWhole = (value: object): boolean =>
  value instanceof Date ||
  value instanceof RegExp ||
  value instanceof ArrayBuffer ||
  ArrayBuffer.isView(value) ||
  (types.isBoxedPrimitive(value) && !types.isSymbolObject(value));

const describeFailure = (error: unknown): string => {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'an error that cannot be described';
  }
};

const describeFunction = (fn: (...args: never[]) => unknown): string => {
  try {
    return Function.prototype.toString.call(fn);
  } catch {
    return `function ${fn.name}`;
  }
};

const describe = (text: string): SerializedError => ({ kind: 'described', text });

// The direct class of an error when it is not a known one (a user's subclass).
const ownClassName = (error: Error, base: string): string | undefined => {
  const prototype = Object.getPrototypeOf(error) as { constructor?: { name?: unknown } } | null;
  if (prototype === null || isKnownErrorPrototype(prototype)) {
    return undefined;
  }
  const name = Object.hasOwn(prototype, 'constructor') ? prototype.constructor?.name : undefined;
  return typeof name === 'string' && name !== '' && name !== base ? name : undefined;
};

/** Turns a thrown value into data that structured clone carries whole. Never throws. */
export const serializeError = (thrown: unknown): SerializedError => {
  const ids = new Map<object, number>();
  let values = 0;

  const readFields = (source: object, enumerable: boolean, depth: number): SerializedField[] => {
    const fields: SerializedField[] = [];
    for (const key of Object.getOwnPropertyNames(source)) {
      if (Object.prototype.propertyIsEnumerable.call(source, key) !== enumerable || (isError(source) && (key === 'stack' || key === 'message'))) {
        continue;
      }
      let value: unknown;
      try {
        value = (source as Record<string, unknown>)[key];
      } catch (error) {
        fields.push([key, describe(`[Unreadable: ${describeFailure(error)}]`)]);
        continue;
      }
      // Behaviour cannot cross a thread: a method or callback in a field is left out.
      if (typeof value !== 'function') {
        fields.push([key, encode(value, depth + 1)]);
      }
    }
    return fields;
  };

  // In a list a dropped function would shift what follows: it leaves a hole.
  const encodeItem = (value: unknown, depth: number): SerializedError =>
    typeof value === 'function' ? { kind: 'primitive', value: undefined } : encode(value, depth + 1);

  // A long list stops where the budget does, with one item saying how much is left out.
  const encodeItems = <T, R>(items: Iterable<T>, size: number, encodeOne: (item: T) => R, describeRest: (text: string) => R): R[] => {
    const encoded: R[] = [];
    for (const item of items) {
      if (values >= MAX_VALUES) {
        encoded.push(describeRest(`[Truncated: ${size - encoded.length} more items past ${MAX_VALUES} values]`));
        break;
      }
      encoded.push(encodeOne(item));
    }
    return encoded;
  };

  const encodeError = (error: Error, id: number, depth: number): SerializedErrorInstance => {
    const base = findKnownErrorClass(error) ?? 'Error';
    const read = (get: () => unknown): unknown => {
      try {
        return get();
      } catch {
        return undefined;
      }
    };
    const name = read(() => error.name);
    const message = Object.hasOwn(error, 'message') ? read(() => error.message) : undefined;
    const stack = read(() => error.stack);
    return {
      kind: 'error',
      id,
      base,
      className: ownClassName(error, base),
      name: typeof name === 'string' ? name : 'Error',
      message: typeof message === 'string' ? message : undefined,
      stack: typeof stack === 'string' ? stack : undefined,
      fields: readFields(error, true, depth),
      hidden: readFields(error, false, depth),
    };
  };

  const encodeObject = (value: object, depth: number): SerializedError => {
    if (isClonedWhole(value)) {
      return Buffer.isBuffer(value) ? { kind: 'buffer', bytes: new Uint8Array(value) } : { kind: 'cloned', value };
    }
    const toJSON = isError(value) ? undefined : (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function' && !isPlainObject(value)) {
      // What the instance says it is as data (a URL its href, a Decimal its digits).
      return encode(toJSON.call(value) as unknown, depth + 1);
    }
    const id = ids.size;
    ids.set(value, id);
    if (isError(value)) {
      return encodeError(value, id, depth);
    }
    if (Array.isArray(value)) {
      return { kind: 'array', id, items: encodeItems(value as unknown[], value.length, (item) => encodeItem(item, depth), describe) };
    }
    if (value instanceof Map) {
      const entries = encodeItems(
        value as Map<unknown, unknown>,
        value.size,
        ([key, item]) => [encodeItem(key, depth), encodeItem(item, depth)] as const,
        (text) => [describe('[Truncated]'), describe(text)] as const,
      );
      return { kind: 'map', id, entries };
    }
    if (value instanceof Set) {
      return { kind: 'set', id, items: encodeItems(value as Set<unknown>, value.size, (item) => encodeItem(item, depth), describe) };
    }
    // A plain object, or a class instance described by its own fields (what
    // structured clone itself would make of it, without the refusal).
    return { kind: 'object', id, nullPrototype: Object.getPrototypeOf(value) === null, fields: readFields(value, true, depth) };
  };

  const encode = (value: unknown, depth: number): SerializedError => {
    if (typeof value === 'symbol') {
      return { kind: 'symbol', description: value.description, registeredKey: Symbol.keyFor(value) };
    }
    if (typeof value === 'function') {
      return { kind: 'function', name: value.name, source: describeFunction(value as (...args: never[]) => unknown) };
    }
    if (value === null || typeof value !== 'object') {
      return { kind: 'primitive', value: value as Primitive };
    }
    const id = ids.get(value);
    if (id !== undefined) {
      return { kind: 'ref', id };
    }
    values += 1;
    if (depth > MAX_DEPTH) {
      return describe(`[Truncated: nested more than ${MAX_DEPTH} levels deep]`);
    }
    if (values > MAX_VALUES) {
      return describe(`[Truncated: more than ${MAX_VALUES} values]`);
    }
    try {
      return encodeObject(value, depth);
    } catch (error) {
      // A revoked proxy, a toJSON that throws: described, and the rest still goes.
      return describe(`[Unreadable: ${describeFailure(error)}]`);
    }
  };

  return encode(thrown, 0);
};
