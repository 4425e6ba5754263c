/* eslint-disable @typescript-eslint/unbound-method -- methods are read here as source text, never called */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { getDestructuredKeys } from '../../../src/util/function-parameters.js';

const fromSource = (source: string): ((...args: never[]) => unknown) => runInNewContext(`(${source})`) as (...args: never[]) => unknown;

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

  it('reads defaults that hold brackets and quotes', () => {
    assert.deepEqual(getDestructuredKeys(fromSource("({ a = '}', b }) => a + b")), ['a', 'b']);
    assert.deepEqual(getDestructuredKeys(fromSource("({ a = { b: '}' }, c = [')'], d = `${'{'}` }, e) => a")), ['a', 'c', 'd']);
  });

  it('reads nested patterns, quoted keys and a default for the whole object', () => {
    assert.deepEqual(getDestructuredKeys(fromSource("({ a: { inner } = {}, 'b-c': b, 2: two } = {}) => inner")), ['a', 'b-c', '2']);
  });

  it("reads a Task's run() method, as Prefect 1 graphs bind it", () => {
    class Sum {
      run({ numbers, scale = 1 }: { numbers: number[]; scale?: number }) {
        return numbers.reduce((a, b) => a + b, 0) * scale;
      }
    }
    assert.deepEqual(getDestructuredKeys(Sum.prototype.run), ['numbers', 'scale']);
    const task = runInNewContext("({ async run({ stop = '}' }) { return stop; } })") as { run: (...args: never[]) => unknown };
    assert.deepEqual(getDestructuredKeys(task.run), ['stop']);
  });

  it('knows nothing of a computed key, nor of a function whose source cannot be read', () => {
    assert.equal(getDestructuredKeys(fromSource('({ [name]: value }) => value')), undefined);
    assert.equal(getDestructuredKeys((({ a }: { a: number }) => a).bind(null)), undefined);
  });
});
