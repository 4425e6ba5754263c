import type { TaskRunInfo } from '../../engine/runs.js';
import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from './serialize.js';

// Every message between the main thread and a worker, in one place. Only
// plain data crosses: a task is named by its module and key and rebuilt in
// the worker; arguments and results travel by structured clone.
//
// A call is piscina's task (WorkerRequest) and its reply (WorkerReply). What
// the task prints or logs while it runs travels apart, as WorkerEvents on a
// BroadcastChannel shared by the pool, and the reply says how many events
// the call sent: the main thread settles the call only once it has them all,
// so every line arrives before the outcome, in order, without a channel per
// call (which would cost more than the call itself).

/** Given to every worker of a pool (piscina's workerData). */
export interface WorkerData {
  readonly eventChannel: string;
  /** The directory task keys are relative to in the main thread: the worker's must match. */
  readonly taskKeyRoot: string;
}

/**
 * A worker's request, on its parentPort, for the modules the main thread has
 * loaded, as its module hooks saw them (sources included). Asked for when the
 * worker's first task arrives, not given at its start: a pool may start
 * while the main thread is still loading the flow's module.
 */
export interface LoaderSnapshotRequest {
  readonly type: 'flowrun-loader-snapshot';
  /** Where the main thread posts the LoaderSnapshot. */
  readonly reply: MessagePort;
}

/** What the main thread asks a worker to run. */
export interface WorkerRequest {
  /** Numbers this call's events: a small integer is the cheapest key to file them under. */
  readonly callId: number;
  readonly moduleUrl: string;
  readonly taskKey: string;
  readonly args: readonly unknown[];
  /** What the worker's run context tells of the run (not its state: every byte sent costs). */
  readonly taskRun: TaskRunInfo;
  readonly logPrints: boolean;
  /** The reporter's level: lines below it are not even sent. */
  readonly logLevel: number;
}

/** Something a task did while it ran, sent as it happens. */
export type WorkerEvent =
  | { readonly type: 'log'; readonly callId: number; readonly level: number; readonly time: number; readonly text: string }
  /** Bytes written as bytes stay bytes: text that is not UTF-8 must arrive as written. */
  | { readonly type: 'output'; readonly callId: number; readonly stream: 'stdout' | 'stderr'; readonly text: string | Uint8Array }
  /** A shell command's process group started or ended: the main thread can end it if the worker cannot. */
  | { readonly type: 'process-group'; readonly callId: number; readonly pid: number; readonly alive: boolean };

interface ReplyBase {
  /** How many WorkerEvents the call sent before this reply. */
  readonly events: number;
}

/** How a call ended. */
export type WorkerReply =
  | (ReplyBase & { readonly type: 'returned'; readonly value: unknown })
  | (ReplyBase & { readonly type: 'threw'; readonly error: SerializedError })
  /** The result cannot be sent back (a function, a class instance...). */
  | (ReplyBase & { readonly type: 'unsendable'; readonly reason: string })
  /** The worker could not rebuild the task; the main thread runs it instead. */
  | (ReplyBase & { readonly type: 'not-found'; readonly reason: string });
