import type { GraphNode } from './node.js';

/** A value, or a graph node that will produce it, or an array or object holding such nodes. */
export type MaybeNode<T> =
  | T
  | GraphNode<T>
  | (T extends readonly (infer Item)[]
      ? MaybeNode<Item>[]
      : T extends (...args: never[]) => unknown
        ? never
        : T extends object
          ? { [K in keyof T]: MaybeNode<T[K]> }
          : never);

export type NodeArgs<Args extends unknown[]> = { [K in keyof Args]: MaybeNode<Args[K]> };
