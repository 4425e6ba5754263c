// The entry of each worker thread of the parallel runner (piscina's filename).
// It registers the TypeScript loader itself (a worker does not inherit the
// main thread's), imports the task's module, which defines its tasks again,
// and runs the one the main thread named, reporting everything on the port.

// All of flowrun (what users' modules import as 'flowrun') is loaded first,
// before the loader hooks exist: every import made through the hooks costs a
// round trip to the loader thread, and this keeps worker start-up short.
import '../../index.js';

import { runInContext, type TaskRunContext } from '../../engine/context.js';
import { installPrintCapture } from '../../engine/print-capture.js';
import { ensureFlowLoader } from '../../flows/module-loader.js';
import { LOG_LEVELS, type LogLevel } from '../../logging/levels.js';
import type { RunLogger } from '../../logging/logger.js';
import { findRegisteredTask } from '../../tasks/registry.js';
import { markWorkerThread } from '../../util/thread-role.js';
import { findUnsendable } from './cloneable.js';
import type { WorkerMessage, WorkerRequest } from './protocol.js';
import { serializeError } from './serialize.js';
import { captureOutputTo } from './worker-output.js';
import { format } from 'node:util';

markWorkerThread();

const createPortLogger = (post: (message: WorkerMessage) => void, minimum: number): RunLogger => {
  const at =
    (level: LogLevel) =>
    (...args: unknown[]): void => {
      if (level >= minimum) {
        post({ type: 'log', level, time: Date.now(), text: format(...args) });
      }
    };
  return {
    debug: at(LOG_LEVELS.DEBUG),
    info: at(LOG_LEVELS.INFO),
    warning: at(LOG_LEVELS.WARNING),
    error: at(LOG_LEVELS.ERROR),
    critical: at(LOG_LEVELS.CRITICAL),
  };
};

export default async function runTaskInWorker(request: WorkerRequest): Promise<void> {
  const post = (message: WorkerMessage): void => request.port.postMessage(message);
  captureOutputTo(request.port);
  try {
    await ensureFlowLoader();
    await import(request.moduleUrl);
    const lookup = findRegisteredTask(request.taskKey);
    if (!lookup.found) {
      post({ type: 'not-found', reason: lookup.reason });
      return;
    }
    const context: TaskRunContext = {
      kind: 'task',
      taskRun: request.taskRun,
      flowContext: undefined,
      logger: createPortLogger(post, request.logLevel),
      logPrints: request.logPrints,
      signal: new AbortController().signal,
    };
    if (context.logPrints) {
      installPrintCapture();
    }
    let value: unknown;
    try {
      const fn = lookup.fn as (...args: unknown[]) => unknown;
      value = await runInContext(context, () => fn(...request.args));
    } catch (error) {
      post({ type: 'threw', error: serializeError(error) });
      return;
    }
    const problem = findUnsendable(value, 'the result');
    post(problem === undefined ? { type: 'returned', value } : { type: 'unsendable', reason: problem });
  } finally {
    captureOutputTo(undefined);
  }
}
