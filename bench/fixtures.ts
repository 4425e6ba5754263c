// Tasks for the benchmarks, at the top level of a module so that the
// parallel runner's workers can rebuild them.
import { task } from '../src/index.js';

export const addOne = task('add_one', (x: number) => x + 1);

export const total = task('total', (numbers: number[]) => numbers.reduce((sum, n) => sum + n, 0));
