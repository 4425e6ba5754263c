import { isSecretSchema, SECRET_MASK } from '../settings/secret.js';
import { getParameterNames } from '../util/function-parameters.js';
import type { Flow } from './flow-graph.js';
import { FunctionalNode } from './functional-node.js';
import { collectNodes, type GraphNode } from './node.js';
import { Parameter } from './parameter.js';
import { orderNodes } from './schedule.js';

// `flow graph`: a static flow drawn as text, Mermaid or Graphviz dot, with
// Parameters and tasks as nodes and the argument each edge feeds as its label.

export type GraphFormat = 'text' | 'mermaid' | 'dot';

export const GRAPH_FORMATS: readonly GraphFormat[] = ['text', 'mermaid', 'dot'];

const contains = (value: unknown, node: GraphNode): boolean => collectNodes(value).includes(node);

// The argument of `downstream` that receives `upstream`'s result, if any.
const edgeLabel = (flow: Flow, upstream: GraphNode, downstream: GraphNode, key: string | undefined): string | undefined => {
  if (key !== undefined) {
    return key;
  }
  if (downstream instanceof FunctionalNode) {
    const index = downstream.args.findIndex((arg) => contains(arg, upstream));
    return index === -1 ? undefined : getParameterNames(downstream.task.fn)[index] || `argument ${index + 1}`;
  }
  const bound = flow.boundArguments.get(downstream) ?? {};
  return Object.keys(bound).find((name) => contains(bound[name], upstream));
};

interface DrawnEdge {
  readonly from: number;
  readonly to: number;
  readonly label: string | undefined;
}

const layout = (flow: Flow): { nodes: GraphNode[]; edges: DrawnEdge[] } => {
  const nodes = orderNodes(flow);
  const index = (node: GraphNode): number => nodes.indexOf(node) + 1;
  const edges = flow.edges.map((edge) => ({
    from: index(edge.upstream),
    to: index(edge.downstream),
    label: edgeLabel(flow, edge.upstream, edge.downstream, edge.key),
  }));
  return { nodes, edges };
};

// A Parameter as the text drawing names it: required, or its default (a secret's masked).
const describeParameter = (node: Parameter): string =>
  `Parameter${node.required ? ', required' : `, default ${isSecretSchema(node.schema) ? SECRET_MASK : JSON.stringify(node.default)}`}`;

const quote = (text: string): string => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export const renderGraph = (flow: Flow, format: GraphFormat): string => {
  const { nodes, edges } = layout(flow);
  switch (format) {
    case 'text': {
      const lines = [`Flow '${flow.name}': ${nodes.length} nodes, ${edges.length} edges`];
      nodes.forEach((node, position) => {
        const number = position + 1;
        const kind = node instanceof Parameter ? describeParameter(node) : 'task';
        const inputs = edges
          .filter((edge) => edge.to === number)
          .map((edge) => `[${edge.from}] ${nodes[edge.from - 1]?.name ?? '?'}${edge.label === undefined ? '' : ` as ${edge.label}`}`);
        lines.push(`  [${number}] ${node.name} (${kind})${inputs.length > 0 ? ` <- ${inputs.join(', ')}` : ''}`);
      });
      return lines.join('\n');
    }
    case 'mermaid': {
      const lines = ['flowchart TD'];
      nodes.forEach((node, position) => {
        const label = quote(node.name);
        lines.push(node instanceof Parameter ? `  n${position + 1}(["${label}"])` : `  n${position + 1}["${label}"]`);
      });
      for (const edge of edges) {
        lines.push(edge.label === undefined ? `  n${edge.from} --> n${edge.to}` : `  n${edge.from} -- "${quote(edge.label)}" --> n${edge.to}`);
      }
      return lines.join('\n');
    }
    case 'dot': {
      const lines = [`digraph "${quote(flow.name)}" {`, '  rankdir=TB;'];
      nodes.forEach((node, position) => {
        lines.push(`  n${position + 1} [label="${quote(node.name)}", shape=${node instanceof Parameter ? 'ellipse' : 'box'}];`);
      });
      for (const edge of edges) {
        lines.push(`  n${edge.from} -> n${edge.to}${edge.label === undefined ? '' : ` [label="${quote(edge.label)}"]`};`);
      }
      lines.push('}');
      return lines.join('\n');
    }
  }
};
