import { z } from 'zod';
import type { FlowRunOutcome } from '../engine/flow-engine.js';
import { executeFlow, type RunFlowOptions } from '../flows/execute.js';
import { UsageError } from '../errors.js';
import type { FlowOptions } from '../flows/options.js';
import type { RunnerName } from '../runners/names.js';
import type { TaskRunner } from '../runners/task-runner.js';
import { toParameterInputs, validateParameters } from '../settings/params.js';
import type { State } from '../states/state.js';
import { getRuntime } from '../engine/runtime.js';
import { buildWith, type GraphBuilder } from '../tasks/graph-builder.js';
import { FunctionalNode } from './functional-node.js';
import { getDestructuredKeys } from '../util/function-parameters.js';
import { describeValue } from '../util/describe-value.js';
import type { GraphNode } from './node.js';
import { collectNodes, isGraphNode } from './node.js';
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
export class Flow implements GraphBuilder {
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
  private referenceNodes: readonly GraphNode[] = [];

  /**
   * `builder` receives the flow, as Prefect 1's `with Flow(...) as flow:`
   * block has it (for `flow.setReferenceTasks([...])`).
   */
  constructor(name: string, builder?: (flow: Flow) => void) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError(`new Flow(name): the name must be a non-empty string, got ${JSON.stringify(name)}.`);
    }
    this.name = name;
    Object.defineProperty(this, FLOW_BRAND, { value: { adoptName: () => this.name } });
    if (builder !== undefined) {
      buildWith(this, () => builder(this));
    }
  }

  /** @internal A task() called inside this flow's builder: a node with those arguments, its inputs' nodes upstream. */
  addCall(task: unknown, args: readonly unknown[], mapped: boolean): FunctionalNode {
    const node = new FunctionalNode(task as FunctionalNode['task'], args, mapped);
    this.addNode(node);
    for (const arg of args) {
      for (const upstream of collectNodes(arg)) {
        this.addEdge(upstream, node);
      }
    }
    return node;
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
    return z.object(Object.fromEntries(this.parameters.map((parameter) => [parameter.name, parameter.field])));
  }

  /**
   * Prefect 1's set_reference_tasks: the nodes whose task runs decide the
   * flow run's final state (every run of a mapped node), in place of the
   * terminal ones. An alerting flow whose last task runs only on failure
   * names the tasks it watches. An empty list restores the default.
   */
  setReferenceTasks(nodes: Iterable<GraphNode>): void {
    if (isGraphNode(nodes) || typeof (nodes as Partial<Iterable<GraphNode>> | null | undefined)?.[Symbol.iterator] !== 'function') {
      throw new UsageError(`flow '${this.name}': setReferenceTasks() takes a list of nodes (setReferenceTasks([check])), got ${describeNodeOrValue(nodes)}.`);
    }
    const chosen = [...new Set(nodes)];
    for (const node of chosen) {
      if (!isGraphNode(node)) {
        // A task() itself is the likely slip: the node is what its call returned.
        const hint = typeof node === 'function' ? ' (a task is not a node: give what calling it in the builder returned)' : '';
        throw new UsageError(`flow '${this.name}': setReferenceTasks() takes nodes of the flow, got ${describeValue(node)}${hint}.`);
      }
      const owner = nodeFlows.get(node);
      if (owner !== this) {
        const where = owner === undefined ? 'it is in no flow' : `it is in flow '${owner.name}'`;
        throw new UsageError(
          `flow '${this.name}': reference task '${node.name}' is not a node of this flow (${where}); add it first (call it in the builder, bind() or wire it), then setReferenceTasks().`,
        );
      }
    }
    this.referenceNodes = chosen;
  }

  /** Prefect 1's reference_tasks(): those set by setReferenceTasks, else the terminal tasks. */
  referenceTasks(): GraphNode[] {
    return this.referenceNodes.length > 0 ? [...this.referenceNodes] : this.terminalTasks();
  }

  /** Prefect 1's terminal_tasks(): the nodes with nothing downstream. */
  terminalTasks(): GraphNode[] {
    return this.nodes.filter((node) => !this.edges.some((edge) => edge.upstream === node));
  }

  /** @internal What a flow run of this graph does: schedule every node. */
  readonly fn = (parameters: Readonly<Record<string, unknown>>): Promise<unknown> => runGraph(this, parameters);

  /** @internal Runs a flow run with checked parameters (what the CLI uses). */
  execute(parameters: Readonly<Record<string, unknown>>, options?: RunFlowOptions): Promise<FlowRunOutcome> {
    return executeFlow(this, parameters, options);
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

const describeNodeOrValue = (value: unknown): string => (isGraphNode(value) ? `the node '${value.name}'` : describeValue(value));

export const isGraphFlow = (value: unknown): value is Flow => value instanceof Flow;
