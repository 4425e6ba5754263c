import { trimOwnFrames } from '../util/own-files.js';
import { Cancelled, Completed, Crashed, Failed, isFinal, type State } from './state.js';

// `Error: disk on fire`: the exception as Prefect's format_exception renders it.
// Non-Error throws (a string, undefined, an object) still read well.
export const formatException = (error: unknown): string => {
  if (error instanceof Error) {
    return `${error.name}: ${error.message}`;
  }
  if (typeof error === 'string') {
    return `Error: ${error}`;
  }
  let rendered: string;
  try {
    rendered = JSON.stringify(error) ?? String(error);
  } catch {
    rendered = String(error);
  }
  return `Thrown value: ${rendered}`;
};

// The stack when there is one (user code errors are logged with it, as
// Prefect does), down to the user's outermost frame.
export const formatExceptionWithStack = (error: unknown): string =>
  error instanceof Error && error.stack ? trimOwnFrames(error.stack) : formatException(error);

// User code raised: Failed, with the message Prefect uses for tasks
// ('Task run encountered an exception Error: boom') or flows
// ('Flow run encountered an exception: Error: boom').
export const taskErrorToFailedState = (error: unknown): State<never> =>
  Failed({ message: `Task run encountered an exception ${formatException(error)}`, error });

export const flowErrorToFailedState = (error: unknown): State<never> =>
  Failed({ message: `Flow run encountered an exception: ${formatException(error)}`, error });

// The machinery failed (a lost worker, a value that cannot cross a thread): Crashed.
export const errorToCrashedState = (error: unknown): State<never> =>
  Crashed({ message: `Execution was interrupted by an unexpected exception: ${formatException(error)}`, error });

export type TerminationSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export const signalToCancelledState = (signal: TerminationSignal): State<never> =>
  Cancelled({
    message:
      signal === 'SIGINT'
        ? 'Execution was aborted by an interrupt signal.'
        : 'Execution was aborted by a termination signal.',
  });

// Prefect 2's rule for a set of states: COMPLETED if all completed, else
// CANCELLED if any was cancelled, else FAILED, with a message counting them.
// An empty set is a plain Completed().
export const aggregateStates = (states: readonly State[]): State => {
  const total = states.length;
  if (total === 0) {
    return Completed();
  }
  const count = (predicate: (state: State) => boolean): number => states.filter(predicate).length;
  if (states.every((state) => state.type === 'COMPLETED')) {
    return Completed({ message: 'All states completed.' });
  }
  const cancelled = count((state) => state.type === 'CANCELLED');
  if (cancelled > 0) {
    return Cancelled({ message: `${cancelled}/${total} states cancelled.` });
  }
  const failed = count((state) => state.type === 'FAILED' || state.type === 'CRASHED');
  if (failed > 0) {
    return Failed({ message: `${failed}/${total} states failed.` });
  }
  const notFinal = count((state) => !isFinal(state));
  return Failed({ message: `${notFinal}/${total} states are not final.` });
};
