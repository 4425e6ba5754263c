import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { type InvocationOutcome, type TaskInvocation, type TaskInvoker } from '../../engine/invocation.js';
import { flowRunSource, logMessage } from '../../engine/run-log.js';
import { UsageError } from '../../errors.js';
import { LOG_LEVELS } from '../../logging/levels.js';
import type { State } from '../../states/state.js';
import { getTaskKeyRoot } from '../../tasks/task-key.js';
import { addExitWork } from '../../util/exit-work.js';
import type { TagLimits } from '../../engine/concurrency-limits.js';
import { BaseTaskRunner } from '../base-runner.js';
import { RunHere } from '../run-here.js';
import { findUnsendable } from '../parallel/cloneable.js';
import { DispatchGate, executeThroughGate } from '../parallel/dispatch-gate.js';
import type { TaskRunJob } from '../task-runner.js';
import { DEFAULT_QUEUE, DEFAULT_REDIS_URL, QUEUE_NAME_PATTERN, REDIS_URL_PATTERN } from './defaults.js';
import { groupIntoJobs, runsPerJob, type RunToSend } from './job-batches.js';
import { encodeValue, type TaskRunJobData, type TaskRunJobResult } from './job-protocol.js';
import { cancelChannel, linesStreamKey } from './keys.js';
import { LinesReader } from './lines-reader.js';
import { loadBullmq } from './load-libraries.js';
import { decodeJobResult, PendingRuns } from './pending-runs.js';
import { describeRedisUrl, openRedis } from './redis-connection.js';
import { RedisTagLimits } from './redis-tag-limits.js';
import { hashFile, projectRelativePath } from './task-module.js';
import { countLiveWorkers } from './worker-registry.js';

export interface DistributedTaskRunnerOptions {
  /** The Redis server. @default 'redis://127.0.0.1:6379' */
  readonly redis?: string;
  /** The queue `flow worker` processes serve. @default 'flowrun' */
  readonly queue?: string;
}


/** With task runs waiting this long and no worker serving the queue, the run says so. */
const NO_WORKER_WARNING_MS = 10_000;
/** How often the runs in flight are checked in Redis too, in case an event was missed (a reconnection). */
const STATE_CHECK_MS = 5_000;
/** Runs the state check looks at, at most, each time. */
const STATE_CHECKS_AT_ONCE = 200;
/** Redis silent this long ends the runs in flight Crashed (API.md section 7: within 60 s, the checks and the close included). */
const REDIS_LOST_MS = 30_000;
/** Task runs out on the queue at once, at most: well above what any pool of workers takes at once. */
const MAX_RUNS_OUT = 2_000;
/** Jobs a command adds, at most. */
const ADD_CHUNK = 500;
/** How long shutdown waits for Redis to take the last commands of a run. */
const CLOSE_GRACE_MS = 3_000;

/** What start() opens, closed by shutdown(). */
interface Connections {
  readonly queue: Queue<TaskRunJobData, TaskRunJobResult>;
  readonly events: QueueEvents;
  readonly eventsClient: Redis;
  /** For the runner's own commands (publishing cancellations, the workers' registry). */
  readonly client: Redis;
  /** Reads the lines stream, on a connection of its own. */
  readonly lines: LinesReader;
}

/**
 * Sends task runs to `flow worker` processes, on this machine or others,
 * through a BullMQ queue on Redis: Prefect's Dask and Ray runners. The flow
 * run keeps the engine (states, retries, caching, hooks, logs, history);
 * workers only call task functions, each on a worker thread of their own, as
 * the parallel runner does. A task is found on a worker by its module's path
 * in the project and its registry key, and must be defined at the top level
 * of a module; one that cannot be sent runs here, with a warning.
 */
export class DistributedTaskRunner extends BaseTaskRunner {
  readonly name = 'DistributedTaskRunner';
  readonly concurrency = 'in parallel';
  readonly redisUrl: string;
  readonly queueName: string;
  readonly #options: DistributedTaskRunnerOptions;
  readonly #id = randomUUID();
  #connections: Promise<Connections> | undefined;
  readonly #pending = new PendingRuns();
  readonly #attempts = new WeakMap<object, number>();
  readonly #moduleHashes = new Map<string, string>();
  /** Each task module's path in the project (undefined: outside it), by project root and module. */
  readonly #modulePaths = new Map<string, string | undefined>();
  /** Withdrawals under way (#withdraw). */
  readonly #withdrawing = new Set<Promise<void>>();
  // Runs it cannot send run here, once said for each task.
  readonly #here = new RunHere(
    (taskName, why) =>
      `Task '${taskName}' cannot run on a worker: ${why}. It runs in the flow run's process instead; to run it on workers, define it with task() at the top level of a module of the project.`,
  );
  #stateCheck: NodeJS.Timeout | undefined;
  #noWorkerCheck: NodeJS.Timeout | undefined;
  /** Since when Redis has not answered the state check. */
  #redisLostSince: number | undefined;
  /** Runs out on the queue at once (the others wait, Pending): a .map() of 100,000 holds a bounded number in Redis and in flight. */
  readonly #gate = new DispatchGate(MAX_RUNS_OUT);
  /** Runs waiting to be added. */
  #toAdd: RunToSend[] = [];
  #stopping: Promise<void> | undefined;

  constructor(options: DistributedTaskRunnerOptions = {}) {
    super();
    this.#options = options;
    this.redisUrl = options.redis ?? DEFAULT_REDIS_URL;
    this.queueName = options.queue ?? DEFAULT_QUEUE;
    if (!REDIS_URL_PATTERN.test(this.redisUrl)) {
      throw new UsageError(`DistributedTaskRunner: option 'redis' must be a Redis URL (redis://host:port), got ${JSON.stringify(options.redis)}.`);
    }
    if (!QUEUE_NAME_PATTERN.test(this.queueName)) {
      throw new UsageError(`DistributedTaskRunner: option 'queue' must be letters, digits, _, . and -, got ${JSON.stringify(options.queue)}.`);
    }
  }

  get startDetail(): string {
    return `Sending task runs to queue '${this.queueName}' at ${describeRedisUrl(this.redisUrl)}.`;
  }

  /**
   * Opens the connections to Redis now rather than as the run starts (start()
   * uses them): the CLI connects before the run's first line, so that a
   * Redis that cannot be reached is one line and exit 2, and so that the
   * run does not begin with a quarter of a second of set-up (loading BullMQ,
   * connecting), as the parallel runner's pool is started beforehand too.
   * Throws a RedisUnreachableError when Redis does not answer.
   */
  async connect(): Promise<void> {
    await this.#connect();
  }

  override async start(signal?: AbortSignal): Promise<void> {
    await super.start();
    this.#stopping = undefined;
    // Connected now, so that a Redis that cannot be reached fails the run
    // before any task run is made.
    await this.#connect();
    // A stopped flow run's task runs have ended (Cancelled or TimedOut): its
    // queued jobs are withdrawn and its running ones stopped on their workers.
    // (Before the CLI exits on a signal: exit-work.ts.)
    signal?.addEventListener('abort', () => addExitWork(this.#withdrawAll()), { once: true });
  }

  protected execute(job: TaskRunJob): Promise<State> {
    return executeThroughGate(this.#gate, job, this.#invoke);
  }

  override async shutdown(): Promise<void> {
    await super.shutdown();
    this.#stopping ??= this.#close();
    await this.#stopping;
  }

  // Kept in Redis: they hold across every flow run on the queue, and so across its workers.
  tagLimits(limits: Readonly<Record<string, number>>): TagLimits {
    return new RedisTagLimits(async () => (await this.#connect()).client, this.queueName, limits);
  }

  duplicate(): DistributedTaskRunner {
    return new DistributedTaskRunner(this.#options);
  }

  get #linesKey(): string {
    return linesStreamKey(this.queueName, this.#id);
  }

  #connect(): Promise<Connections> {
    this.#connections ??= this.#open().catch((error: unknown) => {
      // A later attempt (the next run of this runner) tries again.
      this.#connections = undefined;
      throw error;
    });
    return this.#connections;
  }

  async #open(): Promise<Connections> {
    // The three at once: the first run waits for one round trip, not three.
    const opening = await Promise.allSettled([openRedis(this.redisUrl, 'flow-run'), openRedis(this.redisUrl, 'worker'), openRedis(this.redisUrl, 'worker')]);
    const opened = opening.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    try {
      const [client, eventsClient, linesClient] = opening.map((result) => {
        if (result.status === 'rejected') {
          throw result.reason;
        }
        return result.value;
      }) as [Redis, Redis, Redis];
      const { Queue, QueueEvents } = loadBullmq();
      // (BullMQ leaves the connections it was given open: #close ends them.)
      const queue = new Queue<TaskRunJobData, TaskRunJobResult>(this.queueName, { connection: client });
      const events = new QueueEvents(this.queueName, { connection: eventsClient });
      queue.on('error', () => undefined);
      events.on('error', () => undefined);
      events.on('completed', ({ jobId, returnvalue }) => this.#pending.jobCompleted(jobId, decodeJobResult(returnvalue)));
      events.on('failed', ({ jobId, failedReason }) => this.#pending.failed(jobId, failedReason));
      events.on('stalled', ({ jobId }) => this.#pending.stalled(jobId));
      events.on('active', ({ jobId }) => this.#pending.taken(jobId));
      await events.waitUntilReady();
      const lines = new LinesReader(linesClient, this.#linesKey, (entry) => this.#pending.line(entry));
      return { queue, events, eventsClient, client, lines };
    } catch (error) {
      for (const client of opened) {
        client.disconnect();
      }
      throw error;
    }
  }

  async #close(): Promise<void> {
    const connecting = this.#connections;
    this.#connections = undefined;
    clearInterval(this.#stateCheck);
    clearTimeout(this.#noWorkerCheck);
    this.#stateCheck = undefined;
    this.#noWorkerCheck = undefined;
    if (connecting === undefined) {
      return;
    }
    let connections: Connections;
    try {
      connections = await connecting;
    } catch {
      return;
    }
    const { queue, events, eventsClient, client, lines } = connections;
    lines.stop();
    const orderly = async (): Promise<void> => {
      await this.#withdrawAll(connections);
      await Promise.all(this.#withdrawing);
      await client.del(this.#linesKey).catch(() => undefined);
      await Promise.allSettled([events.close(), queue.close()]);
    };
    // A Redis that went away would keep an orderly close waiting: it gets a
    // few seconds, then the connections are cut.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([orderly(), new Promise((resolve) => (timer = setTimeout(resolve, this.#redisLostSince === undefined ? CLOSE_GRACE_MS : 0)))]);
    clearTimeout(timer);
    eventsClient.disconnect();
    client.disconnect();
  }

  readonly #invoke: TaskInvoker = (invocation) => {
    const { task, args } = invocation;
    if (task.unshippableReason !== undefined || task.moduleUrl === undefined) {
      return this.#here.run(invocation, task.unshippableReason ?? 'the module that defines it is not known');
    }
    const root = getTaskKeyRoot();
    // Found once a module: a .map() of 10,000 runs asks 10,000 times.
    const found = `${root}\0${task.moduleUrl}`;
    let modulePath = this.#modulePaths.get(found);
    if (modulePath === undefined && !this.#modulePaths.has(found)) {
      modulePath = projectRelativePath(task.moduleUrl, root);
      this.#modulePaths.set(found, modulePath);
    }
    if (modulePath === undefined) {
      return this.#here.run(invocation, `its module is outside the project root ${root}`);
    }
    const unsendable = findUnsendable(args, 'argument');
    if (unsendable !== undefined) {
      return {
        kind: 'crashed',
        reason: `Cannot send the arguments of task '${task.name}' to a worker: ${unsendable.replace(/^argument\[(\d+)\]/, (_whole, index: string) => `argument ${Number(index) + 1}`)}. Pass plain data (objects, arrays, strings, numbers, Dates, Maps), or run this flow with --runner concurrent.`,
      };
    }
    // Hashed once a run: the flow run sends what it loaded.
    let moduleHash = this.#moduleHashes.get(task.moduleUrl);
    if (moduleHash === undefined) {
      try {
        moduleHash = hashFile(task.moduleUrl.startsWith('file:') ? fileURLToPath(task.moduleUrl) : task.moduleUrl);
      } catch (error) {
        return { kind: 'crashed', reason: `Cannot read the module of task '${task.name}' (${modulePath}): ${error instanceof Error ? error.message : String(error)}.` };
      }
      this.#moduleHashes.set(task.moduleUrl, moduleHash);
    }
    return this.#send(invocation, modulePath, moduleHash);
  };

  async #send(invocation: TaskInvocation, modulePath: string, moduleHash: string): Promise<InvocationOutcome> {
    const { task, run, args, flow, signal } = invocation;
    let connections: Connections;
    try {
      connections = await this.#connect();
    } catch (error) {
      return { kind: 'crashed', reason: `Cannot send task run '${run.name}' to queue '${this.queueName}': ${error instanceof Error ? error.message : String(error)}` };
    }
    const { queue, client } = connections;
    // A key per attempt of the run, made of the run's id: its job's id when
    // it travels alone, so that a job added twice (a retried request) is one.
    const attempt = (this.#attempts.get(run) ?? 0) + 1;
    this.#attempts.set(run, attempt);
    const key = `${run.id}-${attempt}`;
    const data: TaskRunJobData = {
      modulePath,
      moduleHash,
      registryKey: task.registryKey,
      taskName: task.name,
      runs: [
        {
          key,
          args: encodeValue(args),
          taskRun: { id: run.id, name: run.name, taskName: run.taskName, taskKey: run.taskKey, flowRunId: run.flowRunId, tags: run.tags, upstreamIds: run.upstreamIds },
        },
      ],
      flowRunName: flow.flowRun.name,
      logPrints: invocation.logPrints,
      logLevel: flow.runtime.reporter.level,
      linesKey: this.#linesKey,
    };
    const outcome = this.#pending.add(key, invocation);
    // Only a run with a deadline has a signal of its own to withdraw it by
    // (a listener on the flow run's signal for each run would cost each one
    // the length of the list); the others are withdrawn with their flow run
    // (start()). Before the CLI exits on a signal: exit-work.ts. Such a run
    // travels alone: withdrawing a job stops each of its runs.
    const ownSignal = task.options.timeoutSeconds !== undefined;
    const onAbort = (): void => addExitWork(this.#withdraw(this.#pending.get(key)?.jobId ?? key, client, queue));
    if (ownSignal) {
      signal.addEventListener('abort', onAbort, { once: true });
    }
    this.#add(queue, { key, data, runName: run.name, batchable: !ownSignal });
    this.#watch();
    try {
      return await outcome;
    } finally {
      if (ownSignal) {
        signal.removeEventListener('abort', onAbort);
      }
    }
  }

  // Runs are sent those of one turn of the event loop together: in jobs of
  // several runs when many wait (runsPerJob), and many jobs to a command
  // (addBulk, ADD_CHUNK at most): a .map() of 10,000 runs is a few hundred
  // jobs and one round trip to Redis a chunk, not 10,000 of each.
  #add(queue: Queue<TaskRunJobData, TaskRunJobResult>, run: RunToSend): void {
    this.#toAdd.push(run);
    if (this.#toAdd.length === 1) {
      setImmediate(() => void this.#addWaiting(queue));
    }
  }

  async #addWaiting(queue: Queue<TaskRunJobData, TaskRunJobResult>): Promise<void> {
    while (this.#toAdd.length > 0) {
      const perJob = runsPerJob(this.#toAdd.length + this.#gate.waiting);
      // (A run withdrawn before it was added is left out.)
      const waiting = this.#toAdd.splice(0, ADD_CHUNK * perJob).filter(({ key }) => this.#pending.get(key) !== undefined);
      const jobs = groupIntoJobs(waiting, perJob);
      for (const { opts, data } of jobs) {
        this.#pending.assign(opts.jobId, data.runs.map(({ key }) => key));
      }
      try {
        await queue.addBulk(jobs);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        for (const { key, runName } of waiting) {
          this.#pending.settle(key, { kind: 'crashed', reason: `Cannot send task run '${runName}' to queue '${this.queueName}' at ${describeRedisUrl(this.redisUrl)}: ${why}.` });
        }
      }
    }
  }

  // The timers that look after the runs in flight, started with the first.
  #watch(): void {
    this.#stateCheck ??= setInterval(() => void this.#checkStates(), STATE_CHECK_MS);
    this.#stateCheck.unref();
    this.#noWorkerCheck ??= setTimeout(() => void this.#warnIfNoWorker(), NO_WORKER_WARNING_MS);
    this.#noWorkerCheck.unref();
  }

  async #warnIfNoWorker(): Promise<void> {
    const waiting = this.#pending.list();
    if (waiting.length === 0 || waiting.some((pending) => pending.taken)) {
      return;
    }
    const connections = await this.#connections?.catch(() => undefined);
    if (connections === undefined || (await countLiveWorkers(connections.client, this.queueName).catch(() => 0)) > 0) {
      return;
    }
    const { flow } = waiting[0]?.invocation ?? {};
    if (flow === undefined) {
      return;
    }
    const url = describeRedisUrl(this.redisUrl);
    logMessage(
      flow.runtime,
      flowRunSource(flow.flowRun),
      LOG_LEVELS.WARNING,
      `No worker is serving queue '${this.queueName}' at ${url}: ${waiting.length} task run${waiting.length === 1 ? ' waits' : 's wait'}. Start one in a checkout of this project: flow worker --redis ${url} --queue ${this.queueName}`,
    );
  }

  // A backstop for events missed while a connection was being re-made,
  // and the watch on Redis itself: runs waiting on a Redis that is gone
  // would wait for good.
  async #checkStates(): Promise<void> {
    const connections = await this.#connections?.catch(() => undefined);
    if (connections === undefined) {
      return;
    }
    const answered = await connections.client.ping().then(
      () => true,
      () => false,
    );
    if (!answered) {
      this.#redisLostSince ??= Date.now();
      if (Date.now() - this.#redisLostSince >= REDIS_LOST_MS) {
        const reason = `Lost Redis at ${describeRedisUrl(this.redisUrl)}: it has not answered for ${Math.round((Date.now() - this.#redisLostSince) / 1000)} s, and the task run's outcome cannot come back.`;
        for (const { key } of this.#pending.list()) {
          this.#pending.settle(key, { kind: 'crashed', reason });
        }
      }
      return;
    }
    this.#redisLostSince = undefined;
    // Runs out for a while whose outcome has not come: their state first,
    // then, once it is final, the job (a job read before its end has no result).
    const now = Date.now();
    const overdue = new Set<string>();
    for (const pending of this.#pending.list()) {
      if (overdue.size >= STATE_CHECKS_AT_ONCE) {
        break;
      }
      if (pending.jobId !== undefined && pending.reply === undefined && now - pending.sentAt >= STATE_CHECK_MS) {
        overdue.add(pending.jobId);
      }
    }
    for (const jobId of overdue) {
      const state = await connections.queue.getJobState(jobId).catch(() => 'unknown');
      if (state !== 'completed' && state !== 'failed') {
        continue;
      }
      const job = await connections.queue.getJob(jobId).catch(() => undefined);
      if (job === undefined || job === null) {
        continue;
      }
      if (state === 'failed') {
        this.#pending.failed(jobId, job.failedReason);
      } else if (job.returnvalue !== null && job.returnvalue !== undefined) {
        this.#pending.jobCompleted(jobId, decodeJobResult(job.returnvalue));
      }
    }
  }

  // Withdraws a job and its runs: removed if no worker has it yet, then
  // stopped on its worker if one has (its thread is terminated) or takes it
  // still (a worker keeps the ids it was told of).
  #withdraw(jobId: string, client: Redis, queue: Queue): Promise<void> {
    const members = this.#pending.runsOf(jobId);
    for (const { key } of members) {
      this.#pending.settle(key, { kind: 'crashed', reason: 'The task run was stopped.' });
    }
    if (members.length === 0) {
      return Promise.resolve();
    }
    // Kept until done: shutdown waits for it before it closes the connections.
    const withdrawing = (async () => {
      await queue.remove(jobId).catch(() => undefined);
      await client.publish(cancelChannel(this.queueName), jobId).catch(() => undefined);
    })().finally(() => this.#withdrawing.delete(withdrawing));
    this.#withdrawing.add(withdrawing);
    return withdrawing;
  }

  // (`connections`: those of a shutdown under way, which has let go of #connections.)
  async #withdrawAll(given?: Connections): Promise<void> {
    const connections = given ?? (await this.#connections?.catch(() => undefined));
    const pending = this.#pending.list();
    // (A run not yet in a job is withdrawn by its key, which is not added then.)
    const jobIds = new Set(pending.map(({ jobId, key }) => jobId ?? key));
    if (connections === undefined || jobIds.size === 0) {
      for (const { key } of pending) {
        this.#pending.settle(key, { kind: 'crashed', reason: 'The task run was stopped.' });
      }
      return;
    }
    await Promise.all([...jobIds].map((jobId) => this.#withdraw(jobId, connections.client, connections.queue)));
  }
}

