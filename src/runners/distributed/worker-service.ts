import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { LOG_LEVELS, type LogLevel } from '../../logging/levels.js';
import { importUserModule } from '../../loader/module-loader.js';
import { setTaskKeyRoot } from '../../tasks/task-key.js';
import type { WorkerEvent, WorkerReply, WorkerRequest } from '../parallel/protocol.js';
import type { RunInbox } from '../parallel/event-inbox.js';
import { WorkerCommands } from '../parallel/worker-commands.js';
import { destroyWorkerPool, startWorkerPool, type WorkerPool } from '../parallel/worker-pool.js';
import { decodeValue, encodeValue, lineEntryFields, type DistributedReply, type JobRun, type TaskRunJobData, type TaskRunJobResult } from './job-protocol.js';
import { JobResults } from './job-results.js';
import { cancelChannel } from './keys.js';
import { loadBullmq } from './load-libraries.js';
import { describeRedisUrl, openRedis } from './redis-connection.js';
import { hashFile, pathInProject } from './task-module.js';
import { HEARTBEAT_MS, removeWorkerInfo, writeWorkerInfo, type WorkerInfo } from './worker-registry.js';

// `flow worker`: serves a queue of the distributed runner. It takes task
// runs from BullMQ, finds each task in its own checkout of the project (the
// module at the same path, with the same content), and runs it on a worker
// thread of a pool like the parallel runner's, where it can be stopped (a
// timeout, a cancelled flow run) even in the middle of synchronous code: the
// thread is terminated. A job carries one run, or several of one task
// (job-batches.ts), run one after another. What a task logs or prints goes to
// the flow run on a stream of its own (keys.ts); results go back on that
// stream as their runs end, or with the job's own result (job-results.ts).

export interface WorkerServiceOptions {
  readonly redis: string;
  readonly queue: string;
  /** Task runs at once, each on a thread of its own. */
  readonly concurrency: number;
  /** The project root: task modules are found under it, and task keys made from it. */
  readonly projectRoot: string;
  /** Writes one of the worker's log lines (`flowrun.worker - ...`). */
  readonly log: (level: LogLevel, message: string) => void;
  /** How soon a task run of a worker that stopped answering goes to another (BullMQ's lock). @default 5000 */
  readonly lockMs?: number;
}

// BullMQ's defaults (a 30 s lock, a check each 30 s) leave a run whose
// worker was killed waiting up to a minute; these move it within ~10 s.
const DEFAULT_LOCK_MS = 5_000;

/** How long a step of stopping may wait for Redis. */
const REDIS_STEP_MS = 3_000;

/** Cancelled job ids kept, the oldest forgotten first. */
const REMEMBERED_CANCELLATIONS = 10_000;

// (A function: a check before an await does not tell one after it.)
const isStopped = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

const crashed = (reason: string): DistributedReply => ({ type: 'crashed', reason, events: 0 });

const describeOutcome = (reply: DistributedReply): string => {
  switch (reply.type) {
    case 'returned':
      return 'completed';
    case 'threw':
      return 'failed (the task threw)';
    default:
      return `crashed (${reply.reason})`;
  }
};

export class WorkerService {
  readonly id = `${hostname()}-${process.pid}`;
  readonly #options: WorkerServiceOptions;
  #pool: WorkerPool | undefined;
  #worker: Worker<TaskRunJobData, TaskRunJobResult> | undefined;
  #client: Redis | undefined;
  #subscriber: Redis | undefined;
  #workerClient: Redis | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #running = 0;
  #done = 0;
  #infoDue = false;
  /** Redis does not answer (said once, until it does again). */
  #redisLost = false;
  #nextCallId = 0;
  readonly #imported = new Map<string, Promise<void>>();
  /** Jobs whose flow run stopped them before they came here. */
  readonly #cancelled = new Set<string>();

  constructor(options: WorkerServiceOptions) {
    this.#options = options;
  }

  /** Connects, starts its threads and begins taking task runs; resolves once it is serving. */
  async start(): Promise<void> {
    const { redis, queue, concurrency, projectRoot } = this.#options;
    setTaskKeyRoot(projectRoot);
    const client = await openRedis(redis, 'worker');
    this.#client = client;
    const subscriber = await openRedis(redis, 'worker');
    this.#subscriber = subscriber;
    this.#pool = await startWorkerPool({ workers: concurrency, memoryLimitMb: undefined });
    const { Worker: BullWorker } = loadBullmq();
    // (BullMQ leaves a connection it was given open: stop() ends it.)
    const workerClient = client.duplicate({ maxRetriesPerRequest: null });
    // Its errors are the worker's ('error' below); unheard, ioredis prints each with a stack.
    workerClient.on('error', () => undefined);
    this.#workerClient = workerClient;
    const lockDuration = this.#options.lockMs ?? DEFAULT_LOCK_MS;
    const worker = new BullWorker<TaskRunJobData, TaskRunJobResult>(queue, (job, _token, signal) => this.#process(job, signal), {
      connection: workerClient,
      concurrency,
      name: this.id,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 1,
      autorun: false,
    });
    // Said once an outage (ioredis tries again, every few seconds).
    worker.on('error', (error) => {
      if (!this.#redisLost) {
        this.#redisLost = true;
        this.#options.log(LOG_LEVELS.WARNING, `Lost Redis at ${describeRedisUrl(redis)} (${error.message}); trying again until it answers.`);
      }
    });
    workerClient.on('ready', () => {
      if (this.#redisLost) {
        this.#redisLost = false;
        this.#options.log(LOG_LEVELS.INFO, `Redis at ${describeRedisUrl(redis)} answers again.`);
      }
    });
    this.#worker = worker;
    // A flow run stopped (a timeout, a signal): its runs here end at once.
    await subscriber.subscribe(cancelChannel(queue));
    subscriber.on('message', (_channel: string, jobId: string) => {
      if (!worker.cancelJob(jobId, 'its flow run stopped it')) {
        // Not running here yet: if it comes, it is not run.
        this.#rememberCancelled(jobId);
      }
    });
    await this.#writeInfo();
    this.#heartbeat = setInterval(() => void this.#writeInfo().catch(() => undefined), HEARTBEAT_MS);
    void worker.run().catch((error: unknown) => this.#options.log(LOG_LEVELS.ERROR, `The worker stopped: ${error instanceof Error ? error.message : String(error)}`));
    await worker.waitUntilReady();
    this.#options.log(LOG_LEVELS.INFO, `Worker '${this.id}' serving queue '${queue}' at ${describeRedisUrl(redis)} with concurrency ${concurrency}`);
  }

  /**
   * Takes no new task runs, lets those running finish for up to `graceMs`
   * (then stops them), and disconnects.
   */
  async stop(graceMs: number): Promise<void> {
    clearInterval(this.#heartbeat);
    const worker = this.#worker;
    this.#worker = undefined;
    // Each step that needs Redis gets a bounded time: a worker whose Redis
    // is gone still stops.
    const bounded = async (work: Promise<unknown>, ms: number): Promise<void> => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
    };
    if (worker !== undefined) {
      // Without Redis the running runs' outcomes cannot go back: no grace for them.
      const grace = this.#redisLost ? 0 : graceMs;
      const cancelling = setTimeout(() => worker.cancelAllJobs('the worker is stopping'), grace);
      await bounded(worker.close(), grace + REDIS_STEP_MS);
      clearTimeout(cancelling);
    }
    if (this.#client !== undefined && !this.#redisLost) {
      await bounded(removeWorkerInfo(this.#client, this.#options.queue, this.id), REDIS_STEP_MS);
    }
    this.#subscriber?.disconnect();
    this.#workerClient?.disconnect();
    this.#client?.disconnect();
    if (this.#pool !== undefined) {
      await destroyWorkerPool(this.#pool);
      this.#pool = undefined;
    }
  }

  get #info(): WorkerInfo {
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      queue: this.#options.queue,
      concurrency: this.#options.concurrency,
      running: this.#running,
      done: this.#done,
      lastSeen: Date.now(),
    };
  }

  async #writeInfo(): Promise<void> {
    if (this.#client !== undefined) {
      await writeWorkerInfo(this.#client, this.#info);
    }
  }

  // Its counts changed: written soon (once for a burst of changes), so that
  // `flow workers` shows them as they are.
  #countsChanged(): void {
    if (!this.#infoDue) {
      this.#infoDue = true;
      setImmediate(() => {
        this.#infoDue = false;
        void this.#writeInfo().catch(() => undefined);
      });
    }
  }

  #rememberCancelled(jobId: string): void {
    this.#cancelled.add(jobId);
    if (this.#cancelled.size > REMEMBERED_CANCELLATIONS) {
      const [oldest] = this.#cancelled;
      if (oldest !== undefined) {
        this.#cancelled.delete(oldest);
      }
    }
  }

  async #process(job: Job<TaskRunJobData, TaskRunJobResult>, signal: AbortSignal | undefined): Promise<TaskRunJobResult> {
    const { data } = job;
    const client = this.#client;
    const jobId = job.id ?? data.runs[0]?.key ?? '';
    if (this.#cancelled.has(jobId) || client === undefined) {
      const reply = encodeValue(crashed(client === undefined ? `Worker '${this.id}' is stopping.` : `The task run was stopped before worker '${this.id}' began it.`));
      return { replies: data.runs.map(({ key }) => [key, reply] as const) };
    }
    const module = await this.#findModule(data);
    // A job this worker takes after another was lost: the runs whose results went back are not run again.
    const sentBefore = job.attemptsStarted > 1 || job.stalledCounter > 0 ? await JobResults.sentBefore(client, this.#options.queue, jobId) : new Set<string>();
    const results = new JobResults(client, this.#options.queue, jobId, data.linesKey);
    // The runs the job's flow run stopped before they began: said in one line.
    const notBegun: JobRun[] = [];
    for (const run of data.runs) {
      if (sentBefore.has(run.key)) {
        continue;
      }
      if (isStopped(signal)) {
        notBegun.push(run);
        results.add(run.key, encodeValue(crashed(`The task run was stopped before worker '${this.id}' began it.`)));
        continue;
      }
      const reply = await this.#runOne(run, data, module, signal);
      try {
        results.add(run.key, encodeValue(reply));
      } catch (error) {
        results.add(
          run.key,
          encodeValue(crashed(`Cannot send the result of task '${data.taskName}' back from worker '${this.id}': ${error instanceof Error ? error.message : String(error)}.`)),
        );
      }
    }
    const [first] = notBegun;
    const last = notBegun.at(-1);
    if (first !== undefined && last !== undefined) {
      this.#options.log(
        LOG_LEVELS.WARNING,
        notBegun.length === 1
          ? `Task run '${first.taskRun.name}' of flow run '${data.flowRunName}' was stopped before it began (by its flow run: a timeout or a signal)`
          : `${notBegun.length} task runs of flow run '${data.flowRunName}', '${first.taskRun.name}' to '${last.taskRun.name}', were stopped before they began (by their flow run: a timeout or a signal)`,
      );
    }
    return { replies: await results.finish() };
  }

  // A run of a job, with its lines in the worker's log.
  async #runOne(run: JobRun, data: TaskRunJobData, module: { path: string } | { problem: string }, signal: AbortSignal | undefined): Promise<DistributedReply> {
    this.#running += 1;
    this.#countsChanged();
    this.#options.log(LOG_LEVELS.INFO, `Task run '${run.taskRun.name}' of flow run '${data.flowRunName}' started`);
    let reply: DistributedReply;
    try {
      reply = 'problem' in module ? crashed(module.problem) : await this.#runTask(run, data, module.path, signal);
    } finally {
      this.#running -= 1;
      this.#done += 1;
      this.#countsChanged();
    }
    const outcome = isStopped(signal) ? 'was stopped (by its flow run: a timeout or a signal)' : describeOutcome(reply);
    this.#options.log(reply.type === 'returned' ? LOG_LEVELS.INFO : LOG_LEVELS.WARNING, `Task run '${run.taskRun.name}' of flow run '${data.flowRunName}' ${outcome}`);
    return reply;
  }

  // The job's module in this checkout, imported; or why its runs cannot run here.
  async #findModule(data: TaskRunJobData): Promise<{ path: string } | { problem: string }> {
    const { projectRoot } = this.#options;
    const path = pathInProject(projectRoot, data.modulePath);
    if (path === undefined) {
      return { problem: `Worker '${this.id}' runs only modules of its project, and '${data.modulePath}' is not a path in it.` };
    }
    if (!existsSync(path)) {
      return { problem: `Worker '${this.id}' has no file '${data.modulePath}' in its project (${projectRoot}): run it in a checkout of the flow's project.` };
    }
    if (hashFile(path) !== data.moduleHash) {
      return {
        problem: `Worker '${this.id}' has another version of '${data.modulePath}' than the flow run (their contents differ): check out the same version of the project on both machines.`,
      };
    }
    const loadProblem = await this.#importOnce(path);
    if (loadProblem !== undefined) {
      return { problem: `Worker '${this.id}' cannot load '${data.modulePath}': ${loadProblem}` };
    }
    return { path };
  }

  async #runTask(run: JobRun, data: TaskRunJobData, path: string, signal: AbortSignal | undefined): Promise<DistributedReply> {
    const pool = this.#pool;
    const client = this.#client;
    if (pool === undefined || client === undefined) {
      return crashed(`Worker '${this.id}' is stopping.`);
    }
    this.#nextCallId += 1;
    const callId = this.#nextCallId;
    // Lines go out in order, each once the one before is written.
    let sending: Promise<unknown> = Promise.resolve();
    let sent = 0;
    // The shell commands the task starts, ended here if its thread is ended.
    let commands: WorkerCommands | undefined;
    const send = (event: WorkerEvent): void => {
      if (event.type === 'process-group') {
        if (signal !== undefined) {
          commands ??= new WorkerCommands(signal);
          commands.update(event.pid, event.alive);
        }
        return;
      }
      sent += 1;
      const entry =
        event.type === 'log'
          ? { job: run.key, kind: 'log' as const, level: event.level, time: event.time, text: event.text, bytes: false }
          : typeof event.text === 'string'
            ? { job: run.key, kind: event.stream, level: 0, time: Date.now(), text: event.text, bytes: false }
            : { job: run.key, kind: event.stream, level: 0, time: Date.now(), text: Buffer.from(event.text).toString('base64'), bytes: true };
      sending = sending.then(() => client.xadd(data.linesKey, '*', ...lineEntryFields(entry)).catch(() => undefined));
    };
    const events = pool.inbox.open(callId, send);
    const request: WorkerRequest = {
      callId,
      moduleUrl: pathToFileURL(path).href,
      taskKey: data.registryKey,
      args: decodeValue(run.args) as unknown[],
      taskRun: run.taskRun,
      logPrints: data.logPrints,
      logLevel: data.logLevel,
    };
    try {
      return await this.#call(pool, request, events, signal, data, () => sent, () => sending);
    } finally {
      commands?.close();
    }
  }

  async #call(
    pool: WorkerPool,
    request: WorkerRequest,
    events: RunInbox,
    signal: AbortSignal | undefined,
    data: TaskRunJobData,
    sent: () => number,
    sending: () => Promise<unknown>,
  ): Promise<DistributedReply> {
    let reply: WorkerReply;
    try {
      reply = (await (signal === undefined ? pool.pool.run(request) : pool.pool.run(request, { signal }))) as WorkerReply;
      const pending = events.waitForEvents(reply.events);
      if (pending !== undefined) {
        await pending;
      }
    } catch (error) {
      await events.waitForQueued();
      await sending();
      events.close();
      if (signal?.aborted === true) {
        return crashed(`The task run was stopped on worker '${this.id}'.`);
      }
      return { ...crashed(`The worker thread running task '${data.taskName}' on worker '${this.id}' died: ${error instanceof Error ? error.message : String(error)}.`), events: sent() };
    }
    events.close();
    await sending();
    return { ...reply, events: sent() };
  }

  // A module is imported once in this thread: its tasks register, and its
  // recorded source serves the threads.
  async #importOnce(path: string): Promise<string | undefined> {
    let importing = this.#imported.get(path);
    if (importing === undefined) {
      importing = importUserModule(path).then(() => undefined);
      this.#imported.set(path, importing);
    }
    try {
      await importing;
      return undefined;
    } catch (error) {
      this.#imported.delete(path);
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
}
