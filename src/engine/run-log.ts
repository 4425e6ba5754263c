import type { LogLevel } from '../logging/levels.js';
import type { LogSource } from '../logging/records.js';
import type { FlowRunContext } from './context.js';
import type { FlowRun, TaskRun, TaskRunInfo } from './runs.js';
import type { Runtime } from './runtime.js';

/** The source of a flow run's own lines (`Flow run 'x' - ...`). */
export const flowRunSource = (flowRun: Pick<FlowRun, 'id' | 'name'>): LogSource => ({ kind: 'flow-run', name: flowRun.name, id: flowRun.id });

/** The source of a task run's own lines (`Task run 'x' - ...`). */
export const taskRunSource = (run: Pick<TaskRunInfo, 'id' | 'name' | 'flowRunId'>): LogSource => ({
  kind: 'task-run',
  name: run.name,
  id: run.id,
  flowRunId: run.flowRunId,
});

// A message line under `source`, built only when its level is printed.
export const logMessage = (runtime: Runtime, source: LogSource, level: LogLevel, text: string): void => {
  if (level >= runtime.reporter.level) {
    runtime.reporter.log({ kind: 'message', time: runtime.now(), level, source, text });
  }
};

// A line of a task run's own (`Task run 'x' - ...`).
export const logTaskRun = (flow: FlowRunContext, run: TaskRun, level: LogLevel, text: string): void =>
  logMessage(flow.runtime, taskRunSource(run), level, text);
