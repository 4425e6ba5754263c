import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { getParameterNames } from '../../../src/tasks/parameter-names.js';

// Most functions are written out here as a user would write tasks (and go
// through tsx as a user's flow module does); `fromSource` compiles the exact
// text given, for forms a transpiler would rewrite.
const fromSource = (source: string): ((...args: never[]) => unknown) => runInNewContext(`(${source})`) as (...args: never[]) => unknown;

describe('getParameterNames', () => {
  it('reads an arrow function', () => {
    assert.deepEqual(getParameterNames((url: string, retries: number) => `${url}${retries}`), ['url', 'retries']);
  });

  it('reads a single-parameter arrow', () => {
    assert.deepEqual(getParameterNames((url: string) => url.length), ['url']);
    assert.deepEqual(getParameterNames(async (url: string) => url.length), ['url']);
  });

  it('reads a single-parameter arrow without parentheses, as written', () => {
    assert.deepEqual(getParameterNames(fromSource('url => url.length')), ['url']);
    assert.deepEqual(getParameterNames(fromSource('async url => url.length')), ['url']);
    assert.deepEqual(getParameterNames(fromSource('$el=>$el')), ['$el']);
  });

  it('reads functions as written, with spaces, defaults and line breaks', () => {
    assert.deepEqual(getParameterNames(fromSource('(a, b = 2) => a + b')), ['a', 'b']);
    assert.deepEqual(getParameterNames(fromSource('async function fetchAll(\n  urls,\n  limit = Math.max(1, 2),\n) { return urls; }')), ['urls', 'limit']);
    assert.deepEqual(getParameterNames(fromSource('function ({ a, b }, [c, d], e) { return e; }')), ['', '', 'e']);
  });

  it('reads an async arrow function', () => {
    assert.deepEqual(getParameterNames(async (a: number, b: number) => a + b), ['a', 'b']);
  });

  it('reads a function declaration and an async function', () => {
    function extract(source: string, limit: number): string {
      return source.slice(0, limit);
    }
    async function load(rows: string[], table: string): Promise<number> {
      return rows.length + table.length;
    }
    assert.deepEqual(getParameterNames(extract), ['source', 'limit']);
    assert.deepEqual(getParameterNames(load), ['rows', 'table']);
  });

  it('reads parameters with defaults, including defaults with calls and commas', () => {
    assert.deepEqual(
      getParameterNames((stop = 10, label = String(1), pair = [1, 2], options = { a: 1, b: 2 }) => `${stop}${label}${pair.length}${options.a}`),
      ['stop', 'label', 'pair', 'options'],
    );
  });

  it('gives an empty name for a destructured parameter, keeping the position', () => {
    assert.deepEqual(getParameterNames(({ stop }: { stop: number }, [first]: number[], tail: string) => `${stop}${first}${tail}`), [
      '',
      '',
      'tail',
    ]);
  });

  it('gives an empty name for a rest parameter', () => {
    assert.deepEqual(getParameterNames((first: string, ...rest: string[]) => first + rest.join('')), ['first', '']);
  });

  it('gives no names for a function without parameters', () => {
    assert.deepEqual(getParameterNames(() => 1), []);
    assert.deepEqual(
      getParameterNames(async function named() {
        return 1;
      }),
      [],
    );
  });
});
