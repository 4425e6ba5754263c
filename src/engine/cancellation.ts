import { LOG_LEVELS } from '../logging/levels.js';
import { signalToCancelledState, type TerminationSignal } from '../states/from-outcome.js';
import { Crashed, type State } from '../states/state.js';
import { getGlobalSingleton } from '../util/global-singleton.js';
import type { FlowRunContext } from './context.js';
import type { FlowOptions } from '../flows/options.js';
import { finishFlowRun } from './flow-run-state.js';
import { runHooks } from './hooks.js';
import { logTaskRun } from './run-log.js';
import type { TaskRun } from './runs.js';
import { finishTaskRun } from './task-engine.js';

// The flow runs in progress in this process, outermost first, so that a
// signal can mark every live run Cancelled before the CLI exits, with the
// onCancellation hooks of each.
const activeFlowRuns = getGlobalSingleton('active-flow-runs', () => new Map<FlowRunContext, FlowHooks | undefined>());

type FlowHooks = FlowOptions<unknown>['onCancellation'];

export const registerActiveFlowRun = (context: FlowRunContext, onCancellation?: FlowHooks): void => {
  activeFlowRuns.set(context, onCancellation);
};

export const unregisterActiveFlowRun = (context: FlowRunContext): void => {
  activeFlowRuns.delete(context);
};

// Ends every live task run, then every flow run (innermost first), in the
// state `makeState` gives. Returns how many runs it ended.
const endActiveRuns = (makeState: () => State, onTaskRun?: (context: FlowRunContext, run: TaskRun) => void): number => {
  let ended = 0;
  for (const context of [...activeFlowRuns.keys()].reverse()) {
    for (const run of context.liveTaskRuns.list()) {
      onTaskRun?.(context, run);
      finishTaskRun(context, run, makeState());
      ended += 1;
    }
    finishFlowRun(context, makeState());
    activeFlowRuns.delete(context);
    ended += 1;
  }
  return ended;
};

// A signal: every live run ends `Cancelled('Execution was aborted by an interrupt signal.')`.
export const cancelActiveRuns = (signal: TerminationSignal): number => endActiveRuns(() => signalToCancelledState(signal));

/**
 * A signal: every live run ends Cancelled, then the onCancellation hooks of
 * the flow runs that have them run (innermost first). Resolves when they are
 * done; the CLI waits for them a little, not forever.
 */
export const cancelActiveRunsWithHooks = async (signal: TerminationSignal): Promise<void> => {
  const hooked = [...activeFlowRuns.entries()].reverse().filter(([, hooks]) => hooks !== undefined);
  cancelActiveRuns(signal);
  for (const [context, hooks] of hooked) {
    await runHooks(context.runtime, { kind: 'flow-run', name: context.flowRun.name }, hooks, context.flowRun, context.flowRun.state);
  }
};

// The process is exiting under the runs (process.exit() in task code): every
// live run ends Crashed with the reason, so the log says what happened.
export const crashActiveRuns = (reason: string): number =>
  endActiveRuns(
    () => Crashed({ message: reason }),
    (context, run) => logTaskRun(context, run, LOG_LEVELS.ERROR, `Crash detected! ${reason}`),
  );
