import { streamWrites, type WritableStream } from '../util/stream-writes.js';

// Log lines written to a file or a pipe cost a system call each: Node writes
// stdio there synchronously. That is about 3 µs a line on the 2-core
// machines, more than the engine spends on a trivial task, and a run prints
// three lines a task. So lines are gathered and written together:
// - when the thread is about to wait (setImmediate), so a run that waits on
//   anything shows its lines at once;
// - when 64 KiB have gathered;
// - before anything else is written to stdout or stderr, so a task's own
//   prints (and worker output Node forwards) keep their place among the lines;
// - before task code runs in this thread: synchronous task code may hold the
//   thread for long, and what came before it must not wait for it. Only in
//   a burst (a .map of quick tasks: more than 8 calls within a millisecond)
//   do the later calls of that millisecond go without: a slow task at the
//   end of such a burst holds its lines, and the burst's, until it returns;
// - at close and at exit, so nothing is lost.
// Only for a stream that is not a terminal: there the spinner owns the lines.

/** The stream lines go to, and the other streams whose writes must not overtake them. */
export type BatchableStream = WritableStream & Pick<NodeJS.WritableStream, 'write'> & { readonly destroyed?: boolean };

const MAX_PENDING_CHARS = 64 * 1024;
const BURST_WINDOW_MS = 1;
const FLUSHED_CALLS_PER_WINDOW = 8;

export class BatchedLines {
  readonly #stream: BatchableStream;
  readonly #restores: (() => void)[] = [];
  #pending = '';
  #scheduled = false;
  #closed = false;
  #windowStart = Number.NEGATIVE_INFINITY;
  #callsInWindow = 0;
  readonly #flushSoon = (): void => {
    this.#scheduled = false;
    this.flush();
  };
  readonly #flushAtExit = (): void => this.flush();

  constructor(stream: BatchableStream, neighbours: readonly BatchableStream[]) {
    this.#stream = stream;
    const flush = (): void => this.flush();
    for (const other of [stream, ...neighbours]) {
      this.#restores.push(streamWrites(other).beforeWrites(flush));
    }
    process.on('exit', this.#flushAtExit);
  }

  write(line: string): void {
    if (this.#closed) {
      this.#writeNow(line);
      return;
    }
    this.#pending += line;
    if (this.#pending.length >= MAX_PENDING_CHARS) {
      this.flush();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flushSoon);
    }
  }

  /** Task code is about to run in this thread and may hold it for long. */
  beforeUserCode(): void {
    const now = performance.now();
    if (now - this.#windowStart >= BURST_WINDOW_MS) {
      this.#windowStart = now;
      this.#callsInWindow = 0;
    }
    this.#callsInWindow += 1;
    if (this.#callsInWindow <= FLUSHED_CALLS_PER_WINDOW) {
      this.flush();
    }
  }

  flush(): void {
    if (this.#pending === '') {
      return;
    }
    const text = this.#pending;
    this.#pending = '';
    this.#writeNow(text);
  }

  /** Writes what is pending and gives the streams their own write back. */
  close(): void {
    if (this.#closed) {
      return;
    }
    this.flush();
    this.#closed = true;
    process.off('exit', this.#flushAtExit);
    for (const restore of this.#restores.splice(0)) {
      restore();
    }
  }

  // Through the stream's own wrapper (util/stream-writes.ts), which drops
  // output once the reader of a pipe is gone (`flow run x | head -1`).
  #writeNow(text: string): void {
    if (this.#stream.destroyed !== true) {
      this.#stream.write(text);
    }
  }
}
