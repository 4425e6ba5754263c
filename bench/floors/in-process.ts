// The floors measured inside one process (the suite starts it fresh for
// each): W1 as a bare Promise.all and through p-limit, W2's kernel in one
// thread and on a bare piscina pool of 2 threads, and trivial calls through
// that pool. Prints one JSON line.
// Usage: node --import tsx bench/floors/in-process.ts <floor> [n]
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { Piscina } from 'piscina';
import { countPrimes } from './primes-worker.js';

const [floor, nText] = process.argv.slice(2);
const n = Number(nText ?? 0);
const W2_TASKS = 8;
const W2_LIMIT = 3_200_000;
const P_LIMIT_CONCURRENCY = 10;

const addOne = async (x: number): Promise<number> => x + 1;
const sum = (numbers: number[]): number => numbers.reduce((total, value) => total + value, 0);

const time = async (body: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await body();
  return (performance.now() - start) / 1000;
};

const floors: Record<string, () => Promise<Record<string, number>>> = {
  'promise-all': async () => ({ seconds: await time(async () => sum(await Promise.all(Array.from({ length: n }, (_, index) => addOne(index))))) }),
  'p-limit': async () => {
    const limit = pLimit(P_LIMIT_CONCURRENCY);
    return { seconds: await time(async () => sum(await Promise.all(Array.from({ length: n }, (_, index) => limit(() => addOne(index)))))) };
  },
  'w2-thread': async () => ({
    seconds: await time(async () => Array.from({ length: W2_TASKS }, () => countPrimes(W2_LIMIT))),
  }),
  'w2-piscina': async () => {
    const pool = new Piscina({ filename: fileURLToPath(new URL('./primes-worker.ts', import.meta.url)), minThreads: 2, maxThreads: 2 });
    const seconds = await time(() => Promise.all(Array.from({ length: W2_TASKS }, () => pool.run(W2_LIMIT))));
    await pool.destroy();
    return { seconds };
  },
  // The pool's start-up is left out: the suite compares per-task costs.
  'piscina-trivial': async () => {
    const pool = new Piscina({ filename: fileURLToPath(new URL('../piscina-floor.ts', import.meta.url)), minThreads: 2, maxThreads: 2 });
    await Promise.all(Array.from({ length: 2 * availableParallelism() }, (_, index) => pool.run(index)));
    const seconds = await time(() => Promise.all(Array.from({ length: n }, (_, index) => pool.run(index))));
    await pool.destroy();
    return { seconds };
  },
};

const measure = floors[floor ?? ''];
if (measure === undefined) {
  throw new Error(`unknown floor ${floor ?? '(none)'}; one of ${Object.keys(floors).join(', ')}`);
}
console.log(JSON.stringify({ floor, n, ...(await measure()), peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
