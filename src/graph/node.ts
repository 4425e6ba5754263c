import { getBuildingGraph } from '../tasks/graph-builder.js';
import { isUnmapped } from '../tasks/unmapped.js';
import type { Flow } from './flow-graph.js';
import type { Trigger } from './triggers.js';

// A node of a Prefect 1 style static graph: a Parameter, a Task instance, or
// a task() called inside a Flow builder. `T` is the type of the node's result.

const NODE_BRAND = Symbol.for('flowrun.GraphNode');

/** The Flow whose builder function is running (the only graph builder there is), if one is. */
export const getBuildingFlow = (): Flow | undefined => getBuildingGraph() as Flow | undefined;

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

// The flow an edge goes to: the one given, else the one being built.
const resolveFlow = (flow: Flow | undefined, what: string): Flow => {
  const resolved = flow ?? getBuildingFlow();
  if (resolved === undefined) {
    throw new TypeError(`${what}: give the flow ({ flow }) or wire it inside a Flow builder.`);
  }
  return resolved;
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
