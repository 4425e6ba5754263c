import type { LogLevel } from '../logging/levels.js';
import type { LogSource } from '../logging/records.js';
import type { FlowRunContext } from './context.js';
import type { TaskRun } from './runs.js';
import type { Runtime } from './runtime.js';

// A message line under `source`, built only when its level is printed.
export const logMessage = (runtime: Runtime, source: LogSource, level: LogLevel, text: string): void => {
  if (level >= runtime.reporter.level) {
    runtime.reporter.log({ kind: 'message', time: runtime.now(), level, source, text });
  }
};

// A line of a task run's own (`Task run 'x' - ...`).
export const logTaskRun = (flow: FlowRunContext, run: TaskRun, level: LogLevel, text: string): void =>
  logMessage(flow.runtime, { kind: 'task-run', name: run.name }, level, text);
