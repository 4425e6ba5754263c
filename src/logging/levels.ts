// Log levels with Python's numbers, so `--log-level WARNING` reads as Prefect's does.
export const LOG_LEVELS = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 } as const;

export type LogLevelName = keyof typeof LOG_LEVELS;
export type LogLevel = (typeof LOG_LEVELS)[LogLevelName];

export const LOG_LEVEL_NAMES = Object.keys(LOG_LEVELS) as LogLevelName[];

export const getLevelName = (level: LogLevel): LogLevelName => {
  for (const name of LOG_LEVEL_NAMES) {
    if (LOG_LEVELS[name] === level) {
      return name;
    }
  }
  return 'INFO';
};
