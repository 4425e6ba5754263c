import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createTaskKey, hashTaskKey } from '../../../src/tasks/task-key.js';

describe('hashTaskKey', () => {
  it("matches Prefect 2's example: print_values-0bb9a2c3", () => {
    assert.equal(hashTaskKey('__main__.print_values'), '0bb9a2c3');
  });

  it('is eight lowercase hex characters, stable for a key', () => {
    const hash = hashTaskKey('flows/etl.ts:extract');
    assert.match(hash, /^[0-9a-f]{8}$/);
    assert.equal(hashTaskKey('flows/etl.ts:extract'), hash);
  });

  it('differs between keys', () => {
    assert.notEqual(hashTaskKey('flows/etl.ts:extract'), hashTaskKey('flows/etl.ts:load'));
  });
});

describe('createTaskKey', () => {
  it('names the module relative to the working directory, then the task', () => {
    const url = pathToFileURL(join(process.cwd(), 'flows', 'etl.ts')).href;
    assert.equal(createTaskKey(url, 'extract'), 'flows/etl.ts:extract');
  });

  it('takes a plain path as well as a file URL', () => {
    assert.equal(createTaskKey(join(process.cwd(), 'flows', 'deep', 'etl.ts'), 'load'), 'flows/deep/etl.ts:load');
  });

  it('marks an unknown module', () => {
    assert.equal(createTaskKey(undefined, 'extract'), '<unknown>:extract');
  });

  it('gives different keys for the same name in different modules', () => {
    const a = createTaskKey(pathToFileURL(join(process.cwd(), 'flows', 'a.ts')).href, 'extract');
    const b = createTaskKey(pathToFileURL(join(process.cwd(), 'flows', 'b.ts')).href, 'extract');
    assert.notEqual(hashTaskKey(a), hashTaskKey(b));
  });
});
