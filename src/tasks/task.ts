import { callTask, submitTask } from '../engine/task-submission.js';
import type { AllowFailure } from '../futures/allow-failure.js';
import type { MaybeNode, NodeArgs } from '../graph/maybe-node.js';
import type { GraphNode } from '../graph/node.js';
import type { TaskFuture } from '../futures/task-future.js';
import { expandMapArguments } from './map.js';
import { resolveTaskOptions, type ResolvedTaskOptions, type SubmitOptions, type TaskOptions } from './options.js';
import { getRunContext } from '../engine/context.js';
import { getBuildingGraph } from './graph-builder.js';
import { registerTask } from './registry.js';
import { createTaskKey, findCallerModule, hashTaskKey } from './task-key.js';
import type { Unmapped } from './unmapped.js';

/** A value, or a future of it, or an array or plain object holding futures of its parts. */
export type MaybeFuture<T> =
  | T
  | TaskFuture<T>
  | AllowFailure<T>
  | (T extends readonly (infer Item)[]
      ? MaybeFuture<Item>[]
      : T extends (...args: never[]) => unknown
        ? never
        : T extends object
          ? { [K in keyof T]: MaybeFuture<T[K]> }
          : never);

/** A task's parameters, each of which may be given as a future. */
export type FuturableArgs<Args extends unknown[]> = { [K in keyof Args]: MaybeFuture<Args[K]> };

/** `.map()` arguments: an iterable of values per parameter, or one value for every run. */
export type MapArgs<Args extends unknown[]> = {
  [K in keyof Args]: Iterable<MaybeFuture<Args[K]>> | Unmapped<MaybeFuture<Args[K]>>;
};

const TASK_BRAND = Symbol.for('flowrun.Task');

/** A task made by `task()`: call it, `.submit()` it, `.map()` it. */
export interface Task<Args extends unknown[] = unknown[], R = unknown> {
  /** Runs the task now, as a task run of the current flow, and gives its result. */
  (...args: FuturableArgs<Args>): Promise<R>;
  /** Inside a Prefect 1 Flow builder: adds a node for this call to the graph. */
  (...args: NodeArgs<Args>): GraphNode<R>;
  /** Hands a run to the flow's task runner; returns its future at once. */
  submit(...args: FuturableArgs<Args>): TaskFuture<R>;
  /** Submits one run per item of the iterable arguments. */
  map(...args: MapArgs<Args>): TaskFuture<R>[];
  /** Inside a Prefect 1 Flow builder: a node with one run per item of its inputs (a node's list result included). */
  map(...args: { [K in keyof Args]: MaybeNode<Iterable<Args[K]>> | GraphNode<readonly Args[K][]> | Unmapped<MaybeNode<Args[K]>> }): GraphNode<R[]>;
  /** A copy of this task with other options (Prefect's with_options); `waitFor` applies to its submissions. */
  with(options: TaskOptions<Args> & SubmitOptions): Task<Args, R>;
  readonly name: string;
  /** The stable key: the defining module and the name (a renamed copy has its own). */
  readonly key: string;
  /** The key the task was registered under where it was defined, which a worker thread finds it by. */
  readonly registryKey: string;
  readonly keyHash: string;
  /** The module that defined the task (a file URL), where known. */
  readonly moduleUrl: string | undefined;
  readonly options: ResolvedTaskOptions<Args>;
  readonly fn: (...args: Args) => R | Promise<R>;
  /** Why a worker thread could not rebuild this task, if it could not. */
  readonly unshippableReason: string | undefined;
}

type TaskFunction<Args extends unknown[], R> = (...args: Args) => R;

interface TaskParts<Args extends unknown[], R> {
  readonly fn: TaskFunction<Args, R>;
  readonly options: ResolvedTaskOptions<Args>;
  readonly moduleUrl: string | undefined;
  readonly key: string;
  readonly registryKey: string;
  readonly waitFor: readonly unknown[];
  readonly unshippableReason: string | undefined;
}

const buildTask = <Args extends unknown[], R>(parts: TaskParts<Args, Awaited<R>>): Task<Args, Awaited<R>> => {
  const { fn, options, moduleUrl, key, registryKey, waitFor, unshippableReason } = parts;
  const core = {
    key,
    registryKey,
    keyHash: hashTaskKey(key),
    moduleUrl,
    options,
    fn,
    unshippableReason,
  };
  const call = (...args: unknown[]): unknown => {
    // Inside a Prefect 1 Flow builder, a call adds a node to the graph.
    const building = getBuildingGraph();
    return building === undefined ? callTask(submittable, args, waitFor) : building.addCall(call, args, false);
  };
  // A function's own `name` is read-only to assignment; define it instead.
  Object.defineProperty(call, 'name', { value: options.name });
  const submittable = Object.assign(call, core) as unknown as Parameters<typeof submitTask>[0];
  return Object.assign(call, {
    [TASK_BRAND]: true,
    submit: (...args: unknown[]) => submitTask<Awaited<R>>(submittable, args, waitFor),
    map: (...args: unknown[]) => {
      // Inside a Prefect 1 Flow builder, a mapped node: its runs are made when its inputs are known.
      const building = getBuildingGraph();
      return building === undefined
        ? expandMapArguments(options.name, args).map((runArgs) => submitTask<Awaited<R>>(submittable, runArgs, waitFor))
        : building.addCall(call, args, true);
    },
    with: (overrides: TaskOptions<Args> & SubmitOptions) => {
      const { waitFor: nextWaitFor, ...taskOverrides } = overrides;
      const nextOptions = resolveTaskOptions({ ...options, ...taskOverrides }, options.name);
      return buildTask<Args, R>({
        ...parts,
        options: nextOptions,
        // A renamed copy is a task of its own (its runs are counted apart), as in Prefect.
        key: nextOptions.name === options.name ? key : createTaskKey(moduleUrl, nextOptions.name),
        waitFor: nextWaitFor ?? waitFor,
      });
    },
  }) as unknown as Task<Args, Awaited<R>>;
};

/**
 * Makes a task of a function: `task(fn)`, `task(name, fn)` or `task(options, fn)`.
 * Define tasks at the top level of a module: their key is where they are defined.
 */
export function task<Args extends unknown[], R>(fn: TaskFunction<Args, R>): Task<Args, Awaited<R>>;
export function task<Args extends unknown[], R>(name: string, fn: TaskFunction<Args, R>): Task<Args, Awaited<R>>;
export function task<Args extends unknown[], R>(options: TaskOptions<Args>, fn: TaskFunction<Args, R>): Task<Args, Awaited<R>>;
export function task<Args extends unknown[], R>(
  first: TaskFunction<Args, R> | string | TaskOptions<Args>,
  second?: TaskFunction<Args, R>,
): Task<Args, Awaited<R>> {
  const fn = typeof first === 'function' ? first : second;
  if (typeof fn !== 'function') {
    throw new TypeError(`task() expects a function, as task(fn), task(name, fn) or task(options, fn); got ${typeof fn}.`);
  }
  const rawOptions: TaskOptions<Args> = typeof first === 'string' ? { name: first } : typeof first === 'object' ? first : {};
  const options = resolveTaskOptions(rawOptions, fn.name || 'task');
  const moduleUrl = findCallerModule();
  const key = createTaskKey(moduleUrl, options.name);
  // A task made while a run is going (inside a flow body or a task) does not
  // exist when its module is imported, so a worker cannot rebuild it.
  const unshippableReason =
    getRunContext() !== undefined
      ? 'it was defined inside a flow or task run, so importing its module does not define it'
      : moduleUrl === undefined
        ? 'the module that defines it is not known'
        : undefined;
  if (unshippableReason === undefined) {
    registerTask(key, fn);
  }
  return buildTask<Args, R>({
    fn: fn as TaskFunction<Args, Awaited<R>>,
    options,
    moduleUrl,
    key,
    registryKey: key,
    waitFor: [],
    unshippableReason,
  });
}

/**
 * @internal A task whose worker-side key is given (`registrySuffix` makes it
 * unique in its module), for tasks made by the Prefect 1 API: several
 * instances of one Task class share a name and must still be told apart.
 */
export const defineKeyedTask = <Args extends unknown[], R>(
  options: TaskOptions<Args>,
  fn: TaskFunction<Args, R>,
  moduleUrl: string | undefined,
  registrySuffix: string,
): Task<Args, Awaited<R>> => {
  const resolved = resolveTaskOptions(options, 'task');
  const key = createTaskKey(moduleUrl, resolved.name);
  const registryKey = `${key}${registrySuffix}`;
  const unshippableReason =
    getRunContext() !== undefined ? 'it was made inside a flow or task run, so importing its module does not make it' : moduleUrl === undefined ? 'the module that defines it is not known' : undefined;
  if (unshippableReason === undefined) {
    registerTask(registryKey, fn);
  }
  return buildTask<Args, R>({ fn: fn as TaskFunction<Args, Awaited<R>>, options: resolved, moduleUrl, key, registryKey, waitFor: [], unshippableReason });
};

export const isTask = (value: unknown): value is Task =>
  typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[TASK_BRAND] === true;
