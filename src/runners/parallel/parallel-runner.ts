import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { invokeInThread, type InvocationOutcome, type TaskInvocation, type TaskInvoker } from '../../engine/invocation.js';
import { UsageError } from '../../errors.js';
import { LOG_LEVELS } from '../../logging/levels.js';
import type { State } from '../../states/state.js';
import { BaseTaskRunner } from '../base-runner.js';
import type { TaskRunJob } from '../task-runner.js';
import { findUnsendable } from './cloneable.js';
import type { WorkerMessage, WorkerRequest } from './protocol.js';
import { deserializeError } from './serialize.js';

export interface ParallelTaskRunnerOptions {
  /** Worker threads in the pool. @default os.availableParallelism() */
  readonly workers?: number;
  /** A worker's heap limit in MiB; a task that passes it ends Crashed and its worker is replaced. @default Node's own */
  readonly memoryLimitMb?: number;
}

// Under tests the sources run as .ts through tsx; once built, as .js.
const WORKER_FILE = fileURLToPath(new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

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

/**
 * Runs task runs on a pool of worker threads (piscina), one per core by
 * default: Prefect's Dask runner on one machine. The pool starts with the
 * first submission and is destroyed when the flow run ends. A task is rebuilt
 * in the worker from its module and key; one that cannot be (defined inside
 * a flow body) runs in the main thread, with a warning.
 */
export class ParallelTaskRunner extends BaseTaskRunner {
  readonly name = 'ParallelTaskRunner';
  readonly concurrency = 'in parallel';
  readonly workers: number;
  readonly #options: ParallelTaskRunnerOptions;
  /** One pool per flow run, made by the first submission (a promise: submissions race). */
  #pool: Promise<Piscina> | undefined;
  readonly #warnedInThread = new Set<string>();

  constructor(options: ParallelTaskRunnerOptions = {}) {
    super();
    this.#options = options;
    this.workers = validateWorkers(options.workers ?? availableParallelism());
  }

  protected execute(job: TaskRunJob): Promise<State> {
    job.announce(job.direct);
    return job.run(this.#invoke);
  }

  override async shutdown(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    this.#warnedInThread.clear();
    await super.shutdown();
    await (await pool)?.destroy();
  }

  duplicate(): ParallelTaskRunner {
    return new ParallelTaskRunner(this.#options);
  }

  #getPool(): Promise<Piscina> {
    this.#pool ??= this.#createPool();
    return this.#pool;
  }

  async #createPool(): Promise<Piscina> {
    const { Piscina } = await import('piscina');
    const limit = this.#options.memoryLimitMb;
    const pool = new Piscina({
      filename: WORKER_FILE,
      minThreads: this.workers,
      maxThreads: this.workers,
      idleTimeout: Number.POSITIVE_INFINITY,
      ...(limit === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: limit } }),
    });
    // A worker's uncaught error rejects the task it was running; the pool
    // also emits it, and an unheard 'error' event would end the CLI.
    pool.on('error', () => undefined);
    return pool;
  }

  #runInThread(invocation: TaskInvocation, why: string): Promise<InvocationOutcome> {
    const { flow, task } = invocation;
    if (!this.#warnedInThread.has(task.key)) {
      this.#warnedInThread.add(task.key);
      const { reporter } = flow.runtime;
      if (LOG_LEVELS.WARNING >= reporter.level) {
        reporter.log({
          kind: 'message',
          time: flow.runtime.now(),
          level: LOG_LEVELS.WARNING,
          source: { kind: 'flow-run', name: flow.flowRun.name },
          text: `Task '${task.name}' cannot run on a worker thread: ${why}. It runs in the main thread instead; to run it in parallel, define it with task() at the top level of a module.`,
        });
      }
    }
    return invokeInThread(invocation);
  }

  readonly #invoke: TaskInvoker = async (invocation) => {
    const { task, run, args, flow } = invocation;
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
    const pool = await this.#getPool();
    const { port1, port2 } = new MessageChannel();
    const request: WorkerRequest = {
      moduleUrl: task.moduleUrl,
      taskKey: task.registryKey,
      args,
      taskRun: { ...run },
      logPrints: invocation.logPrints,
      logLevel: flow.runtime.reporter.level,
      port: port2,
    };
    return new Promise<InvocationOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: InvocationOutcome | Promise<InvocationOutcome>): void => {
        if (!settled) {
          settled = true;
          port1.close();
          resolve(outcome);
        }
      };
      port1.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'log':
            if (message.level >= flow.runtime.reporter.level) {
              flow.runtime.reporter.log({
                kind: 'message',
                time: message.time,
                level: message.level as (typeof LOG_LEVELS)[keyof typeof LOG_LEVELS],
                source: { kind: 'task-run', name: run.name },
                text: message.text,
              });
            }
            return;
          case 'output':
            (message.stream === 'stdout' ? process.stdout : process.stderr).write(message.text);
            return;
          case 'returned':
            settle({ kind: 'returned', value: message.value });
            return;
          case 'threw':
            settle({ kind: 'threw', error: deserializeError(message.error) });
            return;
          case 'unsendable':
            settle({
              kind: 'crashed',
              reason: `Cannot send the result of task '${task.name}' back from its worker thread: ${message.reason}. Return plain data, or run this flow with --runner concurrent.`,
            });
            return;
          case 'not-found':
            settle(this.#runInThread(invocation, message.reason));
            return;
        }
      });
      pool.run(request, { transferList: [port2], signal: invocation.signal }).then(
        // The outcome itself arrives on the port, after everything printed before it.
        () => undefined,
        (error: unknown) => {
          // Lines the task printed just before its worker died may still be
          // in flight on the port: let them arrive before the outcome.
          setImmediate(() => settle({ kind: 'crashed', reason: describeWorkerFailure(task.name, error) }));
        },
      );
    });
  };
}
