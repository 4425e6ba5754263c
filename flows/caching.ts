// A slow task whose results are cached under storeDir (.flow/) by its
// inputs: run this flow twice and the second run ends each task run
// Cached(type=COMPLETED) at once, without doing the work.
import { setTimeout as sleep } from 'node:timers/promises';
import { flow, task, taskInputHash, z } from 'flowrun';

export const slowSquare = task({ name: 'slow_square', cacheKeyFn: taskInputHash, cacheExpirationSeconds: 3600 }, async (x: number) => {
  await sleep(1000);
  return x * x;
});

export default flow({ name: 'caching', params: z.object({ upTo: z.number().int().positive().default(3) }) }, async ({ upTo }) => {
  const squares = await Promise.all(slowSquare.map(Array.from({ length: upTo }, (_, index) => index + 1)));
  console.log(`squares: ${squares.join(', ')}`);
});
