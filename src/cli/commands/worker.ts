import { availableParallelism } from 'node:os';
import { UsageError } from '../../errors.js';
import { formatTable } from '../../history/present.js';
import { BatchedLines } from '../../logging/batched-lines.js';
import { formatLine } from '../../logging/console-format.js';
import { LOG_LEVELS, type LogLevel } from '../../logging/levels.js';
import { PLAIN_STYLES } from '../../logging/styles.js';
import { loadProject } from '../../settings/project.js';
import { resolveSettings } from '../../settings/resolve.js';
import { EXIT_CODES, SIGNAL_EXIT_CODES } from '../exit-codes.js';
import type { CliWorld } from '../world.js';

// `flow worker` and `flow workers` (API.md section 7): a worker serves a
// queue of the distributed runner from a checkout of the project until it
// is told to stop; `flow workers` lists the live ones.

export interface WorkerCommandOptions {
  readonly redis?: string;
  readonly queue?: string;
  readonly concurrency?: string;
  readonly config?: string;
}

export interface WorkersCommandOptions {
  readonly redis?: string;
  readonly queue?: string;
  readonly config?: string;
  readonly json?: boolean;
}

/** Running task runs finish within this after SIGTERM or SIGINT; then they are stopped. */
const STOP_GRACE_MS = 30_000;

const parseConcurrency = (text: string | undefined): number => {
  if (text === undefined) {
    return availableParallelism();
  }
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`--concurrency must be a positive integer, got ${JSON.stringify(text)}.`);
  }
  return value;
};

const resolveConnection = async (options: { redis?: string; queue?: string; config?: string }, world: CliWorld) => {
  const { config, root } = await loadProject({ cwd: world.cwd, explicitConfig: options.config });
  const settings = resolveSettings({ flags: { redis: options.redis, queue: options.queue }, env: world.env, config });
  return { redis: settings.values.redis, queue: settings.values.queue, root };
};

/** `flow worker`: serves until SIGTERM or SIGINT; exit 0 then. */
export const workerCommand = async (options: WorkerCommandOptions, world: CliWorld): Promise<number> => {
  const concurrency = parseConcurrency(options.concurrency);
  const { redis, queue, root } = await resolveConnection(options, world);
  // Two lines a task run: in a file or a pipe, written a batch at a time (batched-lines.ts).
  const lines = world.stderr.isTTY === true ? world.stderr : new BatchedLines(world.stderr, [world.stdout]);
  const log = (level: LogLevel, message: string): void => {
    lines.write(`${formatLine({ kind: 'message', time: Date.now(), level, source: { kind: 'logger', name: 'flowrun.worker' }, text: message }, PLAIN_STYLES)}\n`);
  };
  const { WorkerService } = await import('../../runners/distributed/worker-service.js');
  const service = new WorkerService({ redis, queue, concurrency, projectRoot: root.dir, log });
  let stopping: Promise<void> | undefined;
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const stop = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (stopping !== undefined) {
      // A second signal: out at once.
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }
    log(LOG_LEVELS.INFO, `Received ${signal}: taking no new task runs; those running may finish (${STOP_GRACE_MS / 1000} s at most).`);
    stopping = service.stop(STOP_GRACE_MS).finally(stopped);
  };
  const onSigint = (): void => stop('SIGINT');
  const onSigterm = (): void => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    await service.start();
  } catch (error) {
    await service.stop(0).catch(() => undefined);
    throw error;
  }
  // Serves until a signal.
  await done;
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  log(LOG_LEVELS.INFO, `Worker '${service.id}' stopped.`);
  if (lines instanceof BatchedLines) {
    lines.close();
  }
  return EXIT_CODES.completed;
};

/** `flow workers`: the live workers of the queue. */
export const workersCommand = async (options: WorkersCommandOptions, world: CliWorld): Promise<number> => {
  const { redis, queue } = await resolveConnection(options, world);
  const { openRedis } = await import('../../runners/distributed/redis-connection.js');
  const { listWorkers } = await import('../../runners/distributed/worker-registry.js');
  const client = await openRedis(redis, 'flow-run');
  try {
    const workers = await listWorkers(client, queue);
    if (options.json === true) {
      world.stdout.write(`${JSON.stringify(workers.map((worker) => ({ ...worker, lastSeen: new Date(worker.lastSeen).toISOString() })), null, 2)}\n`);
      return EXIT_CODES.completed;
    }
    if (workers.length === 0) {
      world.stdout.write(`No worker is serving queue '${queue}'. Start one in a checkout of the project: flow worker --queue ${queue}\n`);
      return EXIT_CODES.completed;
    }
    const now = Date.now();
    const table = formatTable(
      ['ID', 'HOST', 'PID', 'QUEUE', 'CONCURRENCY', 'RUNNING', 'DONE', 'LAST SEEN'],
      workers.map((worker) => [
        worker.id,
        worker.host,
        String(worker.pid),
        worker.queue,
        String(worker.concurrency),
        String(worker.running),
        String(worker.done),
        `${Math.max(0, Math.round((now - worker.lastSeen) / 1000))}s ago`,
      ]),
    );
    world.stdout.write(table);
    return EXIT_CODES.completed;
  } finally {
    await client.quit().catch(() => undefined);
  }
};
