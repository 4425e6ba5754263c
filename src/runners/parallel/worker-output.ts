import type { MessagePort } from 'node:worker_threads';
import type { WorkerMessage } from './protocol.js';

// In a worker thread, process.stdout and process.stderr are pipes to the main
// thread with an order of their own. While a task runs, what it writes goes
// instead to its call's port, in order with its log lines and its outcome,
// so nothing it printed is lost or reordered, even if it throws or its
// worker dies right after.

let currentPort: MessagePort | undefined;

const toText = (chunk: unknown, encoding: unknown): string => {
  if (typeof chunk === 'string') {
    return chunk;
  }
  if (chunk instanceof Uint8Array) {
    return Buffer.from(chunk).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return String(chunk);
};

const redirect = (stream: NodeJS.WriteStream, name: 'stdout' | 'stderr'): void => {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const port = currentPort;
    if (port === undefined) {
      return original(chunk, encoding, callback);
    }
    const message: WorkerMessage = { type: 'output', stream: name, text: toText(chunk, encoding) };
    port.postMessage(message);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') {
      queueMicrotask(() => (done as () => void)());
    }
    return true;
  });
};

let installed = false;

export const captureOutputTo = (port: MessagePort | undefined): void => {
  if (!installed) {
    installed = true;
    redirect(process.stdout, 'stdout');
    redirect(process.stderr, 'stderr');
  }
  currentPort = port;
};
