import type { Redis, RedisOptions } from 'ioredis';
import { UsageError } from '../../errors.js';
import { loadIoredis } from './load-libraries.js';

// Connections to the Redis server of the distributed runner, as BullMQ's
// production guide has them: a worker's (and any blocking reader's) waits
// for Redis as long as it takes (maxRetriesPerRequest: null), while the flow
// run's own commands fail fast rather than queue up while Redis is away.
// ioredis is loaded only here, when a run or a worker needs Redis.

/** Where a connection is used. */
export type RedisRole = 'flow-run' | 'worker';

/** The URL with its password hidden, for messages. */
export const describeRedisUrl = (url: string): string => url.replace(/^(rediss?:\/\/[^:/@]*:)[^@]*@/, '$1***@');

/** Redis does not answer: bad input or a broken setup, one line and exit 2 from the CLI. */
export class RedisUnreachableError extends UsageError {
  constructor(message: string) {
    super(message, { code: 'FLOWRUN_REDIS_UNREACHABLE' });
  }
}
RedisUnreachableError.prototype.name = 'RedisUnreachableError';

/** How long the first connection may take before the run gives up (API.md section 7: exit 2 within 5 s). */
export const CONNECT_TIMEOUT_MS = 4_000;

const describeCause = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Error: /, '').replace(/\.$/, '');
};

/**
 * Opens a connection and waits until it is ready; throws a
 * RedisUnreachableError naming the URL and the cause when Redis does not
 * answer within CONNECT_TIMEOUT_MS.
 */
export const openRedis = async (url: string, role: RedisRole): Promise<Redis> => {
  const { Redis: RedisClient } = loadIoredis();
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: role === 'worker' ? null : 2,
  };
  const client = new RedisClient(url, options);
  // Errors while reconnecting are retried by ioredis; an unheard 'error'
  // event would end the process. The first says why a connection failed
  // (connect() itself only says that it closed).
  let firstError: unknown;
  client.on('error', (error: unknown) => {
    firstError ??= error;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    client.disconnect();
    throw new RedisUnreachableError(`cannot reach Redis at ${describeRedisUrl(url)}: ${describeCause(firstError ?? error)}; is redis-server running there?`);
  } finally {
    clearTimeout(timer);
  }
  return client;
};
