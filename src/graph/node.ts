import { isUnmapped } from '../tasks/unmapped.js';
import type { Flow } from './flow-graph.js';
import type { Trigger } from './triggers.js';

// A node of a Prefect 1 style static graph: a Parameter, a Task instance, or
// a task() called inside a Flow builder. `T` is the type of the node's result.

const NODE_BRAND = Symbol.for('flowrun.GraphNode');

let nextId = 0;

export interface EdgeOptions {
  /** The argument of the downstream task that receives this node's result. */
  readonly key?: string;
  /** The flow to add the edge to (the one being built, by default). */
  readonly flow?: Flow;
}

export abstract class GraphNode<T = unknown> {
  /** @internal A phantom field that carries the result type. */
  declare readonly __result?: T;
  /** @internal */
  readonly nodeId = (nextId += 1);
  abstract readonly name: string;

  /** Makes `downstream` run after this node; with `key`, it receives this node's result as that argument. */
  setDownstream(downstream: GraphNode, options: EdgeOptions = {}): this {
    resolveFlow(options.flow, this.name).addEdge(this, downstream, options.key);
    return this;
  }

  /**
   * When this node runs, given its upstreams' states (allSuccessful by
   * default): `report(result).setTrigger(allFinished)`.
   */
  setTrigger(trigger: Trigger): this {
    throw new TypeError(`'${this.name}' is not a task and has no trigger (given ${trigger.name}).`);
  }

  /** Makes this node run after `upstream`; with `key`, it receives that node's result as that argument. */
  setUpstream(upstream: GraphNode, options: EdgeOptions = {}): this {
    resolveFlow(options.flow, this.name).addEdge(upstream, this, options.key);
    return this;
  }

  static {
    Object.defineProperty(GraphNode.prototype, NODE_BRAND, { value: true });
  }
}

export const isGraphNode = (value: unknown): value is GraphNode =>
  typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[NODE_BRAND] === true;

// Set by the Flow module (a cycle of imports otherwise): the flow an edge goes to.
let flowResolver: ((flow: Flow | undefined, what: string) => Flow) | undefined;

export const setFlowResolver = (resolver: (flow: Flow | undefined, what: string) => Flow): void => {
  flowResolver = resolver;
};

const resolveFlow = (flow: Flow | undefined, what: string): Flow => {
  if (flowResolver === undefined) {
    throw new Error('flowrun: the graph API is not initialised');
  }
  return flowResolver(flow, what);
};

// The nodes inside a bound argument: alone, in arrays, in plain objects.
export const collectNodes = (value: unknown, found: GraphNode[] = []): GraphNode[] => {
  if (isGraphNode(value)) {
    found.push(value);
  } else if (isUnmapped(value)) {
    collectNodes(value.value, found);
  } else if (Array.isArray(value)) {
    value.forEach((item) => collectNodes(item, found));
  } else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    Object.values(value).forEach((item) => collectNodes(item, found));
  }
  return found;
};
