import { randomUUID } from 'node:crypto';
import { replaceFutures } from '../futures/resolve.js';
import { createLogger } from '../logging/logger.js';
import { LOG_LEVELS } from '../logging/levels.js';
import type { LogSource } from '../logging/records.js';
import { resolveRunner } from '../runners/resolve-runner.js';
import type { RunnerName, TaskRunner } from '../runners/task-runner.js';
import { flowErrorToFailedState } from '../states/from-outcome.js';
import { Pending, Running, type State } from '../states/state.js';
import { registerActiveFlowRun, unregisterActiveFlowRun } from './cancellation.js';
import { getFlowRunContext, runInContext, type ChildRun, type FlowRunContext } from './context.js';
import { returnValueToState } from './final-state.js';
import { finishFlowRun } from './flow-run-state.js';
import { renderNameTemplate } from './name-template.js';
import { installPrintCapture } from './print-capture.js';
import { generateFlowRunName } from './run-names.js';
import type { FlowRun } from './runs.js';
import { warnUnsupportedFlowOptions } from './unsupported-options.js';
import { getRuntime, type Runtime } from './runtime.js';

// How a flow run goes, in this order (the order is the contract of LOGS.md):
// created -> runner started -> Running -> the user's function -> every child
// run final (even futures never awaited) -> final state -> runner shut down.

/** What the engine needs of a flow definition. */
export interface RunnableFlow {
  readonly name: string;
  readonly fn: (parameters: never) => unknown;
  readonly taskRunner: RunnerName | TaskRunner | undefined;
  readonly logPrints: boolean | undefined;
  readonly flowRunName: string | ((parameters: Readonly<Record<string, unknown>>) => string) | undefined;
  /** All the options the flow was defined with. */
  readonly options: object;
}

export interface RunFlowOptions {
  /** Overrides the flow's own taskRunner (the CLI passes the resolved setting). */
  readonly runner?: RunnerName | TaskRunner | undefined;
  /** Where the runner setting came from, for the error if it names no runner. */
  readonly runnerSource?: string;
  readonly runtime?: Runtime;
}

export interface FlowRunOutcome {
  readonly flowRun: FlowRun;
  readonly state: State;
}

const chooseRunner = (flow: RunnableFlow, options: RunFlowOptions, parent: FlowRunContext | undefined): TaskRunner => {
  if (options.runner !== undefined) {
    return resolveRunner(options.runner, options.runnerSource);
  }
  if (flow.taskRunner !== undefined) {
    return resolveRunner(flow.taskRunner, `the taskRunner option of flow '${flow.name}'`);
  }
  // A subflow runs on a runner of its parent's kind unless it names its own.
  return parent === undefined ? resolveRunner('concurrent') : parent.runner.duplicate();
};

// Waits until every child run is final, including runs that children
// submitted while we waited.
const drainChildren = async (children: readonly ChildRun[]): Promise<void> => {
  let waited = 0;
  while (waited < children.length) {
    const batch = children.slice(waited);
    waited = children.length;
    await Promise.all(batch.map((child) => child.wait()));
  }
};

const log = (runtime: Runtime, source: LogSource, record: Record<string, unknown> & { kind: string }): void => {
  if (LOG_LEVELS.INFO >= runtime.reporter.level) {
    runtime.reporter.log({ ...record, time: runtime.now(), level: LOG_LEVELS.INFO, source } as never);
  }
};

/**
 * Runs one flow run to its final state and returns it; never throws for what
 * the flow's code does. Inside another flow run it is a subflow run.
 */
export const runFlow = async (
  flow: RunnableFlow,
  parameters: Readonly<Record<string, unknown>>,
  options: RunFlowOptions = {},
): Promise<FlowRunOutcome> => {
  const parent = getFlowRunContext();
  const runtime = options.runtime ?? parent?.runtime ?? getRuntime();
  const flowRun: FlowRun = {
    id: randomUUID(),
    name:
      flow.flowRunName === undefined
        ? generateFlowRunName(runtime.random)
        : renderNameTemplate(flow.flowRunName, parameters, `flow '${flow.name}' option flowRunName`),
    flowName: flow.name,
    parameters,
    state: Pending({ timestamp: runtime.now() }),
  };
  let settleAsChild: (state: State) => void = () => undefined;
  const finalAsChild = new Promise<State>((resolve) => (settleAsChild = resolve));
  parent?.children.push({ wait: () => finalAsChild });
  const createdBy: LogSource =
    parent === undefined ? { kind: 'logger', name: 'flowrun.engine' } : { kind: 'flow-run', name: parent.flowRun.name };
  log(runtime, createdBy, { kind: 'flow-run-created', flowRunName: flowRun.name, flowName: flow.name, subflow: parent !== undefined });

  const runner = chooseRunner(flow, options, parent);
  const source: LogSource = { kind: 'flow-run', name: flowRun.name };
  const context: FlowRunContext = {
    kind: 'flow',
    flowRun,
    runtime,
    runner,
    logger: createLogger(runtime, source),
    logPrints: flow.logPrints ?? parent?.logPrints ?? false,
    parent,
    taskRunCounts: new Map(),
    children: [],
    liveTaskRuns: new Set(),
  };
  if (context.logPrints) {
    installPrintCapture();
  }
  registerActiveFlowRun(context);
  try {
    await runner.start();
    log(runtime, source, { kind: 'runner-started', runnerName: runner.name, concurrency: runner.concurrency });
    warnUnsupportedFlowOptions(context, flow.name, flow.options);
    flowRun.state = Running({ timestamp: runtime.now() });
    let state: State;
    try {
      const returned = await runInContext(context, () => (flow.fn as (parameters: unknown) => unknown)(parameters));
      await drainChildren(context.children);
      state = await returnValueToState(returned, context.children);
      if (state.type === 'COMPLETED' && state.data !== undefined) {
        state = { ...state, data: replaceFutures(state.data) };
      }
    } catch (error) {
      if (LOG_LEVELS.ERROR >= runtime.reporter.level) {
        runtime.reporter.log({ kind: 'exception', time: runtime.now(), level: LOG_LEVELS.ERROR, source, error });
      }
      await drainChildren(context.children);
      state = flowErrorToFailedState(error);
    }
    return { flowRun, state: finishFlowRun(context, state) };
  } finally {
    unregisterActiveFlowRun(context);
    await runner.shutdown();
    settleAsChild(flowRun.state);
  }
};
