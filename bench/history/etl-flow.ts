// The flow the history fixture records 10,000 times: a nightly ETL of ten
// task runs (extract, eight transformed shards, load), a few log lines of its
// own, and a shard that fails or needs a retry when its parameters say so.
// It imports the engine from source, as the fixture's recorder does: one copy
// of flowrun in the process, so that both share the runtime.
import { flow, getRunLogger, task, unmapped, z } from '../../src/index.js';

const SHARDS = 8;

export const extract = task('extract', (day: string) => {
  getRunLogger().info(`extracting ${day} from the orders database`);
  return Array.from({ length: SHARDS }, (_, shard) => ({ day, shard, rows: 1_000 + shard * 37 }));
});

// Its one retry is what a flaky shard (failOn: 'retry') spends.
export const transform = task(
  { name: 'transform', retries: 1 },
  (batch: { day: string; shard: number; rows: number }, failOn: number, flaky: number): number => {
    if (batch.shard === failOn) {
      throw new Error(`shard ${batch.shard} of ${batch.day}: upstream file is truncated`);
    }
    if (batch.shard === flaky && transformAttempts.next(batch) === 1) {
      throw new Error(`shard ${batch.shard} of ${batch.day}: connection reset`);
    }
    return batch.rows;
  },
);

// The first attempt of the flaky shard fails; the retry of the same run passes.
const transformAttempts = {
  seen: new Set<string>(),
  next(batch: { day: string; shard: number }): number {
    const key = `${batch.day}/${batch.shard}`;
    if (this.seen.has(key)) {
      this.seen.delete(key);
      return 2;
    }
    this.seen.add(key);
    return 1;
  },
};

export const load = task('load', (counts: number[]) => {
  const total = counts.reduce((sum, count) => sum + count, 0);
  getRunLogger().info(`loaded ${total} rows into the warehouse`);
  return total;
});

export default flow(
  {
    name: 'nightly-etl',
    params: z.object({
      day: z.string(),
      // The shard that fails for good (-1: none) and the one that fails once (-1: none).
      failOn: z.number().int().default(-1),
      flaky: z.number().int().default(-1),
    }),
  },
  async ({ day, failOn, flaky }) => {
    const batches = await extract(day);
    const counts = await Promise.all(transform.map(batches, unmapped(failOn), unmapped(flaky)));
    const total = await load(counts);
    getRunLogger().info(`${day}: ${total} rows`);
    return total;
  },
);
