import { z } from 'zod';
import { validateParameters } from '../settings/params.js';
import { getDefault } from '../settings/zod-introspect.js';
import { GraphNode } from './node.js';

export interface ParameterOptions<T> {
  /** The value when the run is not given one. */
  readonly default?: T;
  /** Whether the run must be given a value. @default true when there is neither a default nor a schema that accepts none */
  readonly required?: boolean;
  /**
   * What the value must be, as a zod schema: `z.number().int()`. Checked and
   * read from `--param` text as a Prefect 2 flow's `params`, and shown by
   * `flow ls`. @default any value
   */
  readonly schema?: z.ZodType<T>;
}

/** A value the flow run is given (Prefect 1's Parameter): `new Parameter('stop', { default: 5 })`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a Parameter feeds tasks of any argument type, as in Prefect 1
export class Parameter<T = any> extends GraphNode<T> {
  readonly name: string;
  readonly default: T | undefined;
  readonly required: boolean;
  readonly schema: z.ZodType<T> | undefined;

  constructor(name: string, options: ParameterOptions<T> = {}) {
    super();
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError(`new Parameter(name): the name must be a non-empty string, got ${JSON.stringify(name)}.`);
    }
    this.name = name;
    this.schema = options.schema;
    // A schema's own default (`z.number().default(5)`) is the Parameter's.
    this.default = options.default ?? (options.schema === undefined ? undefined : (getDefault(options.schema)?.value as T | undefined));
    this.required = options.required ?? (this.default === undefined && options.schema?.safeParse(undefined).success !== true);
    if (options.default !== undefined && options.schema !== undefined) {
      // A default its own schema refuses is a bug of the flow's author: it
      // fails where the flow is defined, not in the first run that needs it.
      validateParameters(`Parameter '${name}'`, z.object({ [name]: options.schema }), {
        [name]: { value: options.default, source: `its default in new Parameter('${name}')` },
      });
    }
  }

  /** @internal The field of the flow's params schema: the schema (or any value), required or with the default. */
  get field(): z.ZodType {
    const base: z.ZodType = this.schema ?? z.custom<unknown>((value) => value !== undefined);
    if (this.required) {
      return base;
    }
    // prefault, not default: the default goes through the schema as a value
    // given on the command line would.
    return this.default === undefined ? base.optional() : base.optional().prefault(this.default);
  }
}

export const isParameter = (value: unknown): value is Parameter => value instanceof Parameter;
