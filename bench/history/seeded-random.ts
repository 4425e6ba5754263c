// A seeded random source (a linear congruential generator, whose high bits
// are plenty for names and coin flips): the history fixture comes out the
// same from one suite run to the next, names, failures and times alike
// (not the ids: the engine makes random UUIDs).
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
};
