// W3, I/O-bound: 100 tasks that each await a 100 ms timer. The floor is
// 0.1 s: the runner's job is to overlap them.
import { setTimeout as sleep } from 'node:timers/promises';
import { flow, task } from 'flowrun';

export const nap = task('nap', async (index: number) => {
  await sleep(100);
  return index;
});

export default flow({ name: 'w3-io' }, async () => {
  await Promise.all(nap.map(Array.from({ length: 100 }, (_, index) => index)));
});
