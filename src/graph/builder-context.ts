import { getGlobalSingleton } from '../util/global-singleton.js';
import type { Flow } from './flow-graph.js';

// The Flow whose builder function is running: inside it, calling a task()
// adds a node to that flow instead of running the task.
const holder = getGlobalSingleton('graph-builder', () => ({ current: undefined as Flow | undefined }));

export const getBuildingFlow = (): Flow | undefined => holder.current;

export const buildWith = (flow: Flow, builder: () => void): void => {
  const previous = holder.current;
  holder.current = flow;
  try {
    builder();
  } finally {
    holder.current = previous;
  }
};

// Set by the graph module: what calling a task inside a builder does (adds a
// node). Kept here so that tasks/ need not import graph/.
const handlers = getGlobalSingleton('graph-builder-call', () => ({
  call: undefined as ((flow: Flow, task: unknown, args: readonly unknown[], mapped: boolean) => unknown) | undefined,
}));

export const setBuilderCallHandler = (handler: (flow: Flow, task: unknown, args: readonly unknown[], mapped: boolean) => unknown): void => {
  handlers.call = handler;
};

export const callInBuilder = (flow: Flow, task: unknown, args: readonly unknown[], mapped = false): unknown => {
  if (handlers.call === undefined) {
    throw new Error('flowrun: the graph API is not initialised');
  }
  return handlers.call(flow, task, args, mapped);
};
