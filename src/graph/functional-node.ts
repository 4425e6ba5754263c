import type { Task as TaskDefinition } from '../tasks/task.js';
import { GraphNode } from './node.js';
import type { Trigger } from './triggers.js';

// A task() called inside a Flow builder: the task and the arguments it was
// given, where other nodes stand for the results they will have.
export class FunctionalNode<T = unknown> extends GraphNode<T> {
  readonly name: string;
  readonly task: TaskDefinition<never[], T>;
  readonly args: readonly unknown[];
  /** Made by `.map()`: one run per item of the iterable arguments (nodes' results included). */
  readonly mapped: boolean;
  trigger: Trigger | undefined;

  constructor(task: TaskDefinition<never[], T>, args: readonly unknown[], mapped = false) {
    super();
    this.name = task.name;
    this.task = task;
    this.args = args;
    this.mapped = mapped;
  }

  override setTrigger(trigger: Trigger): this {
    this.trigger = trigger;
    return this;
  }
}
