import { ADJECTIVES, ANIMALS } from './run-name-words.js';

const pick = (words: readonly string[], random: () => number): string =>
  words[Math.min(words.length - 1, Math.floor(random() * words.length))] ?? 'flow';

// `mindful-tortoise`: an adjective and an animal from our own lists, drawn
// from the injected random source so tests can fix the name.
export const generateFlowRunName = (random: () => number): string => `${pick(ADJECTIVES, random)}-${pick(ANIMALS, random)}`;

// `print_values-0bb9a2c3-0`: the task's name, the hash of its key, and how
// many runs of it this flow run made before.
// join() makes one flat string; a template literal would leave V8 a tree of
// pieces, several times the size, kept as long as the run is.
export const createTaskRunName = (taskName: string, keyHash: string, index: number): string => [taskName, keyHash, index].join('-');
