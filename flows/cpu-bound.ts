// CPU-bound work: each task counts the primes below a limit, about half a
// second of pure computation. On the concurrent runner the tasks take turns
// on one core; with --runner parallel they run on every core:
//   npx flow run cpu-bound --runner sequential
//   npx flow run cpu-bound --runner parallel --workers 2
import { flow, task, z } from 'flowrun';

// Top level and exported: the parallel runner rebuilds tasks in its worker
// threads from their module.
export const countPrimes = task({ name: 'count_primes', taskRunName: 'count_primes-{chunk}' }, (chunk: number, limit: number) => {
  let count = 0;
  for (let candidate = 2; candidate < limit; candidate += 1) {
    let prime = true;
    for (let divisor = 2; divisor * divisor <= candidate; divisor += 1) {
      if (candidate % divisor === 0) {
        prime = false;
        break;
      }
    }
    if (prime) {
      count += 1;
    }
  }
  return { chunk, count };
});

export const report = task('report', (results: { chunk: number; count: number }[]) => {
  console.log(`${results.length} chunks, ${results.reduce((sum, result) => sum + result.count, 0)} primes in all`);
});

export default flow(
  {
    name: 'cpu-bound',
    description: 'Counts primes in CPU-bound chunks; compare the runners.',
    params: z.object({
      chunks: z.number().int().positive().default(8),
      limit: z.number().int().positive().default(3_200_000),
    }),
  },
  async ({ chunks, limit }) => {
    const results = Array.from({ length: chunks }, (_, chunk) => countPrimes.submit(chunk, limit));
    report.submit(results);
  },
);
