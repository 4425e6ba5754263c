import { ADJECTIVES, ANIMALS } from './run-name-words.js';

const pick = (words: readonly string[], random: () => number): string =>
  words[Math.min(words.length - 1, Math.floor(random() * words.length))] ?? 'flow';

// `mindful-tortoise`: an adjective and an animal from our own lists, drawn
// from the injected random source so tests can fix the name.
export const generateFlowRunName = (random: () => number): string => `${pick(ADJECTIVES, random)}-${pick(ANIMALS, random)}`;

// `print_values-0bb9a2c3-0`: the task's name, the hash of its key, and how
// many runs of it this flow run made before.
// Runs of one task come in a row (a .map), so the flat prefix of the last
// task is kept: a name is then that prefix and the number, one small string
// pointing at a shared one, made several times faster than by join(). (A
// template literal of all five pieces would leave V8 a tree of them, several
// times the size, kept as long as the run is.)
let lastPrefix = { taskName: '', keyHash: '', prefix: '' };

export const createTaskRunName = (taskName: string, keyHash: string, index: number): string => {
  if (lastPrefix.taskName !== taskName || lastPrefix.keyHash !== keyHash) {
    lastPrefix = { taskName, keyHash, prefix: [taskName, keyHash, ''].join('-') };
  }
  return lastPrefix.prefix + String(index);
};
