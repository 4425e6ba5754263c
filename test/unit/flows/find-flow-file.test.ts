import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findFlowFile } from '../../../src/flows/load.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

// A flow given by path has its project root searched from its file's
// directory; one given by name from the working directory. findFlowFile
// tells them apart as loadFlow does, without loading anything.

describe('findFlowFile', () => {
  it('gives the absolute file of a flow given by path, path:export included', (t) => {
    const cwd = makeTempDir(t, 'flowrun-find-');
    mkdirSync(join(cwd, 'flows'));
    writeFileSync(join(cwd, 'flows', 'nightly.ts'), '');
    writeFileSync(join(cwd, 'local.ts'), '');
    assert.equal(findFlowFile('flows/nightly.ts', cwd), join(cwd, 'flows', 'nightly.ts'));
    assert.equal(findFlowFile('./flows/nightly.ts:report', cwd), join(cwd, 'flows', 'nightly.ts'));
    assert.equal(findFlowFile(join(cwd, 'flows', 'nightly.ts'), '/'), join(cwd, 'flows', 'nightly.ts'));
    assert.equal(findFlowFile('local.ts', cwd), join(cwd, 'local.ts'));
  });

  it('gives nothing for a flow name, a directory or a file that does not exist', (t) => {
    const cwd = makeTempDir(t, 'flowrun-find-');
    mkdirSync(join(cwd, 'flows'));
    assert.equal(findFlowFile('nightly', cwd), undefined);
    assert.equal(findFlowFile('flows', cwd), undefined);
    assert.equal(findFlowFile('flows/missing.ts', cwd), undefined);
    assert.equal(findFlowFile('flows/missing.ts:report', cwd), undefined);
  });
});
