// The entry of each worker thread of the parallel runner (piscina's filename).
// It imports the task's module, which defines its tasks again, and runs the
// one the main thread named. The module is compiled from what the main
// thread's hooks recorded (asked for with the first task), without hooks when
// it can (recorded-module.ts); otherwise the worker registers the hooks itself
// (a worker does not inherit the main thread's), served from that record.

// All of flowrun (what users' modules import as 'flowrun') is loaded first,
// before the loader hooks exist: every import made through the hooks costs a
// round trip to the loader thread, and this keeps worker start-up short.
import '../../index.js';
import { BroadcastChannel, workerData } from 'node:worker_threads';
import { runInContext, type TaskRunContext } from '../../engine/context.js';
import { installPrintCapture } from '../../engine/print-capture.js';
import { createRunController } from '../../engine/timeout.js';
import { ensureFlowLoader } from '../../loader/module-loader.js';
import type { LoaderSnapshot } from '../../loader/loader-hooks.js';
import { loadRecordedModule } from '../../loader/recorded-module.js';
import { createLevelLogger, type RunLogger } from '../../logging/logger.js';
import { setProcessGroupWatcher } from '../../shell/process-registry.js';
import { findRegisteredTask } from '../../tasks/registry.js';
import { setTaskKeyRoot } from '../../tasks/task-key.js';
import { markWorkerThread } from '../../util/thread-role.js';
import { findUnsendable } from './cloneable.js';
import { requestLoaderSnapshot } from './loader-snapshot-exchange.js';
import type { WorkerData, WorkerEvent, WorkerReply, WorkerRequest } from './protocol.js';
import { serializeError } from './serialize.js';
import { captureOutput } from './worker-output.js';

markWorkerThread();
setTaskKeyRoot((workerData as WorkerData).taskKeyRoot);

// A run on a worker is stopped by terminating the worker (at its deadline,
// or when its flow run is stopped), never through its signal: one signal,
// never aborted, serves every call.
const NEVER_ABORTED = createRunController().signal;

const events = new BroadcastChannel((workerData as WorkerData).eventChannel);
// The channel must not keep a finished worker alive.
events.unref();

// Asked for once, with the first task: by then the main thread has loaded
// the module that task comes from.
let loaderSnapshot: Promise<LoaderSnapshot> | undefined;

// Each module is imported once per worker; later calls do not wait on it.
const importedModules = new Map<string, Promise<unknown>>();
const loadedModules = new Set<string>();

const importOnce = (moduleUrl: string): Promise<unknown> => {
  let imported = importedModules.get(moduleUrl);
  if (imported === undefined) {
    loaderSnapshot ??= requestLoaderSnapshot();
    imported = loaderSnapshot
      .then((snapshot) => {
        if (loadRecordedModule(moduleUrl, snapshot)) {
          return undefined;
        }
        ensureFlowLoader(snapshot);
        return import(moduleUrl);
      })
      .then(() => loadedModules.add(moduleUrl));
    importedModules.set(moduleUrl, imported);
  }
  return imported;
};

// A task's getRunLogger() on a worker: its lines travel as events of its run.
const createEventLogger = (callId: number, send: (event: WorkerEvent) => void, minimum: number): RunLogger =>
  createLevelLogger(
    (level) => level >= minimum,
    (level, text) => send({ type: 'log', callId, level, time: Date.now(), text }),
  );

export default async function runTaskInWorker(request: WorkerRequest): Promise<WorkerReply> {
  const { callId } = request;
  let sent = 0;
  const send = (event: WorkerEvent): void => {
    sent += 1;
    events.postMessage(event);
  };
  if (!loadedModules.has(request.moduleUrl)) {
    await importOnce(request.moduleUrl);
  }
  const lookup = findRegisteredTask(request.taskKey);
  if (!lookup.found) {
    return { type: 'not-found', reason: lookup.reason, events: sent };
  }
  let logger: RunLogger | undefined;
  const context: TaskRunContext = {
    kind: 'task',
    taskRun: request.taskRun,
    flowContext: undefined,
    // Made on first use: most tasks never log.
    get logger() {
      logger ??= createEventLogger(callId, send, request.logLevel);
      return logger;
    },
    logPrints: request.logPrints,
    signal: NEVER_ABORTED,
  };
  if (context.logPrints) {
    installPrintCapture();
  }
  captureOutput(callId, send);
  setProcessGroupWatcher((pid, alive) => send({ type: 'process-group', callId, pid, alive }));
  let value: unknown;
  try {
    const fn = lookup.fn as (...args: unknown[]) => unknown;
    value = await runInContext(context, () => fn(...request.args));
  } catch (error) {
    return { type: 'threw', error: serializeError(error), events: sent };
  } finally {
    captureOutput(undefined, send);
  }
  const problem = findUnsendable(value, 'the result');
  return problem === undefined ? { type: 'returned', value, events: sent } : { type: 'unsendable', reason: problem, events: sent };
}
