import { availableParallelism } from 'node:os';
import { destroyWorkerPool, samePoolOptions, startWorkerPool, type WorkerPool, type WorkerPoolOptions } from './worker-pool.js';

// A worker pool the CLI starts as soon as it knows the runner will be
// parallel, before it loads the flow's module: a worker takes ~0.15 s to
// boot and load flowrun, time the main thread spends loading the flow anyway.
// The flow run's runner claims it with its first submission when it asks for
// the same pool; otherwise it is destroyed.

let prestarted: { readonly options: WorkerPoolOptions; readonly pool: Promise<WorkerPool> } | undefined;
let discarding: Promise<void> = Promise.resolve();

// As many workers as there are cores boot ahead: how many runs the flow
// will have is not known yet, and more threads than cores would only
// share them. The rest, if any, start when runs wait for one.
export const prestartWorkerPool = (options: WorkerPoolOptions): void => {
  prestarted ??= { options, pool: startWorkerPool(options, availableParallelism()) };
};

/** Whether a runner that wants a pool of these options would get the prestarted one. */
export const isPrestartedFor = (options: WorkerPoolOptions): boolean =>
  prestarted !== undefined && samePoolOptions(prestarted.options, options);

/** The prestarted pool, once, to a runner that wants one of its options. */
export const claimPrestartedPool = (options: WorkerPoolOptions): Promise<WorkerPool> | undefined => {
  if (prestarted === undefined || !samePoolOptions(prestarted.options, options)) {
    return undefined;
  }
  const { pool } = prestarted;
  prestarted = undefined;
  return pool;
};

/** Destroys the prestarted pool unless it was claimed; resolves once it is gone. */
export const discardPrestartedPool = (): Promise<void> => {
  if (prestarted !== undefined) {
    const { pool } = prestarted;
    prestarted = undefined;
    // A pool that failed to start or to stop leaves nothing to clean up.
    discarding = pool.then(destroyWorkerPool).catch(() => undefined);
  }
  return discarding;
};
