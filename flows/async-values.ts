// Seed 002's async example: one async task awaited on its own, then two at
// once with Promise.all, each a task run of its own.
import { setTimeout as sleep } from 'node:timers/promises';
import { flow, task } from 'flowrun';

export const printValues = task('print_values', async (values: (string | number)[]) => {
  for (const value of values) {
    await sleep(250);
    console.log(value);
  }
});

export default flow({ name: 'async-values' }, async () => {
  await printValues([1, 2]); // runs now: 'Executing ... immediately...'
  await Promise.all([printValues([...'abcd']), printValues([...'6789'])]);
});
