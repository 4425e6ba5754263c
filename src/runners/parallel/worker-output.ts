import type { WorkerEvent } from './protocol.js';

// In a worker thread, process.stdout and process.stderr are pipes to the main
// thread with an order of their own. While a task runs, what it writes is
// sent instead as events of its run, counted, in order with its log lines,
// so nothing it printed is lost or reordered, even if it throws or its
// worker dies right after.

type Send = (event: WorkerEvent) => void;

let current: { readonly callId: number; readonly send: Send } | undefined;

// A string is sent as it is, bytes as a copy of them (the caller may reuse
// its buffer); a string with an encoding other than UTF-8 is turned into the
// bytes it stands for.
const toChunk = (chunk: unknown, encoding: unknown): string | Uint8Array => {
  if (typeof chunk === 'string') {
    return typeof encoding === 'string' && encoding !== 'utf8' && encoding !== 'utf-8' ? Buffer.from(chunk, encoding as BufferEncoding) : chunk;
  }
  if (chunk instanceof Uint8Array) {
    return new Uint8Array(chunk);
  }
  return String(chunk);
};

const redirect = (stream: NodeJS.WriteStream, name: 'stdout' | 'stderr'): void => {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    if (current === undefined) {
      return original(chunk, encoding, callback);
    }
    current.send({ type: 'output', callId: current.callId, stream: name, text: toChunk(chunk, encoding) });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') {
      queueMicrotask(() => (done as () => void)());
    }
    return true;
  });
};

let installed = false;

// While a run is current, its writes become events sent with `send`.
export const captureOutput = (callId: number | undefined, send: Send): void => {
  if (!installed) {
    installed = true;
    redirect(process.stdout, 'stdout');
    redirect(process.stderr, 'stderr');
  }
  current = callId === undefined ? undefined : { callId, send };
};
