import { streamWrites, type Divert } from '../../util/stream-writes.js';
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

const divertTo =
  (name: 'stdout' | 'stderr'): Divert =>
  (chunk, encoding) => {
    if (current !== undefined) {
      current.send({ type: 'output', callId: current.callId, stream: name, text: toChunk(chunk, encoding) });
    }
  };

const DIVERTS = { stdout: divertTo('stdout'), stderr: divertTo('stderr') };

// While a run is current, its writes become events sent with `send`;
// between runs (a timer a task left behind) they go through the worker's pipe.
export const captureOutput = (callId: number | undefined, send: Send): void => {
  current = callId === undefined ? undefined : { callId, send };
  streamWrites(process.stdout).divert(current === undefined ? undefined : DIVERTS.stdout);
  streamWrites(process.stderr).divert(current === undefined ? undefined : DIVERTS.stderr);
};
