import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { ownModuleUrl, PACKAGE_ROOT, RUNNING_SOURCES } from '../util/own-paths.js';
import { DRAINED, FAILED, PROGRESS, SIGNAL_SLOTS, type WriterFailure, type WriterMessage, type WriterThreadData } from './writer-protocol.js';
import type { WriteBatch } from './write-batch.js';

// The history's writer thread, seen from the recorder. Writing 100,000 task
// runs to SQLite costs about as much as running them, even 64 rows to an
// INSERT; in a thread of its own, on another core, it is done while the flow
// runs, and the run waits only for what is left at its end. Small runs never
// start it (a thread costs more to start than their writes).

const WRITER_URL = ownModuleUrl('history/writer-thread');
// From the sources (under tests) the thread's module is TypeScript, which a
// worker thread reads only once it has registered tsx itself.
const FROM_SOURCES = `require('node:module').register('tsx/esm', ${JSON.stringify(pathToFileURL(`${PACKAGE_ROOT}/`).href)}, { data: {} });
import(${JSON.stringify(WRITER_URL.href)});`;

/**
 * Batches posted and not yet written beyond which the recorder waits for the
 * writer: a run that makes rows faster than SQLite takes them would
 * otherwise hold every one of them twice (1,000,000 task runs: 600 MB more).
 */
const MAX_QUEUED_BATCHES = 8;

/** Long enough for another process's transaction (the busy timeout is 15 s) and a batch of ours. */
const STALLED_AFTER_MS = 30_000;

export class HistoryWriterThread {
  readonly #worker: Worker;
  readonly #signals: Int32Array;
  readonly #failures: MessagePort;
  #drains = 0;
  #posted = 0;

  constructor(storeDir: string) {
    const signals = new SharedArrayBuffer(SIGNAL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    const { port1, port2 } = new MessageChannel();
    const workerData: WriterThreadData = { storeDir, signals, failures: port2 };
    this.#worker = RUNNING_SOURCES
      ? new Worker(FROM_SOURCES, { eval: true, workerData, transferList: [port2] })
      : new Worker(WRITER_URL, { workerData, transferList: [port2] });
    // It never keeps the process alive: close() waits for it when it matters.
    this.#worker.unref();
    // A thread that cannot start says so here; the stalled drain says it to the recorder.
    this.#worker.on('error', () => undefined);
    this.#signals = new Int32Array(signals);
    this.#failures = port1;
  }

  write(batch: WriteBatch): void {
    this.#post({ kind: 'batch', batch });
    this.#posted += 1;
    const queued = (): number => this.#posted - Atomics.load(this.#signals, PROGRESS);
    if (queued() > MAX_QUEUED_BATCHES) {
      this.#waitFor(() => queued() <= MAX_QUEUED_BATCHES / 2, PROGRESS);
    }
  }

  /** Why the writer stopped, once it has; undefined while it goes on. */
  failure(): Error | undefined {
    if (Atomics.load(this.#signals, FAILED) === 0) {
      return undefined;
    }
    const received: unknown = receiveMessageOnPort(this.#failures)?.message;
    const failure = received as WriterFailure | undefined;
    return Object.assign(new Error(failure?.message ?? 'the history writer failed'), { code: failure?.code });
  }

  /**
   * Waits, blocking this thread, until everything posted is written; with
   * `close`, the writer then closes the database and ends. Throws when the
   * writer failed or stopped answering.
   */
  drain(close: boolean): void {
    this.#drains += 1;
    const drain = this.#drains;
    this.#post({ kind: 'drain', drain, close });
    this.#waitFor(() => Atomics.load(this.#signals, DRAINED) >= drain, DRAINED);
    const failure = this.failure();
    if (failure !== undefined) {
      throw failure;
    }
  }

  /**
   * Blocks this thread until `done`, waking when the writer changes the
   * signal `slot` (or each second). Throws when the writer makes no
   * progress for STALLED_AFTER_MS.
   */
  #waitFor(done: () => boolean, slot: number): void {
    let progress = Atomics.load(this.#signals, PROGRESS);
    let stalledMs = 0;
    while (!done()) {
      const started = performance.now();
      Atomics.wait(this.#signals, slot, Atomics.load(this.#signals, slot), 1_000);
      const now = Atomics.load(this.#signals, PROGRESS);
      stalledMs = now === progress ? stalledMs + performance.now() - started : 0;
      progress = now;
      if (stalledMs > STALLED_AFTER_MS) {
        this.stop();
        throw new Error(`the history writer thread stopped answering for ${STALLED_AFTER_MS / 1000} s`);
      }
    }
  }

  /** Ends the thread without waiting (after a failure). */
  stop(): void {
    void this.#worker.terminate();
    this.#failures.close();
  }

  #post(message: WriterMessage): void {
    this.#worker.postMessage(message);
  }
}
