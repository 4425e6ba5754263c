import type { LogLevel } from '../logging/levels.js';
import type { FlowRunContext } from './context.js';
import type { TaskRun } from './runs.js';

// A line of a task run's own (`Task run 'x' - ...`), built only when printed.
export const logTaskRun = (flow: FlowRunContext, run: TaskRun, level: LogLevel, text: string): void => {
  const { reporter } = flow.runtime;
  if (level >= reporter.level) {
    reporter.log({ kind: 'message', time: flow.runtime.now(), level, source: { kind: 'task-run', name: run.name }, text });
  }
};
