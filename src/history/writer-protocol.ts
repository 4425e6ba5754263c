import type { MessagePort } from 'node:worker_threads';
import type { WriteBatch } from './write-batch.js';

// What the recorder's thread and the history's writer thread say to each
// other. Batches go to the writer as messages; the writer answers through
// shared memory, which the recorder can wait on without an event loop (at
// the end of a run, in a synchronous close).

export interface WriterThreadData {
  readonly storeDir: string;
  /** An Int32Array's buffer: the slots below. */
  readonly signals: SharedArrayBuffer;
  /** The writer posts its failure here, once: `{ message, code }`. */
  readonly failures: MessagePort;
}

/** The last drain request the writer has answered: everything posted before it is written. */
export const DRAINED = 0;
/** 1 once the writer has failed: it writes nothing more. */
export const FAILED = 1;
/** Batches the writer has been through, to tell a slow writer from a stopped one. */
export const PROGRESS = 2;
export const SIGNAL_SLOTS = 3;

export type WriterMessage =
  | { readonly kind: 'batch'; readonly batch: WriteBatch }
  /** Answer when everything before is written; with `close`, close the database and end. */
  | { readonly kind: 'drain'; readonly drain: number; readonly close: boolean };

export interface WriterFailure {
  readonly message: string;
  readonly code: string | undefined;
}
