import { defineKeyedTask, type Task as TaskDefinition } from '../tasks/task.js';
import type { TaskOptions } from '../tasks/options.js';
import { findCallerModule } from '../tasks/task-key.js';
import type { MaybeNode } from './maybe-node.js';
import type { Flow } from './flow-graph.js';
import { getBuildingFlow, GraphNode } from './node.js';
import { allSuccessful, type Trigger } from './triggers.js';

export interface GraphTaskOptions extends Omit<TaskOptions<[never]>, 'name' | 'cacheKeyFn'> {
  /** @default the class name */
  readonly name?: string;
  /** When the task runs, from its upstreams' states. @default allSuccessful */
  readonly trigger?: Trigger;
}

// How many instances of each class a module made, in order, so that a
// worker thread (which makes them again) can tell them apart.
const instanceCounts = new Map<string, number>();

/**
 * A Prefect 1 task: subclass it and implement `run`, which takes the task's
 * arguments as one keyed object. Instances are nodes of a Flow, wired with
 * `bind`, `setUpstream` and `setDownstream`.
 */
export abstract class Task<Args extends object = Record<string, unknown>, Result = unknown> extends GraphNode<Result> {
  readonly name: string;
  trigger: Trigger;
  /** @internal The task run machinery of this instance. */
  readonly definition: TaskDefinition<[Args], Result>;

  constructor(options: GraphTaskOptions = {}) {
    super();
    const { trigger, ...taskOptions } = options;
    this.name = options.name ?? this.constructor.name;
    this.trigger = trigger ?? allSuccessful;
    const moduleUrl = findCallerModule();
    const countKey = `${moduleUrl ?? ''}#${this.name}`;
    const index = instanceCounts.get(countKey) ?? 0;
    instanceCounts.set(countKey, index + 1);
    this.definition = defineKeyedTask<[Args], Result>(
      { ...taskOptions, name: this.name },
      (args: Args) => this.run(args) as Result,
      moduleUrl,
      `#${index}`,
    );
  }

  abstract run(args: Args): Result | Promise<Result>;

  override setTrigger(trigger: Trigger): this {
    this.trigger = trigger;
    return this;
  }

  /**
   * Gives the task arguments, values or other nodes, in a flow (the one being
   * built by default). Arguments may also come from setDownstream/setUpstream keys.
   */
  bind(args: { [K in keyof Args]?: MaybeNode<Args[K]> }, options: { readonly flow?: Flow } = {}): this {
    const flow = options.flow ?? getBuildingFlow();
    if (flow === undefined) {
      throw new TypeError(`${this.name}.bind(): give the flow ({ flow }) or call it inside a Flow builder.`);
    }
    flow.bindArguments(this, args);
    return this;
  }
}
