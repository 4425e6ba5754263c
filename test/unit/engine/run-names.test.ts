import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADJECTIVES, ANIMALS } from '../../../src/engine/run-name-words.js';
import { createTaskRunName, generateFlowRunName } from '../../../src/engine/run-names.js';

// A small deterministic random source (a linear congruential generator).
const seeded = (seed: number): (() => number) => {
  let current = seed >>> 0;
  return () => {
    current = (Math.imul(current, 1664525) + 1013904223) >>> 0;
    return current / 2 ** 32;
  };
};

// A random source that returns the given numbers in turn.
const sequence = (...values: number[]): (() => number) => {
  let index = 0;
  return () => values[index++ % values.length] ?? 0;
};

describe('generateFlowRunName', () => {
  it('is deterministic for an injected random source', () => {
    const first = Array.from({ length: 5 }, (_, seed) => generateFlowRunName(seeded(seed)));
    const second = Array.from({ length: 5 }, (_, seed) => generateFlowRunName(seeded(seed)));
    assert.deepEqual(first, second);
  });

  it('gives two lowercase words joined by a hyphen', () => {
    const random = seeded(42);
    for (let index = 0; index < 500; index += 1) {
      assert.match(generateFlowRunName(random), /^[a-z]+-[a-z]+$/);
    }
  });

  it('gives an adjective then an animal', () => {
    const [adjective, animal] = generateFlowRunName(seeded(7)).split('-');
    assert.ok(ADJECTIVES.includes(adjective ?? ''));
    assert.ok(ANIMALS.includes(animal ?? ''));
  });

  it('maps random 0 to the first words and 0.999999 to the last', () => {
    assert.equal(generateFlowRunName(() => 0), `${ADJECTIVES[0]}-${ANIMALS[0]}`);
    assert.equal(generateFlowRunName(() => 0.999999), `${ADJECTIVES.at(-1)}-${ANIMALS.at(-1)}`);
  });

  it('draws the adjective first, then the animal', () => {
    assert.equal(generateFlowRunName(sequence(0, 0.999999)), `${ADJECTIVES[0]}-${ANIMALS.at(-1)}`);
  });

  it('gives many distinct names over 2,000 draws', () => {
    const names = new Set(Array.from({ length: 2000 }, () => generateFlowRunName(Math.random)));
    assert.ok(names.size >= 1900, `only ${names.size} distinct names`);
  });
});

describe('the word lists', () => {
  it('make at least 10^5 pairs', () => {
    assert.ok(ADJECTIVES.length * ANIMALS.length >= 100_000, `${ADJECTIVES.length} x ${ANIMALS.length}`);
  });

  it('hold single lowercase words, each once', () => {
    for (const words of [ADJECTIVES, ANIMALS]) {
      for (const word of words) {
        assert.match(word, /^[a-z]+$/);
      }
      assert.equal(new Set(words).size, words.length);
    }
  });
});

describe('createTaskRunName', () => {
  it("gives Prefect's <task name>-<8 hex>-<n>", () => {
    assert.equal(createTaskRunName('print_values', '0bb9a2c3', 0), 'print_values-0bb9a2c3-0');
    assert.equal(createTaskRunName('print_values', '0bb9a2c3', 12), 'print_values-0bb9a2c3-12');
  });

  it('names the runs of tasks that take turns, each with its own name and hash', () => {
    const names = [0, 1, 2].flatMap((index) => [createTaskRunName('a', '00000001', index), createTaskRunName('b', '00000002', index), createTaskRunName('b', '00000003', index)]);
    assert.deepEqual(names, ['a-00000001-0', 'b-00000002-0', 'b-00000003-0', 'a-00000001-1', 'b-00000002-1', 'b-00000003-1', 'a-00000001-2', 'b-00000002-2', 'b-00000003-2']);
  });
});
