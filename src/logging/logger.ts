import { format } from 'node:util';
import { LOG_LEVELS, type LogLevel } from './levels.js';

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
// line below --log-level costs one comparison. `demote` may lower a line's
// level (the late lines of a run that has ended go to DEBUG).
export const createLevelLogger = (
  wanted: (level: LogLevel) => boolean,
  emit: (level: LogLevel, text: string) => void,
  demote?: (level: LogLevel) => LogLevel,
): RunLogger => {
  const at =
    (level: LogLevel) =>
    (...args: unknown[]): void => {
      const effective = demote === undefined ? level : demote(level);
      if (wanted(effective)) {
        emit(effective, format(...args));
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
