import { ConsoleReporter } from '../logging/console-reporter.js';
import { LOG_LEVELS } from '../logging/levels.js';
import type { RunReporter } from '../logging/reporter.js';
import { PLAIN_STYLES } from '../logging/styles.js';
import { getGlobalSingleton } from '../util/global-singleton.js';

// The world a run sees, injected so tests can fix it: where records go, the
// clock and the random source (run names). The CLI installs its own before it
// runs a flow; a script that calls a flow directly gets plain lines on stderr.
export interface Runtime {
  readonly reporter: RunReporter;
  readonly now: () => number;
  readonly random: () => number;
}

interface RuntimeHolder {
  current: Runtime | undefined;
}

const holder = getGlobalSingleton<RuntimeHolder>('runtime', () => ({ current: undefined }));

const createDefaultRuntime = (): Runtime => ({
  reporter: new ConsoleReporter({ stream: process.stderr, level: LOG_LEVELS.INFO, styles: PLAIN_STYLES }),
  now: Date.now,
  random: Math.random,
});

export const getRuntime = (): Runtime => {
  holder.current ??= createDefaultRuntime();
  return holder.current;
};

// Replaces the runtime; returns the previous one so a caller can restore it.
export const setRuntime = (runtime: Runtime | undefined): Runtime | undefined => {
  const previous = holder.current;
  holder.current = runtime;
  return previous;
};
