import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { expandMapArguments } from '../../../src/tasks/map.js';
import { unmapped } from '../../../src/tasks/unmapped.js';

describe('expandMapArguments', () => {
  it('gives one argument list per item', () => {
    assert.deepEqual(expandMapArguments('double', [[1, 2, 3]]), [[1], [2], [3]]);
  });

  it('zips two iterables of the same length', () => {
    assert.deepEqual(expandMapArguments('add', [[1, 2, 3], [10, 20, 30]]), [
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
  });

  it('iterates any iterable: a Set, a generator', () => {
    function* letters(): Generator<string> {
      yield 'a';
      yield 'b';
    }
    assert.deepEqual(expandMapArguments('pair', [new Set([1, 2]), letters()]), [
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  it('passes an unmapped value whole to every run', () => {
    const config = [7, 8, 9];
    const runs = expandMapArguments('scale', [[1, 2], unmapped(config)]);
    assert.deepEqual(runs, [
      [1, [7, 8, 9]],
      [2, [7, 8, 9]],
    ]);
    assert.equal(runs[0]?.[1], config);
    assert.equal(runs[1]?.[1], config);
  });

  it('passes scalars and plain objects whole to every run', () => {
    const options = { verbose: true };
    assert.deepEqual(expandMapArguments('fetch', [['a', 'b'], 5, options, null, undefined]), [
      ['a', 5, options, null, undefined],
      ['b', 5, options, null, undefined],
    ]);
  });

  it('does not iterate strings', () => {
    assert.deepEqual(expandMapArguments('greet', ['hello', ['ann', 'bob']]), [
      ['hello', 'ann'],
      ['hello', 'bob'],
    ]);
  });

  it('gives no runs for an empty array', () => {
    assert.deepEqual(expandMapArguments('noop', [[], 1]), []);
  });

  it('rejects iterables of different lengths, naming the task and the lengths', () => {
    assert.throws(
      () => expandMapArguments('add', [[1, 2, 3], [10, 20]]),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /^add\.map\(\)/);
        assert.match(error.message, /different lengths \(3, 2\)/);
        assert.match(error.message, /unmapped\(\)/);
        return true;
      },
    );
  });

  it('rejects a call with nothing to iterate over', () => {
    for (const args of [[], ['text', 5], [unmapped([1, 2])]]) {
      assert.throws(
        () => expandMapArguments('greet', args),
        (error: unknown) => error instanceof UsageError && error.message.startsWith('greet.map() needs at least one array or iterable'),
      );
    }
  });
});
