// Seed 002's parallel example: three random numbers drawn concurrently, then summed.
import { flow, task, z } from 'flowrun';

export const randomNum = task('random_num', (stop: number) => {
  const number = Math.floor(Math.random() * stop);
  console.log(`Your number is ${number}`);
  return number;
});

export const sumNumbers = task('sum_numbers', (numbers: number[]) => {
  console.log(numbers.reduce((sum, number) => sum + number, 0));
});

export default flow(
  { name: 'parallel-execution', params: z.object({ stop: z.number().int().positive() }) },
  async ({ stop }) => {
    const number1 = randomNum.submit(stop);
    const number2 = randomNum.submit(stop);
    const number3 = randomNum.submit(stop);
    // Futures inside an array are resolved first and become upstreams of sum_numbers.
    sumNumbers.submit([number1, number2, number3]);
  },
);
