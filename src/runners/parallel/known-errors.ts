import { FLOWRUN_ERROR_CLASSES, FlowrunError } from '../../errors.js';

// The error classes both sides of the worker boundary have: the built-ins and
// flowrun's own. An error of one of them crosses as itself; any other class
// is named by the nearest of them in its prototype chain.

export type ErrorClass = abstract new (...args: never[]) => Error;

const BUILT_IN_ERROR_CLASSES: readonly ErrorClass[] = [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError];

const nameOf = (errorClass: ErrorClass): string => (errorClass.prototype as Error).name;

// Keyed by the prototype's `name`, which flowrun's classes set themselves and
// bundling never renames (a class's own name it may).
const CLASSES_BY_NAME = new Map<string, ErrorClass>([...BUILT_IN_ERROR_CLASSES, ...FLOWRUN_ERROR_CLASSES].map((errorClass) => [nameOf(errorClass), errorClass]));
const NAMES_BY_PROTOTYPE = new Map<object, string>([...CLASSES_BY_NAME].map(([name, errorClass]) => [errorClass.prototype as object, name]));
const FLOWRUN_NAMES = new Set(FLOWRUN_ERROR_CLASSES.map(nameOf));
const FLOWRUN_ROOT = nameOf(FlowrunError);

const prototypeChain = function* (from: object | null): Generator<object> {
  for (let prototype = from; prototype !== null; prototype = Object.getPrototypeOf(prototype) as object | null) {
    yield prototype;
  }
};

const ownName = (prototype: object): unknown => (Object.hasOwn(prototype, 'name') ? (prototype as { name: unknown }).name : undefined);

// A class of another copy of flowrun (a worker may load the user's copy
// beside its own, as the main thread may): known by its name, when its chain
// leads to a FlowrunError.
const flowrunNameOf = (prototype: object): string | undefined => {
  const name = ownName(prototype);
  if (typeof name !== 'string' || !FLOWRUN_NAMES.has(name)) {
    return undefined;
  }
  for (const ancestor of prototypeChain(prototype)) {
    if (ownName(ancestor) === FLOWRUN_ROOT) {
      return name;
    }
  }
  return undefined;
};

const knownNameOf = (prototype: object): string | undefined => NAMES_BY_PROTOTYPE.get(prototype) ?? flowrunNameOf(prototype);

export const isKnownErrorPrototype = (prototype: object): boolean => knownNameOf(prototype) !== undefined;

/** The name of the nearest known class in the prototype chain of `error`, if any. */
export const findKnownErrorClass = (error: object): string | undefined => {
  for (const prototype of prototypeChain(Object.getPrototypeOf(error) as object | null)) {
    const name = knownNameOf(prototype);
    if (name !== undefined) {
      return name;
    }
  }
  return undefined;
};

export const getKnownErrorClass = (name: string): ErrorClass => CLASSES_BY_NAME.get(name) ?? Error;
