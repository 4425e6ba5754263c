// Medians: the machines are noisy, and one slow run must not move a figure.
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) {
    return Number.NaN;
  }
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** Runs each of `bodies` once per round, `rounds` times, in turns, so that a noisy moment slows them all alike. */
export const inTurns = async <T>(rounds: number, bodies: readonly (() => T | Promise<T>)[]): Promise<T[][]> => {
  const results: T[][] = bodies.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, body] of bodies.entries()) {
      results[index]?.push(await body());
    }
  }
  return results;
};
