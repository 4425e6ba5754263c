/* eslint-disable @typescript-eslint/unbound-method -- methods are read here as source text, never called */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { getParameterNames } from '../../../src/util/function-parameters.js';

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

describe('getParameterNames: what only a parser gets right', () => {
  it('reads defaults that hold brackets, quotes and commas', () => {
    assert.deepEqual(getParameterNames((url: string, sep = ')', n = 1) => `${url}${sep}${n}`), ['url', 'sep', 'n']);
    assert.deepEqual(getParameterNames(fromSource("(url, sep = ')', n = 1) => url")), ['url', 'sep', 'n']);
    assert.deepEqual(getParameterNames(fromSource("function (open = '(', close = \"}\", pair = ['[', ']'], x) { return x; }")), ['open', 'close', 'pair', 'x']);
  });

  it('reads defaults that hold template literals, regular expressions and comments', () => {
    assert.deepEqual(getParameterNames(fromSource('(a = `${")"}(`, b = /\\)[(]/g, /* ) , */ c = 1, // ) {\n d) => d')), ['a', 'b', 'c', 'd']);
    assert.deepEqual(getParameterNames(fromSource('(a = (x) => { return ")"; }, b = function () { return "}"; }) => a')), ['a', 'b']);
  });

  it('reads methods as Function.prototype.toString gives them, whatever their key', () => {
    const source = {
      run({ stop }: { stop: number }, count: number) {
        return stop + count;
      },
      async fetch(url: string, retries = 2) {
        return `${url}${retries}`;
      },
      *walk(tree: unknown, depth = 0) {
        yield [tree, depth];
      },
      ['comp' + 'uted'](key: string) {
        return key;
      },
      'quoted name'(value: string) {
        return value;
      },
    };
    assert.deepEqual(getParameterNames(source.run), ['', 'count']);
    assert.deepEqual(getParameterNames(source.fetch), ['url', 'retries']);
    assert.deepEqual(getParameterNames(source.walk), ['tree', 'depth']);
    assert.deepEqual(getParameterNames(source['computed' as 'run']), ['key']);
    assert.deepEqual(getParameterNames(source['quoted name']), ['value']);
    const accessors = Object.getOwnPropertyDescriptor(runInNewContext('({ get size() { return 1; }, set size(value) {} })') as object, 'size');
    assert.deepEqual(getParameterNames(accessors?.set as (...args: never[]) => unknown), ['value']);
    assert.deepEqual(getParameterNames(accessors?.get as (...args: never[]) => unknown), []);
  });

  it('reads class methods, static, async generator and private ones, and a class by its constructor', () => {
    class Loader {
      constructor(
        readonly table: string,
        readonly batch = 10,
      ) {}
      static open(path: string) {
        return path;
      }
      async *rows(limit: number) {
        yield limit;
      }
      #step(offset: number) {
        return offset + this.batch;
      }
      get step(): (offset: number) => number {
        return this.#step;
      }
    }
    assert.deepEqual(getParameterNames(Loader.open), ['path']);
    assert.deepEqual(getParameterNames(Loader.prototype.rows), ['limit']);
    assert.deepEqual(getParameterNames(new Loader('t').step), ['offset']);
    assert.deepEqual(getParameterNames(Loader as unknown as (...args: never[]) => unknown), ['table', 'batch']);
    assert.deepEqual(getParameterNames(fromSource('class { run(x) { return x; } }')), []);
  });

  it('reads a function made by new Function', () => {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    assert.deepEqual(getParameterNames(new Function('a', 'b = ")"', 'return a;') as (...args: never[]) => unknown), ['a', 'b']);
  });

  it('gives no names, and does not throw, for native and bound functions', () => {
    const bound = ((a: number, b: number) => a + b).bind(null, 1);
    assert.deepEqual(getParameterNames(Array.prototype.push as (...args: never[]) => unknown), []);
    assert.deepEqual(getParameterNames(bound), []);
    assert.deepEqual(getParameterNames(new Proxy((a: number) => a, {})), []);
  });

  it('gives the same names on every call', () => {
    const fn = fromSource('(first, second = "(") => first');
    assert.deepEqual(getParameterNames(fn), ['first', 'second']);
    assert.deepEqual(getParameterNames(fn), ['first', 'second']);
  });
});
