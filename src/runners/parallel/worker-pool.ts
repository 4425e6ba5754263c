import { randomUUID } from 'node:crypto';
import type { Piscina } from 'piscina';
import { getTaskKeyRoot } from '../../tasks/task-key.js';
import { ownModulePath } from '../../util/own-paths.js';
import { EventInbox } from './event-inbox.js';
import { answerLoaderSnapshotRequest } from './loader-snapshot-exchange.js';
import type { WorkerData } from './protocol.js';

const WORKER_FILE = ownModulePath('runners/parallel/worker');

export interface WorkerPoolOptions {
  readonly workers: number;
  /** A worker's heap limit in MiB; undefined: Node's own. */
  readonly memoryLimitMb: number | undefined;
}

/** The worker threads of a parallel runner, and the channel their runs' events arrive on. */
export interface WorkerPool {
  readonly pool: Piscina;
  readonly inbox: EventInbox;
}

export const samePoolOptions = (a: WorkerPoolOptions, b: WorkerPoolOptions): boolean =>
  a.workers === b.workers && a.memoryLimitMb === b.memoryLimitMb;

/**
 * Starts a pool of up to `options.workers` threads, `boot` of them at once
 * (they load flowrun while the caller goes on). The others start only when
 * runs wait for a worker (piscina starts one for each run it queues, up to
 * the most): a pool of 64 for two task runs starts two, not 64 (which took
 * 4.4 s and 967 MB).
 */
export const startWorkerPool = async (options: WorkerPoolOptions, boot = 0): Promise<WorkerPool> => {
  const { Piscina } = await import('piscina');
  const inbox = new EventInbox(`flowrun-events-${randomUUID()}`);
  const limit = options.memoryLimitMb;
  const workerData: WorkerData = { eventChannel: inbox.name, taskKeyRoot: getTaskKeyRoot() };
  const pool = new Piscina({
    filename: WORKER_FILE,
    minThreads: Math.min(boot, options.workers),
    maxThreads: options.workers,
    idleTimeout: Number.POSITIVE_INFINITY,
    workerData,
    ...(limit === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: limit } }),
  });
  // A worker's uncaught error rejects the task it was running; the pool
  // also emits it, and an unheard 'error' event would end the CLI.
  pool.on('error', () => undefined);
  // What a worker posts on its parentPort arrives here.
  pool.on('message', answerLoaderSnapshotRequest);
  return { pool, inbox };
};

export const destroyWorkerPool = async ({ pool, inbox }: WorkerPool): Promise<void> => {
  await pool.destroy();
  inbox.close();
};
