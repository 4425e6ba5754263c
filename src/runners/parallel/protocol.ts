import type { MessagePort } from 'node:worker_threads';
import type { TaskRun } from '../../engine/runs.js';
import type { SerializedError } from './serialize.js';

// Every message between the main thread and a worker, in one place. Only
// plain data crosses: a task is named by its module and key and rebuilt in
// the worker; arguments and results travel by structured clone.

/** What the main thread asks a worker to run (piscina's task). */
export interface WorkerRequest {
  readonly moduleUrl: string;
  readonly taskKey: string;
  readonly args: readonly unknown[];
  /** A plain copy of the run, for the worker's run context. */
  readonly taskRun: TaskRun;
  readonly logPrints: boolean;
  /** The reporter's level: lines below it are not even sent. */
  readonly logLevel: number;
  /** Every message of this call comes back on this port, in order. */
  readonly port: MessagePort;
}

/**
 * What a worker says about one call, in the order it happened. Output and
 * log lines share the port with the outcome, so every line printed before a
 * task returned, threw or died arrives before the outcome does.
 */
export type WorkerMessage =
  | { readonly type: 'log'; readonly level: number; readonly time: number; readonly text: string }
  | { readonly type: 'output'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | { readonly type: 'returned'; readonly value: unknown }
  | { readonly type: 'threw'; readonly error: SerializedError }
  /** The result cannot be sent back (a function, a class instance...). */
  | { readonly type: 'unsendable'; readonly reason: string }
  /** The worker could not rebuild the task; the main thread runs it instead. */
  | { readonly type: 'not-found'; readonly reason: string };
