import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { BatchWriter } from './batch-writer.js';
import { openHistory, type HistoryDatabase } from './database.js';
import { DRAINED, FAILED, PROGRESS, type WriterMessage, type WriterThreadData } from './writer-protocol.js';

// The history's writer thread (see history-writer.ts): it writes the
// batches the recorder posts, in order, on a connection of its own, while
// the flow run goes on in the main thread.

const { storeDir, signals, failures } = workerData as WriterThreadData;
const shared = new Int32Array(signals);
let db: HistoryDatabase | undefined;
let writer: BatchWriter | undefined;

const fail = (error: unknown): void => {
  const { message, code } = error as { message?: unknown; code?: unknown };
  failures.postMessage({ message: typeof message === 'string' ? message : String(error), code: typeof code === 'string' ? code : undefined });
  Atomics.store(shared, FAILED, 1);
  writer = undefined;
  try {
    db?.close();
  } catch {
    // a broken database may not close either; it is given up either way
  }
  db = undefined;
};

try {
  db = openHistory(storeDir, { create: false });
  if (db === undefined) {
    throw new Error('the database was removed while the run was recorded');
  }
  // Its rows refer to what they must by construction, and checking each
  // reference costs a lookup a row; deleting (flow runs prune, on its own
  // connection) still cascades.
  db.pragma('foreign_keys = OFF');
  writer = new BatchWriter(db);
} catch (error) {
  fail(error);
}

const port = parentPort as MessagePort;
port.on('message', (message: WriterMessage) => {
  if (message.kind === 'batch') {
    try {
      writer?.write(message.batch);
    } catch (error) {
      fail(error);
    }
    Atomics.add(shared, PROGRESS, 1);
    Atomics.notify(shared, PROGRESS);
    return;
  }
  if (message.close) {
    try {
      db?.close();
    } catch (error) {
      fail(error);
    }
    db = undefined;
    writer = undefined;
    port.close();
    failures.close();
  }
  Atomics.store(shared, DRAINED, message.drain);
  Atomics.notify(shared, DRAINED);
});
