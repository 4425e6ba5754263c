import { availableParallelism } from 'node:os';
import { logMessage } from '../../engine/run-log.js';
import { invokeInThread, type InvocationOutcome, type TaskInvocation, type TaskInvoker } from '../../engine/invocation.js';
import { UsageError } from '../../errors.js';
import { LOG_LEVELS, type LogLevel } from '../../logging/levels.js';
import type { State } from '../../states/state.js';
import { killProcessGroup, trackProcessGroup } from '../../shell/process-registry.js';
import { BaseTaskRunner } from '../base-runner.js';
import type { TaskRunJob } from '../task-runner.js';
import { findUnsendable } from './cloneable.js';
import { DispatchGate } from './dispatch-gate.js';
import { claimPrestartedPool } from './prestarted-pool.js';
import type { WorkerEvent, WorkerReply, WorkerRequest } from './protocol.js';
import { deserializeError } from './deserialize.js';
import { destroyWorkerPool, startWorkerPool, type WorkerPool, type WorkerPoolOptions } from './worker-pool.js';

export interface ParallelTaskRunnerOptions {
  /** Worker threads in the pool. @default os.availableParallelism() */
  readonly workers?: number;
  /** A worker's heap limit in MiB; a task that passes it ends Crashed and its worker is replaced. @default Node's own */
  readonly memoryLimitMb?: number;
}

// Runs started per worker: a few dozen keep a worker from ever waiting for
// the main thread. More only hold memory (at 100,000 trivial tasks on two
// workers: 0.53 GB of peak RSS with 32, 0.57 with 256, 0.9 with 1,024).
const CALLS_PER_WORKER = 32;

const validateWorkers = (workers: unknown): number => {
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1) {
    throw new UsageError(`ParallelTaskRunner: option 'workers' must be a positive integer, got ${JSON.stringify(workers)}.`);
  }
  return workers;
};

// Why a worker failed, for `Crash detected! <why>`.
const describeWorkerFailure = (taskName: string, error: unknown): string => {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return `The worker thread running task '${taskName}' ran out of memory and was replaced.`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const exited = /exited with code:? (\d+)/i.exec(message);
  if (exited !== null) {
    return `The worker thread running task '${taskName}' exited with code ${exited[1]} (process.exit() in task code ends its worker) and was replaced.`;
  }
  return `The worker thread running task '${taskName}' died: ${error instanceof Error ? `${error.name}: ${message}` : message}; it was replaced.`;
};

// A log line or a write of a task on a worker, shown as if it ran here; a
// shell command's process group, tracked here too so that a timeout (which
// terminates the worker) or a signal can still end it.
const deliverEvent = ({ flow, run }: TaskInvocation, event: WorkerEvent, groups: Map<number, () => void>): void => {
  if (event.type === 'process-group') {
    if (event.alive) {
      groups.set(event.pid, trackProcessGroup(event.pid));
    } else {
      groups.get(event.pid)?.();
      groups.delete(event.pid);
    }
    return;
  }
  if (event.type === 'output') {
    (event.stream === 'stdout' ? process.stdout : process.stderr).write(event.text);
    return;
  }
  const { reporter } = flow.runtime;
  if (event.level >= reporter.level) {
    reporter.log({
      kind: 'message',
      time: event.time,
      level: event.level as LogLevel,
      source: { kind: 'task-run', name: run.name },
      text: event.text,
    });
  }
};

/**
 * Runs task runs on a pool of worker threads (piscina), one per core by
 * default: Prefect's Dask runner on one machine. The pool starts with the
 * first submission (or earlier, by the CLI: prestarted-pool.ts) and is
 * destroyed when the flow run ends. A task is rebuilt in the worker from its
 * module and key; one that cannot be (defined inside a flow body) runs in the
 * main thread, with a warning.
 */
export class ParallelTaskRunner extends BaseTaskRunner {
  readonly name = 'ParallelTaskRunner';
  readonly concurrency = 'in parallel';
  readonly workers: number;
  readonly #options: ParallelTaskRunnerOptions;
  /** One pool per flow run, made by the first submission (a promise: submissions race). */
  #pool: Promise<WorkerPool> | undefined;
  readonly #warnedInThread = new Set<string>();
  #nextCallId = 0;
  /** Runs started at once: enough to keep every worker fed. */
  readonly #gate: DispatchGate;

  constructor(options: ParallelTaskRunnerOptions = {}) {
    super();
    this.#options = options;
    this.workers = validateWorkers(options.workers ?? availableParallelism());
    this.#gate = new DispatchGate(this.workers * CALLS_PER_WORKER);
  }

  protected execute(job: TaskRunJob): Promise<State> {
    job.announce(job.direct);
    // A run submitted from inside a task run (one that runs in this thread)
    // starts at once: its caller may hold a place while it waits for it.
    if (job.nested) {
      return job.run(this.#invoke);
    }
    // Queued before it starts (it stays Pending until then), so that a run
    // waiting for its turn holds little more than its job.
    const start = (): Promise<State> => job.run(this.#invoke).finally(() => this.#gate.leave());
    const waiting = this.#gate.enter();
    return waiting === undefined ? start() : waiting.then(start);
  }

  override async shutdown(): Promise<void> {
    const started = this.#pool;
    this.#pool = undefined;
    this.#warnedInThread.clear();
    await super.shutdown();
    if (started !== undefined) {
      await destroyWorkerPool(await started);
    }
  }

  duplicate(): ParallelTaskRunner {
    return new ParallelTaskRunner(this.#options);
  }

  /** The pool this runner asks for. */
  get poolOptions(): WorkerPoolOptions {
    return { workers: this.workers, memoryLimitMb: this.#options.memoryLimitMb };
  }

  #getPool(): Promise<WorkerPool> {
    this.#pool ??= claimPrestartedPool(this.poolOptions) ?? startWorkerPool(this.poolOptions);
    return this.#pool;
  }

  #runInThread(invocation: TaskInvocation, why: string): InvocationOutcome | Promise<InvocationOutcome> {
    const { flow, task } = invocation;
    if (!this.#warnedInThread.has(task.key)) {
      this.#warnedInThread.add(task.key);
      logMessage(
        flow.runtime,
        { kind: 'flow-run', name: flow.flowRun.name },
        LOG_LEVELS.WARNING,
        `Task '${task.name}' cannot run on a worker thread: ${why}. It runs in the main thread instead; to run it in parallel, define it with task() at the top level of a module.`,
      );
    }
    return invokeInThread(invocation);
  }

  #replyToOutcome(invocation: TaskInvocation, reply: WorkerReply): InvocationOutcome | Promise<InvocationOutcome> {
    switch (reply.type) {
      case 'returned':
        return { kind: 'returned', value: reply.value };
      case 'threw':
        return { kind: 'threw', error: deserializeError(reply.error) };
      case 'unsendable':
        return {
          kind: 'crashed',
          reason: `Cannot send the result of task '${invocation.task.name}' back from its worker thread: ${reply.reason}. Return plain data, or run this flow with --runner concurrent.`,
        };
      case 'not-found':
        return this.#runInThread(invocation, reply.reason);
    }
  }

  readonly #invoke: TaskInvoker = async (invocation) => {
    const { task, args } = invocation;
    if (task.unshippableReason !== undefined || task.moduleUrl === undefined) {
      return this.#runInThread(invocation, task.unshippableReason ?? 'the module that defines it is not known');
    }
    const unsendable = findUnsendable(args, 'argument');
    if (unsendable !== undefined) {
      return {
        kind: 'crashed',
        reason: `Cannot send the arguments of task '${task.name}' to a worker thread: ${unsendable.replace(/^argument\[(\d+)\]/, (_whole, index: string) => `argument ${Number(index) + 1}`)}. Pass plain data (objects, arrays, strings, numbers, Dates, Maps), or run this flow with --runner concurrent.`,
      };
    }
    return this.#call(invocation, task.moduleUrl);
  };

  async #call(invocation: TaskInvocation, moduleUrl: string): Promise<InvocationOutcome> {
    const { task, run, args, flow } = invocation;
    const { pool, inbox } = await this.#getPool();
    const callId = (this.#nextCallId += 1);
    const request: WorkerRequest = {
      callId,
      moduleUrl,
      taskKey: task.registryKey,
      args,
      taskRun: { id: run.id, name: run.name, taskName: run.taskName, taskKey: run.taskKey, flowRunId: run.flowRunId, tags: run.tags, upstreamIds: run.upstreamIds },
      logPrints: invocation.logPrints,
      logLevel: flow.runtime.reporter.level,
    };
    const groups = new Map<number, () => void>();
    const events = inbox.open(callId, (event) => deliverEvent(invocation, event, groups));
    // Only a run with a deadline can be aborted (which terminates its worker
    // and so must end the shell commands it started); listening costs piscina
    // time on every call, so the others go without.
    const abortable = task.options.timeoutSeconds !== undefined;
    const endCommands = (): void => {
      for (const [pid, untrack] of groups) {
        killProcessGroup(pid, 'SIGKILL');
        untrack();
      }
    };
    if (abortable) {
      invocation.signal.addEventListener('abort', endCommands, { once: true });
    }
    try {
      let reply: WorkerReply;
      try {
        reply = (await (abortable ? pool.run(request, { signal: invocation.signal }) : pool.run(request))) as WorkerReply;
      } catch (error) {
        // Lines the task printed just before its worker died may still be
        // on their way: let them arrive before the outcome.
        await events.waitForQueued();
        return { kind: 'crashed', reason: describeWorkerFailure(task.name, error) };
      }
      // Most calls sent no event, or all of them have arrived: no wait then.
      const pending = events.waitForEvents(reply.events);
      if (pending !== undefined) {
        await pending;
      }
      return this.#replyToOutcome(invocation, reply);
    } finally {
      if (abortable) {
        invocation.signal.removeEventListener('abort', endCommands);
      }
      events.close();
    }
  }
}
