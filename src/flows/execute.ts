import { getFlowRunContext } from '../engine/context.js';
import { runFlow, type FlowRunOutcome, type RunnableFlow } from '../engine/flow-engine.js';
import type { Runtime } from '../engine/runtime.js';
import type { EarlierAttempt } from '../engine/earlier-attempt.js';
import { chooseRunner } from '../runners/choose-runner.js';
import type { RunnerName } from '../runners/names.js';
import type { TaskRunner } from '../runners/task-runner.js';

export interface RunFlowOptions {
  /** Overrides the flow's own taskRunner (the CLI passes the runner it chose from the settings). */
  readonly runner?: RunnerName | TaskRunner | undefined;
  /** Where the runner came from, for the error if it names no runner. */
  readonly runnerSource?: string;
  readonly runtime?: Runtime;
  /** Where cached and persisted results are kept. @default '.flow' in the working directory; a subflow uses its parent's */
  readonly storeDir?: string;
  /** Tag concurrency limits (the config file's concurrencyLimits); a subflow shares its parent's. */
  readonly concurrencyLimits?: Readonly<Record<string, number>>;
  /** Keep task runs' results for `flow runs retry` (the run history is on). */
  readonly keepResults?: boolean;
  /** `flow runs retry`: the earlier attempt this run is the next of. */
  readonly earlier?: EarlierAttempt;
  /** `--timeout`: the whole run, every try of it, ends TimedOut after this many seconds. */
  readonly deadlineSeconds?: number | undefined;
}

/**
 * Runs a flow run of `flow` (a subflow run inside another flow run) on the
 * runner chosen for it, and gives the run and its final state.
 */
export const executeFlow = (flow: RunnableFlow, parameters: Readonly<Record<string, unknown>>, options: RunFlowOptions = {}): Promise<FlowRunOutcome> => {
  const runner = chooseRunner({
    override: options.runner === undefined ? undefined : { runner: options.runner, source: options.runnerSource ?? 'the runner option of the run' },
    flowRunner: flow.taskRunner,
    flowName: flow.name,
    parentRunner: getFlowRunContext()?.runner,
  });
  return runFlow(flow, parameters, { ...options, runner });
};
