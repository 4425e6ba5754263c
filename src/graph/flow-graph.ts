import { z } from 'zod';
import { runFlow, type FlowRunOutcome, type RunFlowOptions } from '../engine/flow-engine.js';
import { UsageError } from '../errors.js';
import type { FlowOptions } from '../flows/options.js';
import type { RunnerName, TaskRunner } from '../runners/task-runner.js';
import { toParameterInputs, validateParameters } from '../settings/params.js';
import type { State } from '../states/state.js';
import { getRuntime } from '../engine/runtime.js';
import { buildWith, getBuildingFlow, setBuilderCallHandler } from './builder-context.js';
import { FunctionalNode } from './functional-node.js';
import { getDestructuredKeys } from '../util/function-parameters.js';
import type { GraphNode } from './node.js';
import { collectNodes, setFlowResolver } from './node.js';
import { Parameter } from './parameter.js';
import { orderNodes, runGraph } from './schedule.js';

/** An edge of the graph: `downstream` runs after `upstream`, and with a key receives its result. */
export interface Edge {
  readonly upstream: GraphNode;
  readonly downstream: GraphNode;
  readonly key: string | undefined;
}

const FLOW_BRAND = Symbol.for('flowrun.Flow');

// The flow every node belongs to, so that a node used in two flows is caught.
const nodeFlows = new WeakMap<GraphNode, Flow>();

/**
 * A Prefect 1 flow: a static graph of Parameters and tasks, built in a
 * builder function (calling tasks there adds nodes) or wired imperatively.
 * Every node starts as soon as its upstreams are final, on any runner.
 */
export class Flow {
  readonly name: string;
  readonly description: string | undefined = undefined;
  readonly version: string | undefined = undefined;
  readonly options: FlowOptions<unknown> = {};
  readonly taskRunner: RunnerName | TaskRunner | undefined = undefined;
  readonly logPrints: boolean | undefined = undefined;
  readonly flowRunName: undefined = undefined;
  readonly nodes: GraphNode[] = [];
  readonly edges: Edge[] = [];
  /** Arguments given by bind() or a builder call, per node, with nodes standing for results. */
  readonly boundArguments = new Map<GraphNode, Record<string, unknown>>();

  constructor(name: string, builder?: () => void) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError(`new Flow(name): the name must be a non-empty string, got ${JSON.stringify(name)}.`);
    }
    this.name = name;
    Object.defineProperty(this, FLOW_BRAND, { value: { adoptName: () => this.name } });
    if (builder !== undefined) {
      buildWith(this, builder);
    }
  }

  /** Adds a node (once); a node belongs to one flow. */
  addNode(node: GraphNode): void {
    const owner = nodeFlows.get(node);
    if (owner === this) {
      return;
    }
    if (owner !== undefined) {
      throw new UsageError(`node '${node.name}' is already in flow '${owner.name}'; a node belongs to one flow: make another for flow '${this.name}'.`);
    }
    nodeFlows.set(node, this);
    this.nodes.push(node);
  }

  addEdge(upstream: GraphNode, downstream: GraphNode, key?: string): void {
    if (key !== undefined) {
      checkKey(downstream, key);
    }
    this.addNode(upstream);
    this.addNode(downstream);
    this.edges.push({ upstream, downstream, key });
  }

  /** @internal bind(): keyed arguments, each a value or nodes. */
  bindArguments(node: GraphNode, args: Readonly<Record<string, unknown>>): void {
    for (const key of Object.keys(args)) {
      checkKey(node, key);
    }
    this.addNode(node);
    const bound = this.boundArguments.get(node) ?? {};
    for (const [key, value] of Object.entries(args)) {
      bound[key] = value;
      for (const upstream of collectNodes(value)) {
        this.addEdge(upstream, node);
      }
    }
    this.boundArguments.set(node, bound);
  }

  /** The Parameters of the flow. */
  get parameters(): Parameter[] {
    return this.nodes.filter((node): node is Parameter => node instanceof Parameter);
  }

  /** A zod schema of the Parameters (required ones must be given), for the CLI and `flow ls`. */
  get params(): z.ZodType {
    const shape: Record<string, z.ZodType> = {};
    for (const parameter of this.parameters) {
      const base = z.custom<unknown>((value) => value !== undefined);
      shape[parameter.name] = parameter.required ? base : base.optional().default(parameter.default);
    }
    return z.object(shape);
  }

  /** @internal What a flow run of this graph does: schedule every node. */
  readonly fn = (parameters: Readonly<Record<string, unknown>>): Promise<unknown> => runGraph(this, parameters);

  /** @internal Runs a flow run with checked parameters (what the CLI uses). */
  execute(parameters: Readonly<Record<string, unknown>>, options?: RunFlowOptions): Promise<FlowRunOutcome> {
    return runFlow(this, parameters, options);
  }

  /** Throws a UsageError naming the nodes of a cycle, if the graph has one. */
  check(): void {
    orderNodes(this);
  }

  validate(parameters: Readonly<Record<string, unknown>>): Record<string, unknown> {
    this.check();
    return validateParameters(this.name, this.params, toParameterInputs(parameters, `the run of flow '${this.name}'`));
  }

  /** Runs the flow (Prefect 1's flow.run): the final State of the flow run. */
  async run(options: { readonly parameters?: Readonly<Record<string, unknown>>; readonly runner?: RunnerName | TaskRunner } = {}): Promise<State> {
    const outcome = await this.execute(this.validate(options.parameters ?? {}), { runner: options.runner, runtime: getRuntime() });
    return outcome.state;
  }
}

// A key given to a Task class that its run() does not take is a mistake,
// caught when the graph is built (when run() names its keys).
const checkKey = (node: GraphNode, key: string): void => {
  const run = (node as { run?: unknown }).run;
  if (typeof run !== 'function' || node instanceof Parameter) {
    return;
  }
  const keys = getDestructuredKeys(run as (...args: never[]) => unknown);
  if (keys !== undefined && !keys.includes(key)) {
    throw new UsageError(`task '${node.name}' does not take '${key}': its run() takes ${keys.map((name) => `'${name}'`).join(', ') || 'nothing'}.`);
  }
};


// Calling a task() inside a builder adds a node with those arguments.
setBuilderCallHandler((flow, task, args, mapped) => {
  const node = new FunctionalNode(task as FunctionalNode['task'], args, mapped);
  flow.addNode(node);
  for (const arg of args) {
    for (const upstream of collectNodes(arg)) {
      flow.addEdge(upstream, node);
    }
  }
  return node;
});

setFlowResolver((flow, what) => {
  const resolved = flow ?? getBuildingFlow();
  if (resolved === undefined) {
    throw new TypeError(`${what}: give the flow ({ flow }) or wire it inside a Flow builder.`);
  }
  return resolved;
});

export const isGraphFlow = (value: unknown): value is Flow => value instanceof Flow;
