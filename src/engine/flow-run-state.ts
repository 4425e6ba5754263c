import { LOG_LEVELS } from '../logging/levels.js';
import { hasRunEnded, type State } from '../states/state.js';
import type { FlowRunContext } from './context.js';

// Sets a flow run's final state and prints `Finished in state ...` (ERROR
// unless it completed). A run already final (cancelled by a signal while its
// body was still going, or while it waited for a retry) keeps its first final state.
export const finishFlowRun = (context: FlowRunContext, state: State): State => {
  const { flowRun, runtime } = context;
  if (hasRunEnded(flowRun.state)) {
    return flowRun.state;
  }
  flowRun.state = state;
  const level = state.type === 'COMPLETED' ? LOG_LEVELS.INFO : LOG_LEVELS.ERROR;
  if (level >= runtime.reporter.level) {
    runtime.reporter.log({ kind: 'finished', time: runtime.now(), level, source: { kind: 'flow-run', name: flowRun.name }, state });
  }
  return state;
};
