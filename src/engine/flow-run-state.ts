import { LOG_LEVELS } from '../logging/levels.js';
import { hasRunEnded, type State } from '../states/state.js';
import type { FlowRunContext } from './context.js';
import { flowRunSource } from './run-log.js';
import type { FlowRun } from './runs.js';
import type { Runtime } from './runtime.js';

/** Every change of a flow run's state goes through here, so that every sink hears of it. */
export const setFlowRunState = (runtime: Runtime, flowRun: FlowRun, state: State): void => {
  const previous = flowRun.state;
  flowRun.state = state;
  runtime.reporter.flowRunStateChanged?.(flowRun, state, previous);
};

// Sets a flow run's final state and prints `Finished in state ...` (ERROR
// unless it completed). A run already final (cancelled by a signal while its
// body was still going, or while it waited for a retry) keeps its first final state.
export const finishFlowRun = (context: FlowRunContext, state: State): State => {
  const { flowRun, runtime } = context;
  if (hasRunEnded(flowRun.state)) {
    return flowRun.state;
  }
  setFlowRunState(runtime, flowRun, state);
  const level = state.type === 'COMPLETED' ? LOG_LEVELS.INFO : LOG_LEVELS.ERROR;
  if (level >= runtime.reporter.level) {
    runtime.reporter.log({ kind: 'finished', time: runtime.now(), level, source: flowRunSource(flowRun), state });
  }
  return state;
};
