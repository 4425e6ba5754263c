import { MissingContextError } from '../errors.js';
import { LOG_LEVELS, type LogLevel } from '../logging/levels.js';
import { createLevelLogger, type RunLogger } from '../logging/logger.js';
import type { LogSource } from '../logging/records.js';
import { getRunContext } from './context.js';
import { getRuntime, type Runtime } from './runtime.js';

// The loggers of runs (getRunLogger()) and of code outside them (getLogger()).

const atMostDebug = (level: LogLevel): LogLevel => (level > LOG_LEVELS.DEBUG ? LOG_LEVELS.DEBUG : level);

/**
 * A logger whose lines go to the runtime's reporter under `source`. Once
 * `isOver()` (the run has ended, or its try was stopped), what its code
 * still logs goes to DEBUG: nothing it does late shows among the lines of
 * the runs that are still going, or after its flow run's last line.
 */
export const createLogger = (runtime: Runtime | (() => Runtime), source: LogSource, isOver?: () => boolean): RunLogger => {
  const current = (): Runtime => (typeof runtime === 'function' ? runtime() : runtime);
  return createLevelLogger(
    (level) => level >= current().reporter.level,
    (level, text) => current().reporter.log({ kind: 'message', time: current().now(), level, source, text }),
    isOver === undefined ? undefined : (level) => (isOver() ? atMostDebug(level) : level),
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
