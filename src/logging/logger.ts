import { format } from 'node:util';
import { MissingContextError } from '../errors.js';
import { getRunContext } from '../engine/context.js';
import { getRuntime, type Runtime } from '../engine/runtime.js';
import { LOG_LEVELS, type LogLevel } from './levels.js';
import type { LogSource } from './records.js';

/** A logger whose lines carry the run's name: `Task run 'x' - message`. */
export interface RunLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warning(...args: unknown[]): void;
  error(...args: unknown[]): void;
  critical(...args: unknown[]): void;
}

// A RunLogger whose lines go to `emit` with their level, formatted as
// console.log formats its arguments, and only when `wanted(level)`: a debug
// line below --log-level costs one comparison.
export const createLevelLogger = (wanted: (level: LogLevel) => boolean, emit: (level: LogLevel, text: string) => void): RunLogger => {
  const at =
    (level: LogLevel) =>
    (...args: unknown[]): void => {
      if (wanted(level)) {
        emit(level, format(...args));
      }
    };
  return {
    debug: at(LOG_LEVELS.DEBUG),
    info: at(LOG_LEVELS.INFO),
    warning: at(LOG_LEVELS.WARNING),
    error: at(LOG_LEVELS.ERROR),
    critical: at(LOG_LEVELS.CRITICAL),
  };
};

/** A logger whose lines go to the runtime's reporter under `source`. */
export const createLogger = (runtime: Runtime | (() => Runtime), source: LogSource): RunLogger => {
  const current = (): Runtime => (typeof runtime === 'function' ? runtime() : runtime);
  return createLevelLogger(
    (level) => level >= current().reporter.level,
    (level, text) => current().reporter.log({ kind: 'message', time: current().now(), level, source, text }),
  );
};

/** The logger of the current flow or task run (Prefect's get_run_logger). */
export const getRunLogger = (): RunLogger => {
  const context = getRunContext();
  if (context === undefined) {
    throw new MissingContextError(
      'getRunLogger() was called outside a flow or task run; call it inside a function passed to flow() or task(), or use getLogger(name).',
    );
  }
  return context.logger;
};

/** A logger for lines outside a run, printed under `name` (e.g. `flowrun.engine`). */
export const getLogger = (name = 'flowrun'): RunLogger => createLogger(getRuntime, { kind: 'logger', name });
