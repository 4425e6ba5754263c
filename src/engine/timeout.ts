import { setMaxListeners } from 'node:events';

// Races a run against its deadline. At the deadline the signal is aborted
// (an in-thread task may honour it; the parallel runner terminates the
// worker) and the race resolves `timedOut`, whether or not the work stops:
// a run is TimedOut on time even if its code ignores the signal.

// The signal of runs that nothing aborts (no deadline): one for all. Many
// listen to it at once, which is no leak, so Node's warning is off for it.
export const NEVER_ABORTED = new AbortController();
setMaxListeners(0, NEVER_ABORTED.signal);

export type Raced<T> = { readonly timedOut: false; readonly value: T } | { readonly timedOut: true; readonly late: Promise<T> };

export class TaskTimeoutError extends Error {
  constructor(seconds: number) {
    super(`Task run exceeded timeout of ${seconds} second(s)`);
  }
}
TaskTimeoutError.prototype.name = 'TimeoutError';

const DEADLINE = Symbol('deadline');

export const raceTimeout = async <T>(
  seconds: number | undefined,
  controller: AbortController,
  work: () => Promise<T>,
): Promise<Raced<T>> => {
  const running = work();
  if (seconds === undefined) {
    return { timedOut: false, value: await running };
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof DEADLINE>((resolve) => {
    timer = setTimeout(() => resolve(DEADLINE), seconds * 1000);
  });
  try {
    const first = await Promise.race([running, deadline]);
    if (first === DEADLINE) {
      controller.abort(new TaskTimeoutError(seconds));
      return { timedOut: true, late: running };
    }
    return { timedOut: false, value: first };
  } finally {
    clearTimeout(timer);
  }
};
