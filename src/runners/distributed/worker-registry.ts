import type { Redis } from 'ioredis';
import { workersKey } from './keys.js';

// The live workers of a queue, for `flow workers` and for a flow run that
// waits for one: each worker writes what it is and does to a hash in Redis
// every few seconds, and takes it out as it stops; one that stopped writing
// (killed) drops out of the list on its own.

export interface WorkerInfo {
  /** `<host>-<pid>`. */
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly queue: string;
  readonly concurrency: number;
  /** Task runs it runs now. */
  readonly running: number;
  /** Task runs it has ended since it started. */
  readonly done: number;
  /** When it last wrote this, in ms since 1970. */
  readonly lastSeen: number;
}

/** How often a worker writes its entry. */
export const HEARTBEAT_MS = 2_000;
/** A worker not heard of for this long is not listed (and its entry is removed). */
export const LIVE_WITHIN_MS = 15_000;

export const writeWorkerInfo = async (client: Redis, info: WorkerInfo): Promise<void> => {
  await client.hset(workersKey(info.queue), info.id, JSON.stringify(info));
};

export const removeWorkerInfo = async (client: Redis, queue: string, id: string): Promise<void> => {
  await client.hdel(workersKey(queue), id);
};

const parseInfo = (text: string): WorkerInfo | undefined => {
  try {
    const info = JSON.parse(text) as Partial<WorkerInfo>;
    return typeof info.id === 'string' && typeof info.lastSeen === 'number' ? (info as WorkerInfo) : undefined;
  } catch {
    return undefined;
  }
};

/** The workers of `queue` heard of lately, by id; the entries of those that were not are removed. */
export const listWorkers = async (client: Redis, queue: string, now = Date.now()): Promise<WorkerInfo[]> => {
  const entries = await client.hgetall(workersKey(queue));
  const live: WorkerInfo[] = [];
  const stale: string[] = [];
  for (const [id, text] of Object.entries(entries)) {
    const info = parseInfo(text);
    if (info !== undefined && now - info.lastSeen <= LIVE_WITHIN_MS) {
      live.push(info);
    } else {
      stale.push(id);
    }
  }
  if (stale.length > 0) {
    await client.hdel(workersKey(queue), ...stale);
  }
  return live.sort((a, b) => a.id.localeCompare(b.id));
};

export const countLiveWorkers = async (client: Redis, queue: string): Promise<number> => (await listWorkers(client, queue)).length;
