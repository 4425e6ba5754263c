import { randomUUID } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { replaceFutures } from '../futures/resolve.js';
import { createLogger } from './loggers.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOG_LEVELS } from '../logging/levels.js';
import type { LogRecord, LogSource } from '../logging/records.js';
import type { RunnerName } from '../runners/names.js';
import type { TaskRunner } from '../runners/task-runner.js';
import { flowErrorToFailedState } from '../states/from-outcome.js';
import { AwaitingRetry, Cancelled, hasRunEnded, Pending, Retrying, Running, TimedOut, type State } from '../states/state.js';
import type { FlowOptions } from '../flows/options.js';
import { runHooks } from './hooks.js';
import { finishTaskRun } from './task-engine.js';
import { createRunController, describeAbortReason, followAbort, raceAbort, RunAbortError, RunTimeoutError } from './timeout.js';
import { registerActiveFlowRun, unregisterActiveFlowRun } from './cancellation.js';
import type { EarlierAttempt } from './earlier-attempt.js';
import { ConcurrencyLimits } from './concurrency-limits.js';
import { LiveTaskRuns } from './live-task-runs.js';
import { getEndedState, getFlowRunContext, runInContext, type ChildRun, type FlowRunContext } from './context.js';
import { returnValueToState } from './final-state.js';
import { finishFlowRun, setFlowRunState } from './flow-run-state.js';
import { flowRunSource, logMessage } from './run-log.js';
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

/** How a flow run is set up: its runner is chosen by whoever starts it (runners/choose-runner.ts). */
export interface FlowRunSetup {
  readonly runner: TaskRunner;
  readonly runtime?: Runtime;
  /** Where cached and persisted results are kept. @default '.flow' in the working directory; a subflow uses its parent's */
  readonly storeDir?: string;
  /** Tag concurrency limits (the config file's concurrencyLimits); a subflow shares its parent's. */
  readonly concurrencyLimits?: Readonly<Record<string, number>>;
  /** Keep the results of task runs for a later retry (the run history is on); a subflow follows its parent. */
  readonly keepResults?: boolean;
  /** `flow runs retry`: the earlier attempt this run is the next of (same id and name). */
  readonly earlier?: EarlierAttempt;
  /**
   * `--timeout`: a deadline of the whole run (its flow's timeoutSeconds
   * bounds each try). At it the run ends TimedOut and its live task runs
   * Cancelled, as at a try's own deadline. A subflow run follows its parent.
   */
  readonly deadlineSeconds?: number | undefined;
}

export interface FlowRunOutcome {
  readonly flowRun: FlowRun;
  readonly state: State;
}

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

type InfoRecord = LogRecord extends infer R ? (R extends LogRecord ? Omit<R, 'time' | 'level' | 'source'> : never) : never;

const log = (runtime: Runtime, source: LogSource, record: InfoRecord): void => {
  if (LOG_LEVELS.INFO >= runtime.reporter.level) {
    runtime.reporter.log({ ...record, time: runtime.now(), level: LOG_LEVELS.INFO, source });
  }
};

const DEFAULT_STORE_DIR = '.flow';

// A retried run's subflow runs are the earlier attempt's, matched by flow
// and order: the second run of 'load' in this attempt is the second of the last.
const findEarlierSubflowRun = (parent: FlowRunContext, flowName: string): EarlierAttempt | undefined => {
  const ordinal = parent.subflowRunCounts.get(flowName) ?? 0;
  parent.subflowRunCounts.set(flowName, ordinal + 1);
  return parent.earlier?.subflowRun(flowName, ordinal);
};


// One try of the flow's function and every run it starts, to the state they
// decide. It runs in a context of its own whose signal is aborted when the
// try is over: past the flow's timeoutSeconds (TimedOut), when the run is
// stopped from outside (Cancelled: a termination signal, its parent
// stopped), and at its end. A stopped try ends its live task runs
// Cancelled and waits only for its subflow runs, which stop with it; what
// its code does later is discarded. A run that is retried counts only this
// try's children.
const attemptFlow = async (
  flow: RunnableFlow,
  run: FlowRunContext,
  parameters: Readonly<Record<string, unknown>>,
  deadline: RunTimeoutError | undefined,
): Promise<State> => {
  const { runtime } = run;
  const source = flowRunSource(run.flowRun);
  const controller = createRunController();
  const stopFollowing = followAbort(run.signal, controller);
  const context: FlowRunContext = {
    ...run,
    signal: controller.signal,
    logger: createLogger(runtime, source, () => controller.signal.aborted),
  };
  const firstChild = context.children.length;
  const attempt = async (): Promise<State> => {
    try {
      const returned = await runInContext(context, () => (flow.fn as (parameters: unknown) => unknown)(parameters));
      await drainChildren(context.children);
      const state = await returnValueToState(returned, context.children.slice(firstChild));
      return state.type === 'COMPLETED' && state.data !== undefined ? { ...state, data: replaceFutures(state.data) } : state;
    } catch (error) {
      // What the flow's code throws after its try was stopped (awaiting a
      // cancelled run, say) is late: DEBUG at most.
      const level = controller.signal.aborted ? LOG_LEVELS.DEBUG : LOG_LEVELS.ERROR;
      if (level >= runtime.reporter.level) {
        runtime.reporter.log({ kind: 'exception', time: runtime.now(), level, source, error });
      }
      await drainChildren(context.children);
      return flowErrorToFailedState(error);
    }
  };
  const seconds = flow.options.timeoutSeconds;
  try {
    const raced = await raceAbort(controller, seconds, () => new RunTimeoutError('Flow', seconds ?? 0), attempt);
    if (raced.kind === 'settled') {
      return raced.value;
    }
    const message = describeAbortReason(raced.reason);
    // The run's own deadline (--timeout) reaches this try as an abort from
    // outside; a subflow run stopped by it is Cancelled, as by its parent's timeout.
    const timedOut = raced.kind === 'timed-out' || (deadline !== undefined && raced.reason === deadline);
    if (timedOut) {
      logMessage(runtime, source, LOG_LEVELS.ERROR, message);
    }
    for (const live of context.liveTaskRuns.list()) {
      finishTaskRun(context, live, Cancelled({ message, timestamp: runtime.now() }));
    }
    await drainChildren(context.children);
    return timedOut ? TimedOut({ message, timestamp: runtime.now() }) : Cancelled({ message, timestamp: runtime.now() });
  } finally {
    stopFollowing();
    controller.abort(new RunAbortError(`This try of flow run '${run.flowRun.name}' is over.`));
  }
};

const hooksFor = (flow: RunnableFlow, state: State): FlowOptions<unknown>['onCompletion'] => {
  switch (state.type) {
    case 'COMPLETED':
      return flow.options.onCompletion;
    case 'FAILED':
      return flow.options.onFailure;
    case 'CANCELLED':
      return flow.options.onCancellation;
    default:
      return undefined;
  }
};

/**
 * Runs one flow run to its final state and returns it; never throws for what
 * the flow's code does. Inside another flow run it is a subflow run.
 */
export const runFlow = async (
  flow: RunnableFlow,
  parameters: Readonly<Record<string, unknown>>,
  options: FlowRunSetup,
): Promise<FlowRunOutcome> => {
  const parent = getFlowRunContext();
  const runtime = options.runtime ?? parent?.runtime ?? getRuntime();
  const earlier = parent === undefined ? options.earlier : findEarlierSubflowRun(parent, flow.name);
  const flowRun: FlowRun = {
    id: earlier?.flowRunId ?? randomUUID(),
    name:
      earlier?.name ??
      (flow.flowRunName === undefined
        ? generateFlowRunName(runtime.random)
        : renderNameTemplate(flow.flowRunName, parameters, `flow '${flow.name}' option flowRunName`)),
    flowName: flow.name,
    parentId: parent?.flowRun.id,
    parameters,
    parametersSchema: flow.options.params,
    runnerName: options.runner.name,
    runCount: earlier === undefined ? 1 : earlier.runCount + 1,
    state: Pending({ timestamp: runtime.now() }),
  };
  runtime.reporter.flowRunStateChanged?.(flowRun, flowRun.state, undefined);
  let settleAsChild: (state: State) => void = () => undefined;
  const finalAsChild = new Promise<State>((resolve) => (settleAsChild = resolve));
  parent?.children.push({ wait: () => finalAsChild, get state() { return flowRun.state; } });
  const createdBy: LogSource =
    parent === undefined ? { kind: 'logger', name: 'flowrun.engine' } : flowRunSource(parent.flowRun);
  log(runtime, createdBy, { kind: 'flow-run-created', flowRunId: flowRun.id, flowRunName: flowRun.name, flowName: flow.name, subflow: parent !== undefined });

  const { runner } = options;
  const source = flowRunSource(flowRun);
  // Aborted when the run is stopped from outside (a termination signal, its
  // parent's try stopped) and at its end; each try's signal follows it.
  const controller = createRunController();
  const stopFollowingParent = parent === undefined ? () => undefined : followAbort(parent.signal, controller);
  const context: FlowRunContext = {
    kind: 'flow',
    flowRun,
    runtime,
    runner,
    logger: createLogger(runtime, source, () => hasRunEnded(flowRun.state)),
    logPrints: flow.logPrints ?? parent?.logPrints ?? false,
    parent,
    taskRunCounts: new Map(),
    subflowRunCounts: new Map(),
    keepsResults: parent?.keepsResults ?? options.keepResults ?? false,
    earlier,
    children: [],
    liveTaskRuns: new LiveTaskRuns(),
    storeDir: parent?.storeDir ?? resolvePath(options.storeDir ?? DEFAULT_STORE_DIR),
    concurrencyLimits:
      parent?.concurrencyLimits ??
      (options.concurrencyLimits !== undefined && Object.keys(options.concurrencyLimits).length > 0
        ? (runner.tagLimits?.(options.concurrencyLimits) ?? new ConcurrencyLimits(options.concurrencyLimits))
        : undefined),
    signal: controller.signal,
  };
  if (context.logPrints) {
    installPrintCapture();
  }
  registerActiveFlowRun(context, { onCancellation: flow.options.onCancellation, abort: (reason) => controller.abort(reason) });
  const { deadlineSeconds } = options;
  const deadline = parent === undefined && deadlineSeconds !== undefined ? new RunTimeoutError('Flow', deadlineSeconds) : undefined;
  const deadlineTimer = deadline === undefined ? undefined : setTimeout(() => controller.abort(deadline), (deadlineSeconds ?? 0) * 1000);
  try {
    await runner.start(controller.signal);
    log(runtime, source, { kind: 'runner-started', runnerName: runner.name, concurrency: runner.concurrency });
    if (runner.startDetail !== undefined) {
      logMessage(runtime, source, LOG_LEVELS.INFO, runner.startDetail);
    }
    const retries = flow.options.retries ?? 0;
    let state: State;
    for (let retry = 0; ; retry += 1) {
      setFlowRunState(runtime, flowRun, retry === 0 ? Running({ timestamp: runtime.now() }) : Retrying({ timestamp: runtime.now() }));
      state = await attemptFlow(flow, context, parameters, deadline);
      if (state.type !== 'FAILED' || retry >= retries || controller.signal.aborted) {
        break;
      }
      // Prefect's words for a flow retry.
      logMessage(runtime, source, LOG_LEVELS.INFO, "Received non-final state 'AwaitingRetry' when proposing final state 'Failed' and will attempt to run again...");
      setFlowRunState(runtime, flowRun, AwaitingRetry({ timestamp: runtime.now() }));
      const delay = flow.options.retryDelaySeconds ?? 0;
      if (delay > 0) {
        await sleep(delay * 1000, undefined, { signal: controller.signal }).catch(() => undefined);
      }
    }
    // A run ended from outside (a termination signal) has had its last line
    // and its hooks from whoever ended it.
    if (hasRunEnded(flowRun.state)) {
      return { flowRun, state: flowRun.state };
    }
    const hooks = hooksFor(flow, state);
    if (hooks !== undefined) {
      await runHooks(runtime, source, hooks, flowRun, state);
    }
    // The runner stops before the last line, so that nothing of its (a
    // worker's output) comes after it.
    await runner.shutdown();
    return { flowRun, state: finishFlowRun(context, state) };
  } finally {
    clearTimeout(deadlineTimer);
    unregisterActiveFlowRun(context);
    stopFollowingParent();
    controller.abort(new RunAbortError(`Flow run '${flowRun.name}' has ended.`));
    await runner.shutdown();
    settleAsChild(flowRun.state);
  }
};
