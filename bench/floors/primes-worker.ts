// W2's floor: the kernel of flows/cpu-bound.ts (count the primes below a
// limit), bare, as a piscina worker and for the in-thread baseline.
export const countPrimes = (limit: number): number => {
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
  return count;
};

export default countPrimes;
