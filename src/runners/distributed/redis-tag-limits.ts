import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TagLimits } from '../../engine/concurrency-limits.js';
import { tagLimitKey } from './keys.js';

// Tag concurrency limits of the distributed runner, kept in Redis so that
// they hold across every flow run sending task runs to the queue, and so
// across all its workers (Prefect's global concurrency limits). A slot is an
// entry of the tag's sorted set, scored by when its lease ends: a flow run
// that dies holding one (SIGKILL) frees it when the lease runs out, and one
// alive renews it while its task run goes on. Times are Redis's own clock,
// the one every machine shares.

/** A slot not renewed for this long is free again. */
const LEASE_MS = 30_000;
const RENEW_MS = LEASE_MS / 3;
/** How often a run waiting for a slot asks again. */
const POLL_MS = 150;

// Frees expired slots, then takes one if fewer than the limit are held.
// KEYS[1]: the tag's set; ARGV: holder, limit, lease ms.
const ACQUIRE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
  return 1
end
return 0`;

// Extends the leases of the slots a holder still has. KEYS: the sets; ARGV: holder, lease ms.
const RENEW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for _, key in ipairs(KEYS) do
  if redis.call('ZSCORE', key, ARGV[1]) then
    redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[1])
    redis.call('PEXPIRE', key, tonumber(ARGV[2]) * 2)
  end
end
return 0`;

export class RedisTagLimits implements TagLimits {
  readonly #client: () => Promise<Redis>;
  readonly #queue: string;
  readonly #limits: Readonly<Record<string, number>>;

  constructor(client: () => Promise<Redis>, queue: string, limits: Readonly<Record<string, number>>) {
    this.#client = client;
    this.#queue = queue;
    this.#limits = limits;
  }

  async acquire(tags: readonly string[], onWait: (tag: string, limit: number) => void): Promise<() => void> {
    const limited = [...new Set(tags)].sort().filter((tag) => this.#limits[tag] !== undefined);
    if (limited.length === 0) {
      return () => undefined;
    }
    const client = await this.#client();
    const holder = randomUUID();
    const held: string[] = [];
    const release = (): void => {
      clearInterval(renewal);
      for (const key of held) {
        void client.zrem(key, holder).catch(() => undefined);
      }
    };
    const renewal = setInterval(() => {
      if (held.length > 0) {
        void client.eval(RENEW, held.length, ...held, holder, LEASE_MS).catch(() => undefined);
      }
    }, RENEW_MS);
    renewal.unref();
    try {
      for (const tag of limited) {
        const limit = this.#limits[tag] ?? 1;
        const key = tagLimitKey(this.#queue, tag);
        let told = false;
        while ((await client.eval(ACQUIRE, 1, key, holder, limit, LEASE_MS)) !== 1) {
          if (!told) {
            told = true;
            onWait(tag, limit);
          }
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        held.push(key);
      }
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }
}
