import { LOG_LEVELS } from '../logging/levels.js';
import { signalToCancelledState, type TerminationSignal } from '../states/from-outcome.js';
import { Crashed, type State } from '../states/state.js';
import { getGlobalSingleton } from '../util/global-singleton.js';
import type { FlowRunContext } from './context.js';
import type { FlowOptions } from '../flows/options.js';
import { finishFlowRun } from './flow-run-state.js';
import { runHooks } from './hooks.js';
import { flowRunSource, logMessage, logTaskRun } from './run-log.js';
import type { TaskRun } from './runs.js';
import { finishTaskRun } from './task-engine.js';
import { RunAbortError } from './timeout.js';

// The flow runs in progress in this process, outermost first, so that a
// signal can mark every live run Cancelled before the CLI exits, abort their
// signals (which ends what listens: shell commands, worker threads, code
// that honours getRunContext().signal), and run their onCancellation hooks.

export interface ActiveFlowRun {
  readonly onCancellation: FlowOptions<unknown>['onCancellation'];
  /** Aborts the run's signal, and with it the signals of its tries and task runs. */
  readonly abort: (reason: Error) => void;
}

const activeFlowRuns = getGlobalSingleton('active-flow-runs', () => new Map<FlowRunContext, ActiveFlowRun>());

export const registerActiveFlowRun = (context: FlowRunContext, run: ActiveFlowRun): void => {
  activeFlowRuns.set(context, run);
};

export const unregisterActiveFlowRun = (context: FlowRunContext): void => {
  activeFlowRuns.delete(context);
};

// Ends every live task run, then every flow run (innermost first), in the
// state `makeState` gives, and aborts their signals once their states are
// set (so that what listens sees the runs ended). Returns how many runs it ended.
const endActiveRuns = (makeState: () => State, onTaskRun?: (context: FlowRunContext, run: TaskRun) => void): number => {
  let ended = 0;
  for (const [context, active] of [...activeFlowRuns.entries()].reverse()) {
    for (const run of context.liveTaskRuns.list()) {
      onTaskRun?.(context, run);
      finishTaskRun(context, run, makeState());
      ended += 1;
    }
    const state = finishFlowRun(context, makeState());
    activeFlowRuns.delete(context);
    active.abort(new RunAbortError(state.message ?? 'The run was cancelled.'));
    ended += 1;
  }
  return ended;
};

// A signal: every live run ends `Cancelled('Execution was aborted by an interrupt signal.')`.
export const cancelActiveRuns = (signal: TerminationSignal): number => endActiveRuns(() => signalToCancelledState(signal));

/** The onCancellation hooks that a signal set going, and where they are. */
export interface CancellationHooks {
  /** Resolves when every hook has returned. */
  readonly done: Promise<void>;
  /** Logs, under its flow run, the hook still running when the CLI stops waiting, if one is. */
  readonly reportCutOff: (graceSeconds: number) => void;
}

/**
 * A signal: every live run ends Cancelled, then the onCancellation hooks of
 * the flow runs that have them run (innermost first). The CLI waits for them
 * a little, not forever, and says which one it cut off.
 */
export const cancelActiveRunsWithHooks = (signal: TerminationSignal): CancellationHooks => {
  const hooked = [...activeFlowRuns.entries()].reverse().filter(([, active]) => active.onCancellation !== undefined);
  cancelActiveRuns(signal);
  let running: { readonly context: FlowRunContext; readonly hook: string } | undefined;
  const done = (async () => {
    for (const [context, active] of hooked) {
      const source = flowRunSource(context.flowRun);
      await runHooks(context.runtime, source, active.onCancellation, context.flowRun, context.flowRun.state, (hook) => {
        running = hook === undefined ? undefined : { context, hook };
      });
    }
    running = undefined;
  })();
  return {
    done,
    reportCutOff: (graceSeconds) => {
      if (running !== undefined) {
        const { context, hook } = running;
        logMessage(
          context.runtime,
          flowRunSource(context.flowRun),
          LOG_LEVELS.WARNING,
          `Hook '${hook}' did not finish within the ${graceSeconds} second(s) given to onCancellation hooks after a signal, and was cut off.`,
        );
      }
    },
  };
};

// The process is exiting under the runs (process.exit() in task code): every
// live run ends Crashed with the reason, so the log says what happened.
export const crashActiveRuns = (reason: string): number =>
  endActiveRuns(
    () => Crashed({ message: reason }),
    (context, run) => logTaskRun(context, run, LOG_LEVELS.ERROR, `Crash detected! ${reason}`),
  );
