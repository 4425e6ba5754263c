import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getDestructuredKeys } from '../../../src/tasks/parameter-names.js';

describe('getDestructuredKeys', () => {
  it('reads the keys of a destructured first parameter, with defaults and renames', () => {
    assert.deepEqual(getDestructuredKeys(({ stop, count = 1 }: { stop: number; count?: number }) => stop + count), ['stop', 'count']);
    assert.deepEqual(
      getDestructuredKeys(function run({ a: renamed, b }: { a: number; b: number }) {
        return renamed + b;
      }),
      ['a', 'b'],
    );
  });

  it('knows nothing of a plain parameter or a rest element', () => {
    assert.equal(getDestructuredKeys((args: Record<string, number>) => args), undefined);
    assert.equal(getDestructuredKeys(({ a, ...others }: Record<string, number>) => [a, others]), undefined);
  });
});
