import { LOG_LEVELS, type LogLevel } from '../logging/levels.js';
import type { LogSource } from '../logging/records.js';
import { formatExceptionWithStack } from '../states/from-outcome.js';
import type { State } from '../states/state.js';
import { logMessage } from './run-log.js';
import type { Runtime } from './runtime.js';

// onCompletion, onFailure and onCancellation hooks, with Prefect's lines. A
// hook that throws is logged and changes nothing: the run keeps its state.

type Hook<R> = (run: R, state: State) => unknown;
type Hooks<R> = Hook<R> | readonly Hook<R>[] | undefined;

const asList = <R>(hooks: Hooks<R>): readonly Hook<R>[] => (hooks === undefined ? [] : typeof hooks === 'function' ? [hooks] : hooks);

/** `onRunning` is told the name of each hook as it starts, and undefined when it is done. */
export const runHooks = async <R>(
  runtime: Runtime,
  source: LogSource,
  hooks: Hooks<R>,
  run: R,
  state: State,
  onRunning?: (hook: string | undefined) => void,
): Promise<void> => {
  const log = (level: LogLevel, text: string): void => logMessage(runtime, source, level, text);
  for (const hook of asList(hooks)) {
    const name = hook.name || 'anonymous hook';
    log(LOG_LEVELS.INFO, `Running hook '${name}' in response to entering state '${state.name}'`);
    onRunning?.(name);
    try {
      await hook(run, state);
      log(LOG_LEVELS.INFO, `Hook '${name}' finished running successfully`);
    } catch (error) {
      log(LOG_LEVELS.ERROR, `An error was encountered while running hook '${name}'\n${formatExceptionWithStack(error)}`);
    } finally {
      onRunning?.(undefined);
    }
  }
};
