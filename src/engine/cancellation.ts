import { LOG_LEVELS } from '../logging/levels.js';
import { signalToCancelledState, type TerminationSignal } from '../states/from-outcome.js';
import { Crashed, type State } from '../states/state.js';
import { getGlobalSingleton } from '../util/global-singleton.js';
import type { FlowRunContext } from './context.js';
import { finishFlowRun } from './flow-run-state.js';
import { logTaskRun } from './run-log.js';
import type { TaskRun } from './runs.js';
import { finishTaskRun } from './task-engine.js';

// The flow runs in progress in this process, outermost first, so that a
// signal can mark every live run Cancelled before the CLI exits.
const activeFlowRuns = getGlobalSingleton('active-flow-runs', () => new Set<FlowRunContext>());

export const registerActiveFlowRun = (context: FlowRunContext): void => {
  activeFlowRuns.add(context);
};

export const unregisterActiveFlowRun = (context: FlowRunContext): void => {
  activeFlowRuns.delete(context);
};

// Ends every live task run, then every flow run (innermost first), in the
// state `makeState` gives. Returns how many runs it ended.
const endActiveRuns = (makeState: () => State, onTaskRun?: (context: FlowRunContext, run: TaskRun) => void): number => {
  let ended = 0;
  for (const context of [...activeFlowRuns].reverse()) {
    for (const run of [...context.liveTaskRuns]) {
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

// The process is exiting under the runs (process.exit() in task code): every
// live run ends Crashed with the reason, so the log says what happened.
export const crashActiveRuns = (reason: string): number =>
  endActiveRuns(
    () => Crashed({ message: reason }),
    (context, run) => logTaskRun(context, run, LOG_LEVELS.ERROR, `Crash detected! ${reason}`),
  );
