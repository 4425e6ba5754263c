import { getGlobalSingleton } from '../util/global-singleton.js';

// Task runs a runner has started (they are Running) that wait in its own
// queue for a place to run: the parallel runner hands its pool a few dozen
// runs per worker, so that no worker ever waits for the main thread, and a
// worker runs one at a time. The spinner counts only the runs really
// running; asking the pool when it draws costs nothing per run, where a
// message from the worker as each run starts would.

const sources = getGlobalSingleton('queued-run-sources', () => new Set<() => number>());

/** Counts `count()` among the queued runs until the returned function is called. */
export const addQueuedRuns = (count: () => number): (() => void) => {
  sources.add(count);
  return () => sources.delete(count);
};

/** How many Running task runs wait in a runner's queue right now. */
export const countQueuedRuns = (): number => {
  let queued = 0;
  for (const count of sources) {
    queued += count();
  }
  return queued;
};
