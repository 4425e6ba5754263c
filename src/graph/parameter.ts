import { GraphNode } from './node.js';

export interface ParameterOptions<T> {
  /** The value when the run is not given one. */
  readonly default?: T;
  /** Whether the run must be given a value. @default true when there is no default */
  readonly required?: boolean;
}

/** A value the flow run is given (Prefect 1's Parameter): `new Parameter('stop', { default: 5 })`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a Parameter feeds tasks of any argument type, as in Prefect 1
export class Parameter<T = any> extends GraphNode<T> {
  readonly name: string;
  readonly default: T | undefined;
  readonly required: boolean;

  constructor(name: string, options: ParameterOptions<T> = {}) {
    super();
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError(`new Parameter(name): the name must be a non-empty string, got ${JSON.stringify(name)}.`);
    }
    this.name = name;
    this.default = options.default;
    this.required = options.required ?? options.default === undefined;
  }
}

export const isParameter = (value: unknown): value is Parameter => value instanceof Parameter;
