import { randomUUID } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { replaceFutures } from '../futures/resolve.js';
import { createLogger } from '../logging/logger.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOG_LEVELS } from '../logging/levels.js';
import type { LogSource } from '../logging/records.js';
import { resolveRunner } from '../runners/resolve-runner.js';
import type { RunnerName, TaskRunner } from '../runners/task-runner.js';
import { flowErrorToFailedState } from '../states/from-outcome.js';
import { AwaitingRetry, Cancelled, Pending, Retrying, Running, TimedOut, type State } from '../states/state.js';
import type { FlowOptions } from '../flows/options.js';
import { runHooks } from './hooks.js';
import { finishTaskRun } from './task-engine.js';
import { raceTimeout } from './timeout.js';
import { registerActiveFlowRun, unregisterActiveFlowRun } from './cancellation.js';
import { ConcurrencyLimits } from './concurrency-limits.js';
import { LiveTaskRuns } from './live-task-runs.js';
import { getEndedState, getFlowRunContext, runInContext, type ChildRun, type FlowRunContext } from './context.js';
import { returnValueToState } from './final-state.js';
import { finishFlowRun } from './flow-run-state.js';
import { logMessage } from './run-log.js';
import { renderNameTemplate } from './name-template.js';
import { installPrintCapture } from './print-capture.js';
import { generateFlowRunName } from './run-names.js';
import type { FlowRun } from './runs.js';
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
  readonly options: FlowOptions<unknown>;
}

export interface RunFlowOptions {
  /** Overrides the flow's own taskRunner (the CLI passes the resolved setting). */
  readonly runner?: RunnerName | TaskRunner | undefined;
  /** Where the runner setting came from, for the error if it names no runner. */
  readonly runnerSource?: string;
  readonly runtime?: Runtime;
  /** Where cached and persisted results are kept. @default '.flow' in the working directory; a subflow uses its parent's */
  readonly storeDir?: string;
  /** Tag concurrency limits (the config file's concurrencyLimits); a subflow shares its parent's. */
  readonly concurrencyLimits?: Readonly<Record<string, number>>;
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
// submitted while we waited. Those already ended are not waited for.
const drainChildren = async (children: readonly ChildRun[]): Promise<void> => {
  let checked = 0;
  while (checked < children.length) {
    const open: Promise<State>[] = [];
    for (const end = children.length; checked < end; checked += 1) {
      const child = children[checked];
      if (child !== undefined && getEndedState(child) === undefined) {
        open.push(child.wait());
      }
    }
    if (open.length > 0) {
      await Promise.all(open);
    }
  }
};

const log = (runtime: Runtime, source: LogSource, record: Record<string, unknown> & { kind: string }): void => {
  if (LOG_LEVELS.INFO >= runtime.reporter.level) {
    runtime.reporter.log({ ...record, time: runtime.now(), level: LOG_LEVELS.INFO, source } as never);
  }
};

const DEFAULT_STORE_DIR = '.flow';


// One try of the flow's function and every run it starts, to the state they
// decide. Past the flow's timeoutSeconds it is TimedOut and its live task
// runs are Cancelled; a run that is retried counts only this try's children.
const attemptFlow = async (flow: RunnableFlow, context: FlowRunContext, parameters: Readonly<Record<string, unknown>>): Promise<State> => {
  const { runtime } = context;
  const source: LogSource = { kind: 'flow-run', name: context.flowRun.name };
  const firstChild = context.children.length;
  const attempt = async (): Promise<State> => {
    try {
      const returned = await runInContext(context, () => (flow.fn as (parameters: unknown) => unknown)(parameters));
      await drainChildren(context.children);
      const state = await returnValueToState(returned, context.children.slice(firstChild));
      return state.type === 'COMPLETED' && state.data !== undefined ? { ...state, data: replaceFutures(state.data) } : state;
    } catch (error) {
      if (LOG_LEVELS.ERROR >= runtime.reporter.level) {
        runtime.reporter.log({ kind: 'exception', time: runtime.now(), level: LOG_LEVELS.ERROR, source, error });
      }
      await drainChildren(context.children);
      return flowErrorToFailedState(error);
    }
  };
  const seconds = flow.options.timeoutSeconds;
  const raced = await raceTimeout(seconds, new AbortController(), attempt);
  if (!raced.timedOut) {
    return raced.value;
  }
  const message = `Flow run exceeded timeout of ${seconds ?? 0} second(s)`;
  logMessage(runtime, source, LOG_LEVELS.ERROR, message);
  for (const run of context.liveTaskRuns.list()) {
    finishTaskRun(context, run, Cancelled({ message, timestamp: runtime.now() }));
  }
  return TimedOut({ message, timestamp: runtime.now() });
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
    liveTaskRuns: new LiveTaskRuns(),
    storeDir: parent?.storeDir ?? resolvePath(options.storeDir ?? DEFAULT_STORE_DIR),
    concurrencyLimits:
      parent?.concurrencyLimits ??
      (options.concurrencyLimits !== undefined && Object.keys(options.concurrencyLimits).length > 0
        ? new ConcurrencyLimits(options.concurrencyLimits)
        : undefined),
  };
  if (context.logPrints) {
    installPrintCapture();
  }
  registerActiveFlowRun(context, flow.options.onCancellation);
  try {
    await runner.start();
    log(runtime, source, { kind: 'runner-started', runnerName: runner.name, concurrency: runner.concurrency });
    const retries = flow.options.retries ?? 0;
    let state: State;
    for (let retry = 0; ; retry += 1) {
      flowRun.state = retry === 0 ? Running({ timestamp: runtime.now() }) : Retrying({ timestamp: runtime.now() });
      state = await attemptFlow(flow, context, parameters);
      if (state.type !== 'FAILED' || retry >= retries) {
        break;
      }
      // Prefect's words for a flow retry.
      logMessage(runtime, source, LOG_LEVELS.INFO, "Received non-final state 'AwaitingRetry' when proposing final state 'Failed' and will attempt to run again...");
      flowRun.state = AwaitingRetry({ timestamp: runtime.now() });
      const delay = flow.options.retryDelaySeconds ?? 0;
      if (delay > 0) {
        await sleep(delay * 1000);
      }
    }
    const hooks =
      state.type === 'COMPLETED'
        ? flow.options.onCompletion
        : state.type === 'FAILED'
          ? flow.options.onFailure
          : state.type === 'CANCELLED'
            ? flow.options.onCancellation
            : undefined;
    if (hooks !== undefined) {
      await runHooks(runtime, source, hooks, flowRun, state);
    }
    return { flowRun, state: finishFlowRun(context, state) };
  } finally {
    unregisterActiveFlowRun(context);
    await runner.shutdown();
    settleAsChild(flowRun.state);
  }
};
