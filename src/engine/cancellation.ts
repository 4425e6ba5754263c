import { signalToCancelledState, type TerminationSignal } from '../states/from-outcome.js';
import { getGlobalSingleton } from '../util/global-singleton.js';
import type { FlowRunContext } from './context.js';
import { finishFlowRun } from './flow-run-state.js';
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

// Ends every live task run, then every flow run (innermost first),
// `Cancelled('Execution was aborted by an interrupt signal.')`. Returns how
// many runs it cancelled.
export const cancelActiveRuns = (signal: TerminationSignal): number => {
  let cancelled = 0;
  for (const context of [...activeFlowRuns].reverse()) {
    for (const run of [...context.liveTaskRuns]) {
      finishTaskRun(context, run, signalToCancelledState(signal));
      cancelled += 1;
    }
    finishFlowRun(context, signalToCancelledState(signal));
    activeFlowRuns.delete(context);
    cancelled += 1;
  }
  return cancelled;
};
