import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeDirs } from '../../../src/util/make-dirs.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

describe('makeDirs', () => {
  it('makes every missing directory of a path, and leaves one that exists', (t) => {
    const root = makeTempDir(t, 'flowrun-dirs-');
    const deep = join(root, 'a', 'b', 'c');
    makeDirs(deep);
    assert.ok(statSync(deep).isDirectory());
    makeDirs(deep);
    assert.ok(existsSync(deep));
  });

  it('throws, rather than looping, where a directory cannot be made (a file in the way; a parent that refuses, as /proc)', (t) => {
    const root = makeTempDir(t, 'flowrun-dirs-');
    writeFileSync(join(root, 'file'), '');
    assert.throws(() => makeDirs(join(root, 'file', 'sub')), { code: 'ENOTDIR' });
    if (existsSync('/proc/self')) {
      // Node 20's mkdirSync(..., { recursive: true }) spins here for good.
      assert.throws(() => makeDirs('/proc/flowrun-nothing/here'), { code: 'ENOENT' });
    }
  });
});
