// The one place where flowrun replaces a stream's write(). Three things come
// between code that writes and stdout or stderr, and each asks here:
// - log lines held back for a batch go out before anything else is written
//   to the stream or its neighbour (logging/batched-lines.ts);
// - once the reader of a pipe is gone, further output is dropped quietly
//   (cli/closed-pipes.ts);
// - on a worker thread, what a task writes is diverted to the main thread as
//   events of its run (runners/parallel/worker-output.ts).
// A stream's write is replaced once, by one wrapper that does them in that
// order, and given back when nothing asks any more (a dropped pipe never is).

/** What a stream must have to be written through here: process.stdout, process.stderr, or a test's stand-in. */
export interface WritableStream {
  write: (...args: never[]) => boolean;
}

/** Takes a write instead of the stream: the chunk as written, and its encoding when one was given. */
export type Divert = (chunk: unknown, encoding: string | undefined) => void;

type Write = (this: unknown, ...args: unknown[]) => boolean;

class StreamWrites {
  readonly #stream: WritableStream;
  readonly #own: Write;
  readonly #wrapper: Write;
  readonly #before: (() => void)[] = [];
  #divert: Divert | undefined;
  #dropped = false;

  constructor(stream: WritableStream) {
    this.#stream = stream;
    this.#own = stream.write as unknown as Write;
    const write = (target: unknown, args: unknown[]): boolean => this.#write(target, args);
    // A function, not an arrow: the stream's own write is called on whatever it was called on.
    this.#wrapper = function (this: unknown, ...args: unknown[]): boolean {
      return write(this, args);
    };
    stream.write = this.#wrapper;
  }

  #write(target: unknown, args: unknown[]): boolean {
    const [chunk, encoding, callback] = args;
    const done = typeof encoding === 'function' ? encoding : callback;
    if (this.#dropped) {
      return true;
    }
    for (const hook of this.#before) {
      hook();
    }
    if (this.#divert === undefined) {
      return this.#own.apply(target, args);
    }
    this.#divert(chunk, typeof encoding === 'string' ? encoding : undefined);
    // The writer may wait for its callback, as a stream would call it.
    if (typeof done === 'function') {
      queueMicrotask(done as () => void);
    }
    return true;
  }

  /** Runs `hook` before every write to the stream; returns what stops it. */
  beforeWrites(hook: () => void): () => void {
    this.#before.push(hook);
    return () => {
      const index = this.#before.indexOf(hook);
      if (index !== -1) {
        this.#before.splice(index, 1);
      }
      this.#giveBackIfUnused();
    };
  }

  /** While set, writes go to `divert` instead of the stream. */
  divert(divert: Divert | undefined): void {
    this.#divert = divert;
  }

  /** Every later write is dropped: nobody reads the stream any more. */
  drop(): void {
    this.#dropped = true;
  }

  #giveBackIfUnused(): void {
    // Left alone if someone has wrapped it since (ora does while it spins).
    if (this.#before.length === 0 && this.#divert === undefined && !this.#dropped && this.#stream.write === (this.#wrapper as unknown)) {
      this.#stream.write = this.#own;
      registry.delete(this.#stream);
    }
  }
}

const registry = new WeakMap<WritableStream, StreamWrites>();

/** The writes of `stream`, wrapped on first use. */
export const streamWrites = (stream: WritableStream): StreamWrites => {
  let writes = registry.get(stream);
  if (writes === undefined) {
    writes = new StreamWrites(stream);
    registry.set(stream, writes);
  }
  return writes;
};
