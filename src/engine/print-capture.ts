import { getRunContext } from './context.js';
import type { RunLogger } from '../logging/logger.js';

// logPrints: inside a run that asked for it, console.log and friends become
// log lines of that run; everywhere else they print as usual. The console is
// patched once, the first time a run with logPrints starts, and each call
// looks at the run context of the code that made it.
const CONSOLE_LEVELS = {
  log: 'info',
  info: 'info',
  debug: 'debug',
  warn: 'warning',
  error: 'error',
} as const satisfies Record<string, keyof RunLogger>;

let installed = false;

export const installPrintCapture = (): void => {
  if (installed) {
    return;
  }
  installed = true;
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    const name = method as keyof typeof CONSOLE_LEVELS;
    const original = console[name].bind(console);
    console[name] = (...args: unknown[]): void => {
      const context = getRunContext();
      if (context?.logPrints === true) {
        context.logger[level](...args);
      } else {
        original(...args);
      }
    };
  }
};
