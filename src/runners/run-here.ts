import { invokeInThread, type InvocationOutcome, type TaskInvocation } from '../engine/invocation.js';
import { flowRunSource, logMessage } from '../engine/run-log.js';
import { LOG_LEVELS } from '../logging/levels.js';

/**
 * Where a runner that sends tasks elsewhere (a worker thread, a worker
 * process) runs one it cannot send: here, in this thread, with one WARNING
 * for each task, in the runner's words.
 */
export class RunHere {
  readonly #warned = new Set<string>();
  readonly #describe: (taskName: string, why: string) => string;

  constructor(describe: (taskName: string, why: string) => string) {
    this.#describe = describe;
  }

  run(invocation: TaskInvocation, why: string): InvocationOutcome | Promise<InvocationOutcome> {
    const { flow, task } = invocation;
    if (!this.#warned.has(task.key)) {
      this.#warned.add(task.key);
      logMessage(flow.runtime, flowRunSource(flow.flowRun), LOG_LEVELS.WARNING, this.#describe(task.name, why));
    }
    return invokeInThread(invocation);
  }

  /** Forgets which tasks it warned of (a runner that starts again warns again). */
  clear(): void {
    this.#warned.clear();
  }
}
