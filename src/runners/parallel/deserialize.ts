import { getKnownErrorClass, type ErrorClass } from './known-errors.js';
import type { SerializedError, SerializedErrorInstance, SerializedField } from './serialize.js';

// The main thread's half of serialize.ts: rebuilds what a task threw on a
// worker, so that the flow catching it, the logs and the run's state see what
// they would have seen on the concurrent runner.

// Fields are defined, never assigned: a key such as `__proto__` stays a
// field, and a setter of the class is not run.
const defineField = (target: object, key: string, value: unknown, enumerable: boolean): void => {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
};

// One stand-in per (known ancestor, class name), named like the thrower's
// class so that `error.constructor.name` reads the same on both sides.
const standIns = new Map<string, ErrorClass>();

const getStandIn = (base: ErrorClass, className: string): ErrorClass => {
  const key = `${(base.prototype as Error).name}/${className}`;
  let standIn = standIns.get(key);
  if (standIn === undefined) {
    const made = { [className]: function () {} }[className] as unknown as ErrorClass;
    Object.setPrototypeOf(made, base);
    made.prototype = Object.create(base.prototype as object, { constructor: { value: made, writable: true, configurable: true } }) as Error;
    standIn = made;
    standIns.set(key, standIn);
  }
  return standIn;
};

// A function that was thrown cannot come back; one with its name and text does,
// so that the run's message reads as it would have.
const makeFunctionStandIn = (name: string, source: string): (() => undefined) => {
  const made = { [name]: () => undefined }[name] as () => undefined;
  Object.defineProperty(made, 'toString', { value: () => source, writable: true, configurable: true });
  return made;
};

/** The value a task threw on a worker thread, rebuilt from serializeError's data. */
export const deserializeError = (data: SerializedError): unknown => {
  const made = new Map<number, unknown>();

  const defineFields = (target: object, fields: readonly SerializedField[], enumerable: boolean): void => {
    for (const [key, value] of fields) {
      defineField(target, key, decode(value), enumerable);
    }
  };

  const decodeError = (node: SerializedErrorInstance): Error => {
    const base = getKnownErrorClass(node.base);
    const target = node.className === undefined ? base : getStandIn(base, node.className);
    // A real Error of the right class, without running a constructor that
    // would want its own arguments (ShellCommandError's exit code...).
    const error = Reflect.construct(Error, node.message === undefined ? [] : [node.message], target) as Error;
    made.set(node.id, error);
    if (node.stack === undefined) {
      delete error.stack;
    } else {
      defineField(error, 'stack', node.stack, false);
    }
    defineFields(error, node.fields, true);
    defineFields(error, node.hidden, false);
    if (error.name !== node.name) {
      defineField(error, 'name', node.name, false);
    }
    return error;
  };

  const decode = (node: SerializedError): unknown => {
    switch (node.kind) {
      case 'primitive':
      case 'cloned':
        return node.value;
      case 'buffer':
        return Buffer.from(node.bytes.buffer, node.bytes.byteOffset, node.bytes.byteLength);
      case 'symbol':
        return node.registeredKey === undefined ? Symbol(node.description) : Symbol.for(node.registeredKey);
      case 'function':
        return makeFunctionStandIn(node.name, node.source);
      case 'described':
        return node.text;
      case 'ref':
        return made.get(node.id);
      case 'array': {
        const array: unknown[] = [];
        made.set(node.id, array);
        for (const item of node.items) {
          array.push(decode(item));
        }
        return array;
      }
      case 'object': {
        const object = (node.nullPrototype ? Object.create(null) : {}) as object;
        made.set(node.id, object);
        defineFields(object, node.fields, true);
        return object;
      }
      case 'map': {
        const map = new Map<unknown, unknown>();
        made.set(node.id, map);
        for (const [key, value] of node.entries) {
          map.set(decode(key), decode(value));
        }
        return map;
      }
      case 'set': {
        const set = new Set<unknown>();
        made.set(node.id, set);
        for (const item of node.items) {
          set.add(decode(item));
        }
        return set;
      }
      case 'error':
        return decodeError(node);
    }
  };

  return decode(data);
};
