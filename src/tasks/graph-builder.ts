import { getGlobalSingleton } from '../util/global-singleton.js';

// While a Prefect 1 Flow's builder function runs, calling a task() adds a
// node to the graph being built instead of running the task. The graph
// (graph/flow-graph.ts) is the builder; task() knows it only by this
// interface, so tasks/ needs nothing of graph/, which is built on it.

export interface GraphBuilder {
  /** Adds a node for a call of `task` with `args` (`mapped`: made by .map()) and returns it. */
  addCall(task: unknown, args: readonly unknown[], mapped: boolean): unknown;
}

// One for the whole process, shared by every copy of flowrun (see global-singleton).
const holder = getGlobalSingleton('graph-builder', () => ({ current: undefined as GraphBuilder | undefined }));

/** The graph whose builder function is running, if one is. */
export const getBuildingGraph = (): GraphBuilder | undefined => holder.current;

export const buildWith = (builder: GraphBuilder, build: () => void): void => {
  const previous = holder.current;
  holder.current = builder;
  try {
    build();
  } finally {
    holder.current = previous;
  }
};
