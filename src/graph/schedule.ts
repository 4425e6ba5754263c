import { allowFailure, isAllowFailure } from '../futures/allow-failure.js';
import { expandMapArguments } from '../tasks/map.js';
import { isUnmapped, unmapped } from '../tasks/unmapped.js';
import type { TaskFuture } from '../futures/task-future.js';
import { UsageError } from '../errors.js';
import { TriggerFailed, type State } from '../states/state.js';
import { submitTask } from '../engine/task-submission.js';
import type { Flow } from './flow-graph.js';
import { FunctionalNode } from './functional-node.js';
import { Task } from './graph-task.js';
import { collectNodes, isGraphNode, type GraphNode } from './node.js';
import { Parameter } from './parameter.js';
import { allSuccessful, type Trigger } from './triggers.js';

// Runs a static graph as task runs of the current flow run. Nodes are
// submitted in dependency order with their upstreams' futures as arguments
// (wrapped in allowFailure, so the trigger decides), and each starts as soon
// as its upstreams are final: independent branches overlap on the concurrent
// runner and use every core on the parallel one. The flow run's state
// follows its reference tasks (Prefect 1's rule: the terminal nodes unless
// flow.setReferenceTasks chose others).

// Kahn's algorithm; a cycle is an error that names the nodes on it.
export const orderNodes = (flow: Flow): GraphNode[] => {
  const incoming = new Map<GraphNode, number>(flow.nodes.map((node) => [node, 0]));
  for (const edge of flow.edges) {
    incoming.set(edge.downstream, (incoming.get(edge.downstream) ?? 0) + 1);
  }
  const ready = flow.nodes.filter((node) => incoming.get(node) === 0);
  const ordered: GraphNode[] = [];
  while (ready.length > 0) {
    const node = ready.shift() as GraphNode;
    ordered.push(node);
    for (const edge of flow.edges.filter((candidate) => candidate.upstream === node)) {
      const left = (incoming.get(edge.downstream) ?? 0) - 1;
      incoming.set(edge.downstream, left);
      if (left === 0) {
        ready.push(edge.downstream);
      }
    }
  }
  if (ordered.length < flow.nodes.length) {
    const cycle = flow.nodes.filter((node) => !ordered.includes(node)).map((node) => `'${node.name}'`);
    throw new UsageError(`flow '${flow.name}' has a cycle through ${cycle.join(', ')}: a task cannot depend on itself; remove one of the edges.`);
  }
  return ordered;
};

// The argument with each node replaced by what it stands for.
const substitute = (value: unknown, results: Map<GraphNode, unknown>): unknown => {
  if (isGraphNode(value)) {
    return results.get(value);
  }
  if (isUnmapped(value)) {
    return unmapped(substitute(value.value, results));
  }
  if (Array.isArray(value)) {
    return value.map((item) => substitute(item, results));
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, results)]));
  }
  return value;
};

const gateFor = (trigger: Trigger) => (upstreams: readonly State[]): State | undefined =>
  trigger.holds(upstreams) ? undefined : TriggerFailed({ message: trigger.failure });

// The runs of a mapped node: one per item of its iterable inputs, known once
// the nodes it maps over have finished. If one did not complete, a single
// run records why (its trigger does not hold) and the node has no items.
const submitMapped = async (node: FunctionalNode, args: readonly unknown[]): Promise<TaskFuture<unknown>[]> => {
  const gate = gateFor(node.trigger ?? allSuccessful);
  const sources: unknown[] = [];
  for (const arg of args) {
    if (!isAllowFailure(arg)) {
      sources.push(arg);
      continue;
    }
    const state = await arg.future.wait();
    if (state.type !== 'COMPLETED') {
      return [submitTask(node.task as never, [], [arg], gate)];
    }
    if (!Array.isArray(state.data)) {
      throw new UsageError(`${node.name}.map() in a graph maps over the result of '${arg.future.taskRun.name}', which is not an array.`);
    }
    sources.push(state.data);
  }
  return expandMapArguments(node.name, sources).map((runArgs) => submitTask(node.task as never, runArgs, [], gate));
};

export const runGraph = async (flow: Flow, parameters: Readonly<Record<string, unknown>>): Promise<unknown> => {
  const ordered = orderNodes(flow);
  // What each node stands for in its downstreams' arguments, once known: a
  // Parameter's value, a task node's future (passed through allowFailure so
  // that the trigger decides), or a mapped node's list of them.
  const values = new Map<GraphNode, Promise<unknown>>();
  const results = new Map<GraphNode, unknown>();
  const runs = new Map<GraphNode, TaskFuture<unknown>[]>();
  const inputsOf = async (node: GraphNode): Promise<void> => {
    for (const edge of flow.edges.filter((candidate) => candidate.downstream === node)) {
      results.set(edge.upstream, await values.get(edge.upstream));
    }
  };
  const settle = async (node: GraphNode): Promise<unknown> => {
    if (node instanceof Parameter) {
      // A value given as null stays null (a nullable schema allows it).
      return Object.hasOwn(parameters, node.name) ? parameters[node.name] : node.default;
    }
    await inputsOf(node);
    const upstreamEdges = flow.edges.filter((edge) => edge.downstream === node);
    if (node instanceof FunctionalNode) {
      const args = node.args.map((arg) => substitute(arg, results));
      const waitFor = upstreamEdges
        .filter((edge) => !node.args.some((arg) => collectNodes(arg).includes(edge.upstream)))
        .map((edge) => results.get(edge.upstream))
        .filter(isAllowFailure);
      if (node.mapped) {
        const children = await submitMapped(node, args);
        runs.set(node, children);
        return children.map((future) => allowFailure(future));
      }
      const future = submitTask(node.task as never, args, waitFor, gateFor(node.trigger ?? allSuccessful));
      runs.set(node, [future]);
      return allowFailure(future);
    }
    if (node instanceof Task) {
      const bound = flow.boundArguments.get(node) ?? {};
      const keyed: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(bound)) {
        keyed[key] = substitute(value, results);
      }
      for (const edge of upstreamEdges.filter((candidate) => candidate.key !== undefined)) {
        keyed[edge.key as string] = results.get(edge.upstream);
      }
      const waitFor = upstreamEdges
        .filter((edge) => edge.key === undefined && !Object.values(bound).some((value) => collectNodes(value).includes(edge.upstream)))
        .map((edge) => results.get(edge.upstream))
        .filter(isAllowFailure);
      const future = submitTask(node.definition as never, [keyed], waitFor, gateFor(node.trigger));
      runs.set(node, [future]);
      return allowFailure(future);
    }
    throw new UsageError(`flow '${flow.name}': node '${node.name}' is neither a Parameter nor a task.`);
  };
  for (const node of ordered) {
    values.set(node, settle(node));
  }
  await Promise.all(values.values());
  // What the flow returns decides its state: the runs of the reference
  // tasks, each run of a mapped one (as Prefect 1 counts its children). A
  // Parameter has no run: like Prefect 1's, it cannot fail the flow.
  return flow.referenceTasks().flatMap((node) => runs.get(node) ?? []);
};
