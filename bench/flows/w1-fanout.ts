// W1, fan-out/fan-in: n trivial tasks (x + 1) submitted with .map, then one
// task summing them. Run through the CLI on every runner.
import { flow, task, z } from 'flowrun';

// At the top level, exported: the parallel runner's workers rebuild them.
export const addOne = task('add_one', (x: number) => x + 1);

export const total = task('total', (numbers: number[]) => numbers.reduce((sum, n) => sum + n, 0));

export default flow({ name: 'w1-fanout', params: z.object({ n: z.number().int().positive() }) }, async ({ n }) => {
  const sum = await total.submit(addOne.map(Array.from({ length: n }, (_, index) => index)));
  const expected = (n * (n + 1)) / 2;
  if (sum !== expected) {
    throw new Error(`the sum is ${sum}, expected ${expected}`);
  }
});
