import type { z } from 'zod';
import { UsageError } from '../errors.js';
import type { FlowRunOutcome } from '../engine/flow-engine.js';
import { executeFlow, type RunFlowOptions } from './execute.js';
import { getStateResult } from '../futures/task-future.js';
import { toParameterInputs, validateParameters } from '../settings/params.js';
import { getRunContext } from '../engine/context.js';
import { isWorkerThread } from '../util/thread-role.js';
import type { FlowOptions } from './options.js';

const FLOW_BRAND = Symbol.for('flowrun.Flow');

/** A flow made by `flow()`. Call it to run a flow run (a subflow run inside another flow). */
export interface Flow<Input = Record<string, unknown>, R = unknown> {
  /** Runs a flow run and gives its return value; throws if the run does not complete. */
  (parameters?: Input): Promise<R>;
  /** The flow's name (how `flow run <name>` finds it). */
  readonly name: string;
  readonly description: string | undefined;
  readonly version: string | undefined;
  readonly options: FlowOptions<unknown>;
  /** The zod schema of the parameters, if the flow has one. */
  readonly params: z.ZodType | undefined;
  readonly fn: (parameters: never) => unknown;
  readonly taskRunner: FlowOptions['taskRunner'];
  readonly logPrints: boolean | undefined;
  readonly flowRunName: FlowOptions['flowRunName'];
  /**
   * Runs a flow run with parameters already checked, and returns the run and
   * its final state without throwing (what the CLI uses).
   */
  execute(parameters: Readonly<Record<string, unknown>>, options?: RunFlowOptions): Promise<FlowRunOutcome>;
  /** Validates parameters with the schema (coercing them), as a flow call does. */
  validate(parameters: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** Checks the flow before a run (a static graph's cycles); throws a UsageError. */
  check?(): void;
}

type FlowFunction<Params, R> = (parameters: Params) => R;

// The name Prefect derives from a function: underscores become hyphens.
const nameFromFunction = (fn: { name: string }): string => fn.name.replace(/_/g, '-');

const UNNAMED = '';

/**
 * Makes a flow: `flow(fn)` or `flow(options, fn)`. With `params: z.object(...)`,
 * the parameters are validated and typed by the schema.
 */
export function flow<Params extends object = Record<string, unknown>, R = unknown>(
  fn: FlowFunction<Params, R>,
): Flow<Params, Awaited<R>>;
export function flow<Schema extends z.ZodType<object, object>, R>(
  options: FlowOptions<z.output<Schema>> & { readonly params: Schema },
  fn: FlowFunction<z.output<Schema>, R>,
): Flow<z.input<Schema>, Awaited<R>>;
export function flow<Params extends object = Record<string, unknown>, R = unknown>(
  options: FlowOptions<Params>,
  fn: FlowFunction<Params, R>,
): Flow<Params, Awaited<R>>;
export function flow(
  first: FlowFunction<never, unknown> | FlowOptions<unknown>,
  second?: FlowFunction<never, unknown>,
): Flow<never, unknown> {
  // task('name', fn) takes a name first; flow() does not, and a name given
  // that way would otherwise be dropped without a word.
  if (typeof first === 'string') {
    throw new UsageError(`flow() takes its name in its options: flow({ name: ${JSON.stringify(first)} }, fn), not flow(${JSON.stringify(first)}, fn).`);
  }
  const fn = typeof first === 'function' ? first : second;
  if (typeof fn !== 'function') {
    throw new TypeError(`flow() expects a function, as flow(fn) or flow(options, fn); got ${typeof fn}.`);
  }
  const options: FlowOptions<unknown> = typeof first === 'object' && first !== null ? first : {};
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0)) {
    throw new UsageError(`flow(): option 'name' must be a non-empty string, got ${JSON.stringify(options.name)}.`);
  }
  for (const key of ['retries', 'retryDelaySeconds', 'timeoutSeconds'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (key === 'retries' && !Number.isInteger(value)))) {
      throw new UsageError(`flow(): option '${key}' must be a non-negative ${key === 'retries' ? 'integer' : 'number'}, got ${JSON.stringify(value)}.`);
    }
  }
  let name = options.name ?? (fn.name ? nameFromFunction(fn) : UNNAMED);
  const schema = options.params as z.ZodType | undefined;

  const validate = (parameters: Readonly<Record<string, unknown>>): Record<string, unknown> =>
    validateParameters(name, schema, toParameterInputs(parameters, `the call of flow '${name}'`));

  const definition = {
    get name() {
      return name;
    },
    description: options.description,
    version: options.version,
    options,
    params: schema,
    fn,
    taskRunner: options.taskRunner,
    logPrints: options.logPrints,
    flowRunName: options.flowRunName,
    execute: (parameters: Readonly<Record<string, unknown>>, runOptions?: RunFlowOptions) =>
      executeFlow(definition, parameters, runOptions),
    validate,
  };
  const call = async (parameters: Readonly<Record<string, unknown>> = {}): Promise<unknown> => {
    // A worker imports modules only to find tasks: a flow called at a
    // module's top level does not run there.
    if (isWorkerThread() && getRunContext() === undefined) {
      return undefined;
    }
    const outcome = await executeFlow(definition, validate(parameters));
    return getStateResult(outcome.state);
  };
  Object.defineProperty(call, 'name', { get: () => name });
  Object.defineProperties(call, Object.getOwnPropertyDescriptors(definition));
  Object.defineProperty(call, FLOW_BRAND, { value: { adoptName: (fallback: string) => (name ||= fallback) } });
  return call as unknown as Flow<never, unknown>;
}

/** True for flows of any copy of flowrun loaded in the process. */
export const isFlow = (value: unknown): value is Flow =>
  (typeof value === 'function' || (typeof value === 'object' && value !== null)) &&
  (value as unknown as Record<symbol, unknown>)[FLOW_BRAND] !== undefined;

// A flow defined without a name (an anonymous function) takes the name of its
// export or file when it is loaded.
export const adoptFlowName = (value: Flow, fallback: string): void => {
  const brand = (value as unknown as Record<symbol, { adoptName(fallback: string): string } | undefined>)[FLOW_BRAND];
  brand?.adoptName(fallback);
};
