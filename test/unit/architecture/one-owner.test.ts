import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/run-cli.js';

// Things that must be said in one place of src/, or they drift apart: a new
// runner named in one list and not another, a second wrapper around
// stdout's write() that the first does not know of.

const SOURCES = join(REPO_ROOT, 'src');

const sourceFiles = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(folder, entry.name)) : entry.name.endsWith('.ts') ? [join(folder, entry.name)] : [],
  );

/** The files of src/ whose code (comments aside) matches `pattern`. */
const filesMatching = (pattern: RegExp): string[] =>
  sourceFiles(SOURCES)
    .filter((file) => pattern.test(readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
    .map((file) => relative(SOURCES, file).split('\\').join('/'))
    .sort();

describe('one owner', () => {
  it('names the task runners in one list, which everything else derives from', () => {
    // Two of the names side by side, quoted or not, is a list of them.
    const lists = filesMatching(/\bsequential\b[\s'",|]+\bconcurrent\b|\bconcurrent\b[\s'",|]+\bparallel\b/);
    assert.deepEqual(lists, ['runners/names.ts']);
  });

  it("replaces a stream's write() in one module", () => {
    assert.deepEqual(filesMatching(/\.write\s*=[^=]/), ['util/stream-writes.ts']);
  });
});
