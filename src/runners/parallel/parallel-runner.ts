import { availableParallelism } from 'node:os';
import { taskRunSource } from '../../engine/run-log.js';
import { type InvocationOutcome, type TaskInvocation, type TaskInvoker } from '../../engine/invocation.js';
import { UsageError } from '../../errors.js';
import { LOG_LEVELS, type LogLevel } from '../../logging/levels.js';
import { addQueuedRuns } from '../../logging/queued-runs.js';
import { hasRunEnded, type State } from '../../states/state.js';
import { BaseTaskRunner } from '../base-runner.js';
import { RunHere } from '../run-here.js';
import type { TaskRunJob } from '../task-runner.js';
import { findUnsendable } from './cloneable.js';
import { DispatchGate, executeThroughGate } from './dispatch-gate.js';
import { claimPrestartedPool } from './prestarted-pool.js';
import type { WorkerEvent, WorkerReply, WorkerRequest } from './protocol.js';
import { deserializeError } from './deserialize.js';
import { WorkerCommands } from './worker-commands.js';
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
// shell command's process group, tracked here too (worker-commands.ts). What
// a run logs once it has ended (or its flow run was stopped) goes to DEBUG.
const deliverEvent = ({ flow, run }: TaskInvocation, event: WorkerEvent, commands: () => WorkerCommands): void => {
  if (event.type === 'process-group') {
    commands().update(event.pid, event.alive);
    return;
  }
  if (event.type === 'output') {
    (event.stream === 'stdout' ? process.stdout : process.stderr).write(event.text);
    return;
  }
  const { reporter } = flow.runtime;
  const late = flow.signal.aborted || hasRunEnded(run.state);
  const level = (late ? Math.min(event.level, LOG_LEVELS.DEBUG) : event.level) as LogLevel;
  if (level >= reporter.level) {
    reporter.log({ kind: 'message', time: event.time, level, source: taskRunSource(run), text: event.text });
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
  /** The pool once it has started, for the runs waiting in its queue. */
  #started: WorkerPool | undefined;
  /** Runs that wait for the pool to start. */
  #awaitingPool = 0;
  /** Runs handed to the pool, not yet back: each of its threads runs one of them at a time, the others wait. */
  #inPool = 0;
  #stopCountingQueue: () => void = () => undefined;
  readonly #inThread = new RunHere(
    (taskName, why) =>
      `Task '${taskName}' cannot run on a worker thread: ${why}. It runs in the main thread instead; to run it in parallel, define it with task() at the top level of a module.`,
  );
  #nextCallId = 0;
  /** Runs started at once: enough to keep every worker fed. */
  readonly #gate: DispatchGate;

  constructor(options: ParallelTaskRunnerOptions = {}) {
    super();
    this.#options = options;
    this.workers = validateWorkers(options.workers ?? availableParallelism());
    this.#gate = new DispatchGate(this.workers * CALLS_PER_WORKER);
  }

  override async start(signal?: AbortSignal): Promise<void> {
    await super.start();
    // The spinner counts as running only the runs a worker has taken.
    this.#stopCountingQueue = addQueuedRuns(() => this.#countQueued());
    // A stopped flow run's task runs have ended (Cancelled or TimedOut):
    // their workers are terminated at once rather than left to run on.
    signal?.addEventListener('abort', () => void this.shutdown(), { once: true });
  }

  protected execute(job: TaskRunJob): Promise<State> {
    return executeThroughGate(this.#gate, job, this.#invoke);
  }

  override async shutdown(): Promise<void> {
    const started = this.#pool;
    this.#pool = undefined;
    this.#started = undefined;
    this.#stopCountingQueue();
    this.#inThread.clear();
    await super.shutdown();
    if (started !== undefined) {
      await destroyWorkerPool(await started);
    }
  }

  duplicate(): ParallelTaskRunner {
    return new ParallelTaskRunner(this.#options);
  }

  get startDetail(): string {
    return `Running tasks on ${this.workers} worker thread${this.workers === 1 ? '' : 's'}.`;
  }

  /** The pool this runner asks for. */
  get poolOptions(): WorkerPoolOptions {
    return { workers: this.workers, memoryLimitMb: this.#options.memoryLimitMb };
  }

  // Runs it has taken (they are Running) that no worker thread runs yet.
  #countQueued(): number {
    const threads = this.#started?.pool.threads.length ?? 0;
    return this.#awaitingPool + Math.max(0, this.#inPool - threads);
  }

  #getPool(): Promise<WorkerPool> {
    this.#pool ??= (claimPrestartedPool(this.poolOptions) ?? startWorkerPool(this.poolOptions)).then((pool) => (this.#started = pool));
    return this.#pool;
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
        return this.#inThread.run(invocation, reply.reason);
    }
  }

  readonly #invoke: TaskInvoker = async (invocation) => {
    const { task, args } = invocation;
    if (task.unshippableReason !== undefined || task.moduleUrl === undefined) {
      return this.#inThread.run(invocation, task.unshippableReason ?? 'the module that defines it is not known');
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
    let started: WorkerPool;
    this.#awaitingPool += 1;
    try {
      started = await this.#getPool();
    } finally {
      this.#awaitingPool -= 1;
    }
    const { pool, inbox } = started;
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
    let commands: WorkerCommands | undefined;
    const events = inbox.open(callId, (event) => deliverEvent(invocation, event, () => (commands ??= new WorkerCommands(invocation.signal))));
    // Only a run with a deadline has a signal of its own for piscina to
    // terminate its worker by; listening costs piscina time on every call.
    // The others stop with their flow run, which terminates the whole pool.
    const abortable = task.options.timeoutSeconds !== undefined;
    try {
      let reply: WorkerReply;
      this.#inPool += 1;
      try {
        reply = (await (abortable ? pool.run(request, { signal: invocation.signal }) : pool.run(request))) as WorkerReply;
      } catch (error) {
        // Lines the task printed just before its worker died may still be
        // on their way: let them arrive before the outcome.
        await events.waitForQueued();
        return { kind: 'crashed', reason: describeWorkerFailure(task.name, error) };
      } finally {
        this.#inPool -= 1;
      }
      // Most calls sent no event, or all of them have arrived: no wait then.
      const pending = events.waitForEvents(reply.events);
      if (pending !== undefined) {
        await pending;
      }
      return this.#replyToOutcome(invocation, reply);
    } finally {
      commands?.close();
      events.close();
    }
  }
}
