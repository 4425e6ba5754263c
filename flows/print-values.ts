// Seed 002's print_values: two tasks that print a value every half second.
// On the concurrent runner (the default) their lines interleave, AAAA BBBB
// AAAA...; with --runner sequential all of AAAA come before BBBB.
import { setTimeout as sleep } from 'node:timers/promises';
import { flow, task } from 'flowrun';

export const printValues = task('print_values', async (values: string[]) => {
  for (const value of values) {
    await sleep(500);
    console.log(value);
  }
});

export default flow({ name: 'print-values' }, async () => {
  printValues.submit(['AAAA', 'AAAA', 'AAAA', 'AAAA']);
  printValues.submit(['BBBB', 'BBBB', 'BBBB', 'BBBB']);
});
