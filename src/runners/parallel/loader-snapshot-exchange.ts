import { MessageChannel, parentPort } from 'node:worker_threads';
import type { LoaderSnapshot } from '../../loader/loader-hooks.js';
import { takeLoaderSnapshot } from '../../loader/module-loader.js';
import type { LoaderSnapshotRequest } from './protocol.js';

// How a worker gets the main thread's record of loaded modules. It asks when
// its first task arrives rather than being given it at its start: its pool
// may start while the main thread is still loading the flow's module, and by
// the time a task of that module is submitted the record holds it.

const EMPTY_SNAPSHOT: LoaderSnapshot = { resolved: {}, loaded: {} };

const isSnapshotRequest = (message: unknown): message is LoaderSnapshotRequest =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'flowrun-loader-snapshot';

/** The main thread's end (a pool's 'message' listener): answers with what its hooks have recorded by now. */
export const answerLoaderSnapshotRequest = (message: unknown): void => {
  if (isSnapshotRequest(message)) {
    message.reply.postMessage(takeLoaderSnapshot());
    message.reply.close();
  }
};

/** A worker's end. A port closed without an answer (the pool is going away) gives an empty record. */
export const requestLoaderSnapshot = (): Promise<LoaderSnapshot> => {
  const port = parentPort;
  if (port === null) {
    return Promise.resolve(EMPTY_SNAPSHOT);
  }
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.once('message', (snapshot: LoaderSnapshot) => {
      resolve(snapshot);
      port1.close();
    });
    port1.once('close', () => resolve(EMPTY_SNAPSHOT));
    port.postMessage({ type: 'flowrun-loader-snapshot', reply: port2 } satisfies LoaderSnapshotRequest, [port2]);
  });
};
